import assert from "node:assert/strict";
import * as flatbuffers from "flatbuffers";
import {
  decodeStageBasis,
  decodeStageCuts,
  decodeStageStates,
  encodeStageBasis,
  encodeStageCuts,
  encodeStageStates,
  parseStageFileName,
  PolicyDecodeError,
  type PolicyStageCuts,
  stageFileName,
} from "../../src/output/mod.ts";

const STAGE: PolicyStageCuts = {
  stage_id: 3,
  state_dimension: 2,
  capacity: 16,
  warm_start_count: 1,
  cuts: [
    {
      cut_id: 7,
      slot_index: 0,
      iteration: 1,
      forward_pass_index: 0,
      intercept: 100.5,
      coefficients: [1, 2],
      is_active: true,
    },
    {
      cut_id: 2 ** 40,
      slot_index: 1,
      iteration: 4_000_000_000,
      forward_pass_index: 1,
      intercept: -42,
      coefficients: [-0.5, 0.25],
      is_active: false,
    },
  ],
  active_cut_indices: [0],
  populated_count: 2,
};

Deno.test("encodeStageCuts() and decodeStageCuts() round-trip every field, uint32 and uint64 included", () => {
  const decoded = decodeStageCuts(encodeStageCuts(STAGE));
  assert.deepEqual(
    { ...decoded, cuts: decoded.cuts.map((c) => ({ ...c, coefficients: [...c.coefficients] })) },
    STAGE,
  );
});

/** Reads field presence with the `flatbuffers` package's own accessors (independent of ours). */
function presentFields(buffer: Uint8Array, tablePosition: number, fieldCount: number): number[] {
  const bb = new flatbuffers.ByteBuffer(buffer);
  return Array.from({ length: fieldCount }, (_, id) => id)
    .filter((id) => bb.__offset(tablePosition, 4 + 2 * id) !== 0);
}

Deno.test("StageCuts uses the field ids of policy.fbs and never writes the deprecated Cut id 4", () => {
  const buffer = encodeStageCuts(STAGE);
  const bb = new flatbuffers.ByteBuffer(buffer);
  const root = bb.readInt32(0);
  assert.deepEqual(presentFields(buffer, root, 7), [0, 1, 2, 3, 4, 5, 6]);
  // Scalars at the documented ids, read with the package's generated-code primitives.
  assert.equal(bb.readUint32(root + bb.__offset(root, 4)), 3); // id 0 stage_id
  assert.equal(bb.readUint32(root + bb.__offset(root, 6)), 2); // id 1 state_dimension
  assert.equal(bb.readUint32(root + bb.__offset(root, 8)), 16); // id 2 capacity
  assert.equal(bb.readUint32(root + bb.__offset(root, 16)), 2); // id 6 populated_count
  const cutsVector = root + bb.__offset(root, 12); // id 4 cuts
  assert.equal(bb.__vector_len(cutsVector), 2);
  const cutTable = bb.__indirect(bb.__vector(cutsVector));
  assert.deepEqual(presentFields(buffer, cutTable, 9), [0, 1, 2, 3, 5, 6, 7, 8]);
  assert.equal(bb.readUint64(cutTable + bb.__offset(cutTable, 4)), 7n); // id 0 cut_id
  assert.equal(bb.readFloat64(cutTable + bb.__offset(cutTable, 14)), 100.5); // id 5 intercept
  assert.equal(bb.readInt8(cutTable + bb.__offset(cutTable, 20)), 1); // id 8 is_active
});

Deno.test("decodeStageCuts() reports every truncation of a valid file as PolicyDecodeError", () => {
  const buffer = encodeStageCuts(STAGE);
  const full = decodeStageCuts(buffer);
  let rejected = 0;
  for (let length = 0; length < buffer.length; length++) {
    try {
      // A prefix may only decode when the cut off bytes were padding: then it is the original.
      assert.deepEqual(decodeStageCuts(buffer.slice(0, length)), full, `length ${length}`);
    } catch (error) {
      assert.ok(error instanceof PolicyDecodeError, `length ${length}: ${error}`);
      rejected++;
    }
  }
  assert.ok(rejected >= buffer.length - 8, `only ${rejected} of ${buffer.length} rejected`);
});

Deno.test("decodeStageCuts() rejects garbage and coefficient vectors of the wrong length", () => {
  assert.throws(
    () => decodeStageCuts(new TextEncoder().encode('{"not": "flatbuffers"}')),
    PolicyDecodeError,
  );
  assert.throws(() => decodeStageCuts(new Uint8Array(4)), PolicyDecodeError);
  const wrong = encodeStageCuts({ ...STAGE, state_dimension: 3 });
  assert.throws(() => decodeStageCuts(wrong), /cut 0 has 2 coefficients, state_dimension is 3/);
  assert.throws(
    () => decodeStageCuts(wrong, { withCoefficients: false }),
    /cut 0 has 2 coefficients, state_dimension is 3/,
  );
});

Deno.test("StageBasis and StageStates round-trip", () => {
  const basis = {
    stage_id: 2,
    iteration: 9,
    column_status: new Uint8Array([0, 1, 2]),
    row_status: new Uint8Array([1, 1, 0, 0]),
    num_cut_rows: 2,
  };
  assert.deepEqual(decodeStageBasis(encodeStageBasis(basis)), basis);
  const states = { stage_id: 1, state_dimension: 2, count: 2, data: [1, 2, 3, 4] };
  const decoded = decodeStageStates(encodeStageStates(states));
  assert.deepEqual({ ...decoded, data: [...decoded.data] }, states);
  assert.throws(
    () => decodeStageStates(encodeStageStates({ ...states, count: 3 })),
    /expected count × state_dimension = 6/,
  );
});

Deno.test("stageFileName() pads to three digits and parseStageFileName() inverts it", () => {
  assert.equal(stageFileName(0), "stage_000.bin");
  assert.equal(stageFileName(119), "stage_119.bin");
  assert.equal(parseStageFileName("stage_012.bin"), 12);
  assert.equal(parseStageFileName("stage_012.bin.tmp"), null);
  assert.equal(parseStageFileName("metadata.json"), null);
});
