import assert from "node:assert/strict";
import { runtimeFiles } from "../../src/common/mod.ts";
import {
  createLpSolver,
  loadHighsRuntime,
  type LpMode,
  type LpModel,
  type LpSolver,
} from "../../src/engine/lp/mod.ts";

const highs = await loadHighsRuntime(await Deno.readFile(runtimeFiles().highsWasm));
const MODES: LpMode[] = ["persistent", "rebuild"];

/**
 * min x + 2y  s.t.  x + y = 3 (row 0),  x - y <= 1 (row 1),  0 <= x, y <= 10.
 * Optimum: x = 2, y = 1, objective 4. Duals: row 0 -> 1.5, row 1 -> -0.5
 * (raising the equality RHS by 1 costs 1.5; relaxing row 1 by 1 saves 0.5).
 */
function smallModel(): LpModel {
  return {
    numCols: 2,
    numRows: 2,
    colCost: new Float64Array([1, 2]),
    colLower: new Float64Array([0, 0]),
    colUpper: new Float64Array([10, 10]),
    rowLower: new Float64Array([3, -Infinity]),
    rowUpper: new Float64Array([3, 1]),
    colStarts: new Int32Array([0, 2, 4]),
    rowIndex: new Int32Array([0, 1, 0, 1]),
    values: new Float64Array([1, 1, 1, -1]),
  };
}

function withSolver(mode: LpMode, body: (solver: LpSolver) => void): void {
  const solver = createLpSolver(highs, mode);
  try {
    solver.load(smallModel());
    body(solver);
  } finally {
    solver.dispose();
  }
}

for (const mode of MODES) {
  Deno.test(`${mode} solver finds the optimum with primal values and row duals`, () => {
    withSolver(mode, (solver) => {
      assert.equal(solver.solve(), "optimal");
      assert.ok(Math.abs(solver.objective() - 4) < 1e-9);
      assert.deepEqual(Array.from(solver.primal()).map((v) => Math.round(v * 1e9) / 1e9), [2, 1]);
      const duals = Array.from(solver.rowDuals());
      assert.ok(Math.abs(duals[0]! - 1.5) < 1e-9);
      assert.ok(Math.abs(duals[1]! + 0.5) < 1e-9);
      assert.equal(solver.stats.solves, 1);
    });
  });

  Deno.test(`${mode} solver keeps a row bound change for later solves`, () => {
    withSolver(mode, (solver) => {
      solver.setRowBounds(new Int32Array([0]), new Float64Array([5]), new Float64Array([5]));
      assert.equal(solver.solve(), "optimal");
      // x + y = 5, x - y <= 1: x = 3, y = 2, objective 7.
      assert.ok(Math.abs(solver.objective() - 7) < 1e-9);
      assert.equal(solver.solve(), "optimal");
      assert.ok(Math.abs(solver.objective() - 7) < 1e-9);
    });
  });

  Deno.test(`${mode} solver applies appended rows and counts them`, () => {
    withSolver(mode, (solver) => {
      solver.solve();
      // Cut x <= 1 forces x = 1, y = 2, objective 5.
      solver.addRows({
        lower: new Float64Array([-Infinity]),
        upper: new Float64Array([1]),
        rowStarts: new Int32Array([0, 1]),
        colIndex: new Int32Array([0]),
        values: new Float64Array([1]),
      });
      assert.equal(solver.numRows, 3);
      assert.equal(solver.solve(), "optimal");
      assert.ok(Math.abs(solver.objective() - 5) < 1e-9);
      assert.equal(solver.rowDuals().length, 3);
    });
  });

  Deno.test(`${mode} solver reports infeasibility after a cold retry and recovers`, () => {
    withSolver(mode, (solver) => {
      solver.setColBounds(
        new Int32Array([0, 1]),
        new Float64Array([0, 0]),
        new Float64Array([1, 1]),
      );
      assert.equal(solver.solve(), "infeasible");
      assert.equal(solver.stats.retries, 1);
      assert.equal(solver.stats.failures, 1);
      solver.setColBounds(
        new Int32Array([0, 1]),
        new Float64Array([0, 0]),
        new Float64Array([10, 10]),
      );
      assert.equal(solver.solve(), "optimal");
      assert.ok(Math.abs(solver.objective() - 4) < 1e-9);
    });
  });

  Deno.test(`${mode} solver counts time spent inside HiGHS`, () => {
    withSolver(mode, (solver) => {
      solver.solve();
      solver.solve();
      assert.equal(solver.stats.solves, 2);
      assert.ok(solver.stats.solveMs > 0);
    });
  });
}

Deno.test("persistent solver warm-starts from its last basis", () => {
  withSolver("persistent", (solver) => {
    solver.solve();
    const first = solver.stats.simplexIterations;
    assert.ok(first > 0);
    solver.solve();
    assert.equal(solver.stats.simplexIterations, first, "an unchanged model needs no pivots");
    const basis = solver.getBasis();
    assert.ok(basis !== null);
    solver.load(smallModel());
    solver.setBasis(basis);
    solver.solve();
    assert.equal(
      solver.stats.simplexIterations,
      first,
      "an installed optimal basis needs no pivots",
    );
  });
});

for (const mode of MODES) {
  Deno.test(`${mode} solver sets a contiguous range of row bounds`, () => {
    withSolver(mode, (solver) => {
      // Rows 0..1 become x + y = 5 and x - y <= 3: x = 4, y = 1, objective 6.
      solver.setRowRangeBounds(0, new Float64Array([5, -Infinity]), new Float64Array([5, 3]));
      assert.equal(solver.solve(), "optimal");
      assert.ok(Math.abs(solver.objective() - 6) < 1e-9);
    });
  });
}

for (const mode of MODES) {
  Deno.test(`${mode} solver deletes rows and keeps the others in order`, () => {
    withSolver(mode, (solver) => {
      solver.solve();
      // Cut x <= 1 (row 2) then cut y <= 5 (row 3): optimum x = 1, y = 2, objective 5.
      solver.addRows({
        lower: new Float64Array([-Infinity, -Infinity]),
        upper: new Float64Array([1, 5]),
        rowStarts: new Int32Array([0, 1, 2]),
        colIndex: new Int32Array([0, 1]),
        values: new Float64Array([1, 1]),
      });
      assert.equal(solver.solve(), "optimal");
      assert.ok(Math.abs(solver.objective() - 5) < 1e-9);
      // Dropping row 2 restores x = 2, y = 1 (objective 4); row 3 moves up to index 2.
      solver.deleteRows(new Int32Array([2]));
      assert.equal(solver.numRows, 3);
      assert.equal(solver.solve(), "optimal");
      assert.ok(Math.abs(solver.objective() - 4) < 1e-9);
      // The moved row still acts on y: y >= 1.5 gives x = 1.5, objective 3 + y = 4.5.
      solver.setRowRangeBounds(2, new Float64Array([1.5]), new Float64Array([Infinity]));
      assert.equal(solver.solve(), "optimal");
      assert.ok(Math.abs(solver.objective() - 4.5) < 1e-9);
      assert.equal(solver.rowDuals().length, 3);
    });
  });
}
