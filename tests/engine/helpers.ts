/**
 * Shared helpers for engine tests: fixture paths and loading.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { CaseModel } from "../../src/case/mod.ts";
import type { RunResult, SimulationScenarioResult } from "../../src/engine/mod.ts";
import { loadCase } from "../../src/case/mod.ts";
import { directFileAccess } from "../../src/common/mod.ts";

/** Absolute path of an engine fixture case. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/engine/${name}`, import.meta.url));
}

/** Loads an engine fixture case through the real case loader. */
export function loadFixture(name: string): Promise<CaseModel> {
  return loadCase(fixturePath(name), directFileAccess);
}

/** Relative closeness for costs derived by hand (the LP works in scaled floating point). */
export function assertClose(actual: number | null, expected: number, label: string): void {
  if (actual === null || Math.abs(actual - expected) > 1e-9 * Math.max(1, Math.abs(expected))) {
    throw new Error(`${label}: expected ${expected}, got ${actual}`);
  }
}

/**
 * A run that streamed its scenarios matches the same run that kept them: `streamedRows` (every
 * batch, in order) are scenarios 0 .. `scenarios` - 1 and equal the kept rows, the streamed result
 * holds none itself, and its summary is bit-identical.
 */
export function assertStreamedLikeKept(
  streamed: RunResult,
  streamedRows: readonly SimulationScenarioResult[],
  kept: RunResult,
  scenarios: number,
): void {
  const ids = streamedRows.map((s) => s.scenario_id);
  assert.deepEqual(ids, Array.from({ length: scenarios }, (_, i) => i));
  assert.deepEqual(streamedRows, kept.simulation?.scenarios);
  assert.deepEqual(streamed.simulation?.scenarios, []);
  assert.equal(streamed.simulation?.scenarios_completed, scenarios);
  assert.equal(streamed.simulation?.mean_cost, kept.simulation?.mean_cost);
  assert.equal(streamed.simulation?.std_cost, kept.simulation?.std_cost);
  assert.equal(streamed.simulation?.ci_95_half_width, kept.simulation?.ci_95_half_width);
}
