import assert from "node:assert/strict";
import { runtimeFiles } from "../../src/common/mod.ts";
import { ActiveCuts, IDLE_SOLVES } from "../../src/engine/active_cuts.ts";
import type { Cut } from "../../src/engine/cuts.ts";
import { createLpSolver, loadHighsRuntime, type LpSolver } from "../../src/engine/lp/mod.ts";
import { prepareSetup } from "../../src/engine/setup.ts";
import { loadFixture } from "./helpers.ts";

const highs = await loadHighsRuntime(await Deno.readFile(runtimeFiles().highsWasm));
const setup = prepareSetup(await loadFixture("hydro_water_value"));
const { model, layout } = setup.stages[0]!;

/**
 * Tangents of the convex future cost g(v) = 0.5 (30 - v)^2 (scaled units) at 40 storages in
 * [0, 30): theta >= g(v_k) + g'(v_k) (v - v_k). At any storage only one or two of them bind.
 */
const pool: Cut[] = Array.from({ length: 40 }, (_, k) => {
  const at = k * 0.75;
  const slope = -(30 - at);
  return {
    id: k,
    iteration: 1,
    forwardPass: 0,
    intercept: 0.5 * (30 - at) ** 2 - slope * at,
    coefficients: Float64Array.from({ length: setup.stateDim }, (_, d) => (d === 0 ? slope : 0)),
  };
});

/** One stage-0 solve at incoming storage `storage_hm3`, exact with respect to the whole pool. */
function solveAt(solver: LpSolver, active: ActiveCuts, storage_hm3: number): number {
  const row = new Int32Array([layout.rowStorageFix]);
  const value = new Float64Array([storage_hm3]);
  active.prepare(solver, pool);
  solver.setRowBounds(row, value, value);
  assert.equal(solver.solve(), "optimal");
  while (active.addViolated(solver, pool, solver.primal()) > 0) {
    assert.equal(solver.solve(), "optimal");
  }
  active.settle(solver.rowDuals());
  return solver.objective();
}

function lp(prune: boolean): { solver: LpSolver; active: ActiveCuts } {
  const solver = createLpSolver(highs, "persistent");
  solver.load(model);
  return { solver, active: new ActiveCuts(layout, setup.stateDim, prune) };
}

Deno.test("ActiveCuts gives the objective of the LP holding every cut", () => {
  const full = lp(false);
  const working = lp(true);
  try {
    for (const storage of [25.92, 3, 17.5, 0, 12, 25.92]) {
      const expected = solveAt(full.solver, full.active, storage);
      const got = solveAt(working.solver, working.active, storage);
      assert.ok(Math.abs(got - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${storage}`);
    }
    assert.equal(full.active.rows, pool.length, "without pruning every cut stays a row");
  } finally {
    full.solver.dispose();
    working.solver.dispose();
  }
});

Deno.test("ActiveCuts drops rows idle for IDLE_SOLVES solves and brings back violated ones", () => {
  const full = lp(false);
  const working = lp(true);
  try {
    for (let i = 0; i <= IDLE_SOLVES + 1; i++) solveAt(working.solver, working.active, 25.92);
    solveAt(working.solver, working.active, 25.92);
    assert.ok(working.active.rows < pool.length / 2, `${working.active.rows} rows left`);
    assert.equal(working.solver.numRows, model.numRows + working.active.rows);
    // A far storage needs cuts that were dropped: they come back and the solve stays exact.
    const rowsBefore = working.active.rows;
    const got = solveAt(working.solver, working.active, 2);
    const expected = solveAt(full.solver, full.active, 2);
    assert.ok(Math.abs(got - expected) <= 1e-9 * Math.max(1, Math.abs(expected)));
    assert.ok(working.active.rows > rowsBefore, "violated cuts became rows again");
  } finally {
    full.solver.dispose();
    working.solver.dispose();
  }
});
