/**
 * FlatBuffers encoding of Cobre's policy files, following `crates/cobre-io/schemas/policy.fbs`
 * (namespace `Cobre.IO.Policy`, no file identifier, no size prefix):
 * `policy/cuts/stage_NNN.bin` (root `StageCuts`), `policy/basis/stage_NNN.bin` (`StageBasis`),
 * `policy/states/stage_NNN.bin` (`StageStates`).
 *
 * Writing uses the `flatbuffers` builder with every field forced (as Cobre's
 * `push_slot_always`), field index = the `(id: N)` of the schema. Reading is a small hand-written
 * bounds-checked parser: the generated-code accessors of the `flatbuffers` package do not check
 * bounds, and a truncated file must become `OutputCorrupted`, never a silent zero.
 *
 * @module
 */
import * as flatbuffers from "flatbuffers";

/** One cut of a `StageCuts` table (the `Cut` table of policy.fbs). */
export interface PolicyCut {
  /** uint64 on disk; ids stay far below 2^53 in practice. */
  cut_id: number;
  slot_index: number;
  iteration: number;
  forward_pass_index: number;
  intercept: number;
  coefficients: readonly number[] | Float64Array;
  is_active: boolean;
}

/** The root table of `policy/cuts/stage_NNN.bin`. */
export interface PolicyStageCuts {
  stage_id: number;
  state_dimension: number;
  capacity: number;
  warm_start_count: number;
  cuts: PolicyCut[];
  active_cut_indices: number[];
  populated_count: number;
}

/** The root table of `policy/basis/stage_NNN.bin` (HiGHS status codes). */
export interface PolicyStageBasis {
  stage_id: number;
  iteration: number;
  column_status: Uint8Array;
  row_status: Uint8Array;
  num_cut_rows: number;
}

/** The root table of `policy/states/stage_NNN.bin` (row-major visited states). */
export interface PolicyStageStates {
  stage_id: number;
  state_dimension: number;
  count: number;
  data: readonly number[] | Float64Array;
}

// Field ids of policy.fbs. Cut id 4 (`domination_count`) is deprecated and never written.
const CUT = {
  cut_id: 0,
  slot_index: 1,
  iteration: 2,
  forward_pass_index: 3,
  intercept: 5,
  coefficients: 6,
  state_at_generation: 7,
  is_active: 8,
  count: 9,
} as const;
const STAGE_CUTS = {
  stage_id: 0,
  state_dimension: 1,
  capacity: 2,
  warm_start_count: 3,
  cuts: 4,
  active_cut_indices: 5,
  populated_count: 6,
  count: 7,
} as const;
const BASIS = {
  stage_id: 0,
  iteration: 1,
  num_columns: 2,
  num_rows: 3,
  column_status: 4,
  row_status: 5,
  num_cut_rows: 6,
  count: 7,
} as const;
const STATES = { stage_id: 0, state_dimension: 1, count: 2, data: 3, fields: 4 } as const;

/** Thrown by the decoders; callers turn it into `OutputCorrupted` with the file name. */
export class PolicyDecodeError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = "PolicyDecodeError";
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

function float64Vector(
  builder: flatbuffers.Builder,
  values: ArrayLike<number>,
): flatbuffers.Offset {
  builder.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) builder.addFloat64(values[i] as number);
  return builder.endVector();
}

function uint32Vector(builder: flatbuffers.Builder, values: ArrayLike<number>): flatbuffers.Offset {
  builder.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) builder.addInt32((values[i] as number) | 0);
  return builder.endVector();
}

function offsetVector(builder: flatbuffers.Builder, offsets: flatbuffers.Offset[]) {
  builder.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) builder.addOffset(offsets[i] as flatbuffers.Offset);
  return builder.endVector();
}

function newBuilder(estimate: number): flatbuffers.Builder {
  const builder = new flatbuffers.Builder(Math.max(64, estimate));
  builder.forceDefaults(true);
  return builder;
}

function finished(builder: flatbuffers.Builder, root: flatbuffers.Offset): Uint8Array {
  builder.finish(root);
  return builder.asUint8Array().slice();
}

