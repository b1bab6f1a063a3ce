/**
 * The output layer through the real sandboxed `FileAccess` (src/security), not just the
 * unchecked one: writes, atomic replacement, queries and exports all stay inside the sandbox and
 * its refusals reach the caller unchanged.
 */
import assert from "node:assert/strict";
import { posix } from "node:path";
import { isCobreError } from "../../src/common/mod.ts";
import {
  exportResults,
  inspectPolicy,
  queryConvergence,
  queryResults,
  writeRunOutput,
} from "../../src/output/mod.ts";
import { Sandbox } from "../../src/security/mod.ts";
import { SAMPLE_CONTEXT, sampleRunResult, withTempDir } from "./helpers.ts";

Deno.test("the output layer writes, replaces, queries and exports through the sandboxed access", async () => {
  await withTempDir(async (raw) => {
    const base = await Deno.realPath(raw);
    await Deno.mkdir(posix.join(base, "allowed"));
    const allowed = posix.join(base, "allowed");
    const sandbox = await Sandbox.create([allowed]);
    const out = posix.join(allowed, "case/output");
    await writeRunOutput(out, sandbox.access, sampleRunResult(3), SAMPLE_CONTEXT);
    await writeRunOutput(out, sandbox.access, sampleRunResult(2), SAMPLE_CONTEXT);

    const hydros = await queryResults(
      {
        outputDir: out,
        entity_type: "hydros",
        filters: { entity_id: "serra da mesa", columns: ["scenario_id", "storage_final_hm3"] },
      },
      sandbox.access,
    );
    // storage_final_hm3 = 60 + stage + scenario, two stages, two scenarios after the replacement.
    assert.deepEqual(hydros.rows, [[0, 60], [0, 61], [1, 61], [1, 62]]);
    const convergence = await queryConvergence({ outputDir: out }, sandbox.access);
    assert.equal(convergence.iterations.length, 3);
    const policy = await inspectPolicy({ policyDir: out }, sandbox.access);
    assert.ok("cuts_per_stage" in policy);
    assert.deepEqual(policy.cuts_per_stage, [3, 3]);
    const exported = await exportResults(
      { outputDir: out, format: "csv", entity_type: "costs" },
      sandbox.access,
    );
    assert.equal(exported.rows, 4);
    assert.deepEqual(
      [...Deno.readDirSync(posix.join(allowed, "case"))].map((e) => e.name),
      ["output"],
      "no staging or previous-output directory is left next to the output",
    );

    // A path outside the sandbox is refused by the sandbox, and the refusal is passed through.
    const outside = await queryResults(
      { outputDir: posix.join(base, "elsewhere"), entity_type: "hydros" },
      sandbox.access,
    ).catch((error) => error);
    assert.ok(isCobreError(outside));
    assert.notEqual(outside.record.kind, "OutputCorrupted");
    assert.doesNotMatch(JSON.stringify(outside.record), new RegExp(allowed));
  });
});