/** Encodes one stage's cut pool as a `StageCuts` buffer. */
export function encodeStageCuts(stage: PolicyStageCuts): Uint8Array {
  const builder = newBuilder(64 + stage.cuts.length * (96 + stage.state_dimension * 8));
  const cutOffsets = stage.cuts.map((cut) => {
    const coefficients = float64Vector(builder, cut.coefficients);
    // Cobre always writes an empty state_at_generation vector.
    const stateAtGeneration = float64Vector(builder, []);
    builder.startObject(CUT.count);
    builder.addFieldInt64(CUT.cut_id, BigInt(cut.cut_id), 0n);
    builder.addFieldInt32(CUT.slot_index, cut.slot_index | 0, 0);
    builder.addFieldInt32(CUT.iteration, cut.iteration | 0, 0);
    builder.addFieldInt32(CUT.forward_pass_index, cut.forward_pass_index | 0, 0);
    builder.addFieldFloat64(CUT.intercept, cut.intercept, 0);
    builder.addFieldOffset(CUT.coefficients, coefficients, 0);
    builder.addFieldOffset(CUT.state_at_generation, stateAtGeneration, 0);
    builder.addFieldInt8(CUT.is_active, cut.is_active ? 1 : 0, 0);
    return builder.endObject();
  });
  const cuts = offsetVector(builder, cutOffsets);
  const active = uint32Vector(builder, stage.active_cut_indices);
  builder.startObject(STAGE_CUTS.count);
  builder.addFieldInt32(STAGE_CUTS.stage_id, stage.stage_id | 0, 0);
  builder.addFieldInt32(STAGE_CUTS.state_dimension, stage.state_dimension | 0, 0);
  builder.addFieldInt32(STAGE_CUTS.capacity, stage.capacity | 0, 0);
  builder.addFieldInt32(STAGE_CUTS.warm_start_count, stage.warm_start_count | 0, 0);
  builder.addFieldOffset(STAGE_CUTS.cuts, cuts, 0);
  builder.addFieldOffset(STAGE_CUTS.active_cut_indices, active, 0);
  builder.addFieldInt32(STAGE_CUTS.populated_count, stage.populated_count | 0, 0);
  return finished(builder, builder.endObject());
}

/** Encodes one stage's LP basis as a `StageBasis` buffer (num_columns/num_rows from lengths). */
export function encodeStageBasis(basis: PolicyStageBasis): Uint8Array {
  const builder = newBuilder(64 + basis.column_status.length + basis.row_status.length);
  const columns = builder.createByteVector(basis.column_status);
  const rows = builder.createByteVector(basis.row_status);
  builder.startObject(BASIS.count);
  builder.addFieldInt32(BASIS.stage_id, basis.stage_id | 0, 0);
  builder.addFieldInt32(BASIS.iteration, basis.iteration | 0, 0);
  builder.addFieldInt32(BASIS.num_columns, basis.column_status.length, 0);
  builder.addFieldInt32(BASIS.num_rows, basis.row_status.length, 0);
  builder.addFieldOffset(BASIS.column_status, columns, 0);
  builder.addFieldOffset(BASIS.row_status, rows, 0);
  builder.addFieldInt32(BASIS.num_cut_rows, basis.num_cut_rows | 0, 0);
  return finished(builder, builder.endObject());
}

/** Encodes one stage's visited states as a `StageStates` buffer. */
export function encodeStageStates(states: PolicyStageStates): Uint8Array {
  const builder = newBuilder(64 + states.data.length * 8);
  const data = float64Vector(builder, states.data);
  builder.startObject(STATES.fields);
  builder.addFieldInt32(STATES.stage_id, states.stage_id | 0, 0);
  builder.addFieldInt32(STATES.state_dimension, states.state_dimension | 0, 0);
  builder.addFieldInt32(STATES.count, states.count | 0, 0);
  builder.addFieldOffset(STATES.data, data, 0);
  return finished(builder, builder.endObject());
}

// ---------------------------------------------------------------------------------------------
// Reading

/** A bounds-checked view of one FlatBuffers table. */
class Table {
  constructor(
    private readonly view: DataView,
    readonly position: number,
    private readonly vtable: number,
    private readonly vtableSize: number,
    private readonly inlineSize: number,
  ) {}

  static at(view: DataView, position: number, what: string): Table {
    const length = view.byteLength;
    if (position < 0 || position + 4 > length) {
      throw new PolicyDecodeError(`${what} table offset ${position} is outside the file`);
    }
    const vtable = position - view.getInt32(position, true);
    if (vtable < 0 || vtable + 4 > length) {
      throw new PolicyDecodeError(`${what} vtable offset ${vtable} is outside the file`);
    }
    const vtableSize = view.getUint16(vtable, true);
    const inlineSize = view.getUint16(vtable + 2, true);
    if (vtableSize < 4 || vtableSize % 2 !== 0 || vtable + vtableSize > length) {
      throw new PolicyDecodeError(`${what} vtable has an invalid size ${vtableSize}`);
    }
    if (inlineSize < 4 || position + inlineSize > length) {
      throw new PolicyDecodeError(`${what} table runs past the end of the file`);
    }
    return new Table(view, position, vtable, vtableSize, inlineSize);
  }

  /** Absolute position of field `id`, or null when absent (FlatBuffers graceful absence). */
  field(id: number, width: number): number | null {
    const slot = 4 + 2 * id;
    if (slot + 2 > this.vtableSize) return null;
    const offset = this.view.getUint16(this.vtable + slot, true);
    if (offset === 0) return null;
    if (offset + width > this.inlineSize) {
      throw new PolicyDecodeError(`field ${id} lies outside its table`);
    }
    return this.position + offset;
  }

  uint32(id: number): number {
    const at = this.field(id, 4);
    return at === null ? 0 : this.view.getUint32(at, true);
  }

  uint64(id: number): number {
    const at = this.field(id, 8);
    if (at === null) return 0;
    const value = this.view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new PolicyDecodeError(`field ${id} holds ${value}, beyond 2^53`);
    }
    return Number(value);
  }

  float64(id: number): number {
    const at = this.field(id, 8);
    return at === null ? 0 : this.view.getFloat64(at, true);
  }

  bool(id: number): boolean {
    const at = this.field(id, 1);
    return at === null ? false : this.view.getUint8(at) !== 0;
  }

  /** Start and length of a vector field, checked to fit in the file. */
  vector(id: number, elementSize: number, what: string): { start: number; length: number } {
    const at = this.field(id, 4);
    if (at === null) return { start: 0, length: 0 };
    const position = at + this.view.getUint32(at, true);
    if (position + 4 > this.view.byteLength) {
      throw new PolicyDecodeError(`${what} vector offset is outside the file`);
    }
    const length = this.view.getUint32(position, true);
    const start = position + 4;
    if (start + length * elementSize > this.view.byteLength) {
      throw new PolicyDecodeError(`${what} vector of ${length} elements runs past the end`);
    }
    return { start, length };
  }

  float64Vector(id: number, what: string): Float64Array {
    const { start, length } = this.vector(id, 8, what);
    const out = new Float64Array(length);
    for (let i = 0; i < length; i++) out[i] = this.view.getFloat64(start + 8 * i, true);
    return out;
  }

  uint32Vector(id: number, what: string): number[] {
    const { start, length } = this.vector(id, 4, what);
    const out = new Array<number>(length);
    for (let i = 0; i < length; i++) out[i] = this.view.getUint32(start + 4 * i, true);
    return out;
  }

  uint8Vector(id: number, what: string): Uint8Array {
    const { start, length } = this.vector(id, 1, what);
    return new Uint8Array(this.view.buffer, this.view.byteOffset + start, length).slice();
  }

  tableVector(id: number, what: string): Table[] {
    const { start, length } = this.vector(id, 4, what);
    const out: Table[] = [];
    for (let i = 0; i < length; i++) {
      const at = start + 4 * i;
      out.push(Table.at(this.view, at + this.view.getUint32(at, true), `${what}[${i}]`));
    }
    return out;
  }
}

function rootTable(bytes: Uint8Array, what: string): Table {
  if (bytes.byteLength < 8) throw new PolicyDecodeError("file too short to be a FlatBuffer");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Table.at(view, view.getUint32(0, true), what);
}

/** Runs a decoder, turning any out-of-bounds read into a `PolicyDecodeError`. */
function decoding<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof PolicyDecodeError) throw error;
    if (error instanceof RangeError) throw new PolicyDecodeError("read past the end of the file");
    throw error;
  }
}

/**
 * Decodes a `StageCuts` buffer. With `withCoefficients: false` the coefficient vectors are
 * bounds-checked but not copied (summary mode).
 */
export function decodeStageCuts(
  bytes: Uint8Array,
  options: { withCoefficients?: boolean } = {},
): PolicyStageCuts {
  const withCoefficients = options.withCoefficients ?? true;
  return decoding(() => {
    const root = rootTable(bytes, "StageCuts");
    const state_dimension = root.uint32(STAGE_CUTS.state_dimension);
    const cuts = root.tableVector(STAGE_CUTS.cuts, "cuts").map((cut, i) => {
      const what = `cuts[${i}].coefficients`;
      let coefficients: Float64Array;
      if (withCoefficients) {
        coefficients = cut.float64Vector(CUT.coefficients, what);
      } else {
        coefficients = new Float64Array(0);
        const { length } = cut.vector(CUT.coefficients, 8, what);
        if (length !== state_dimension) {
          throw new PolicyDecodeError(
            `cut ${i} has ${length} coefficients, state_dimension is ${state_dimension}`,
          );
        }
      }
      if (withCoefficients && coefficients.length !== state_dimension) {
        throw new PolicyDecodeError(
          `cut ${i} has ${coefficients.length} coefficients, state_dimension is ${state_dimension}`,
        );
      }
      return {
        cut_id: cut.uint64(CUT.cut_id),
        slot_index: cut.uint32(CUT.slot_index),
        iteration: cut.uint32(CUT.iteration),
        forward_pass_index: cut.uint32(CUT.forward_pass_index),
        intercept: cut.float64(CUT.intercept),
        coefficients,
        is_active: cut.bool(CUT.is_active),
      };
    });
    return {
      stage_id: root.uint32(STAGE_CUTS.stage_id),
      state_dimension,
      capacity: root.uint32(STAGE_CUTS.capacity),
      warm_start_count: root.uint32(STAGE_CUTS.warm_start_count),
      cuts,
      active_cut_indices: root.uint32Vector(STAGE_CUTS.active_cut_indices, "active_cut_indices"),
      populated_count: root.uint32(STAGE_CUTS.populated_count),
    };
  });
}

/** Decodes a `StageBasis` buffer. */
export function decodeStageBasis(bytes: Uint8Array): PolicyStageBasis {
  return decoding(() => {
    const root = rootTable(bytes, "StageBasis");
    return {
      stage_id: root.uint32(BASIS.stage_id),
      iteration: root.uint32(BASIS.iteration),
      column_status: root.uint8Vector(BASIS.column_status, "column_status"),
      row_status: root.uint8Vector(BASIS.row_status, "row_status"),
      num_cut_rows: root.uint32(BASIS.num_cut_rows),
    };
  });
}

/** Decodes a `StageStates` buffer. */
export function decodeStageStates(bytes: Uint8Array): PolicyStageStates {
  return decoding(() => {
    const root = rootTable(bytes, "StageStates");
    const states = {
      stage_id: root.uint32(STATES.stage_id),
      state_dimension: root.uint32(STATES.state_dimension),
      count: root.uint32(STATES.count),
      data: root.float64Vector(STATES.data, "data"),
    };
    if (states.data.length !== states.count * states.state_dimension) {
      throw new PolicyDecodeError(
        `data has ${states.data.length} values, expected count × state_dimension = ${
          states.count * states.state_dimension
        }`,
      );
    }
    return states;
  });
}

/** File name of a stage's policy file: `stage_NNN.bin`, zero-padded to three digits. */
export function stageFileName(stageId: number): string {
  return `stage_${String(stageId).padStart(3, "0")}.bin`;
}

/** Parses `stage_NNN.bin` back to its stage id; null for other names. */
export function parseStageFileName(name: string): number | null {
  const match = /^stage_(\d+)\.bin$/.exec(name);
  return match ? Number(match[1]) : null;
}
