import assert from "node:assert/strict";
import { evaluateStopping, maxIterations, ruleTriggered } from "../../src/engine/stopping.ts";
import type { StoppingRule, StoppingState } from "../../src/engine/stopping.ts";

const state = (iteration: number, elapsedMs: number, lowerBounds: number[]): StoppingState => ({
  iteration,
  elapsedMs,
  lowerBounds,
});

Deno.test("ruleTriggered() evaluates each rule on its own", () => {
  const table: [StoppingRule, StoppingState, boolean][] = [
    [{ type: "iteration_limit", limit: 5 }, state(4, 0, []), false],
    [{ type: "iteration_limit", limit: 5 }, state(5, 0, []), true],
    [{ type: "time_limit", seconds: 2 }, state(1, 1999, []), false],
    [{ type: "time_limit", seconds: 2 }, state(1, 2000, []), true],
    // Window of 2: compares lb_k with lb_{k-2}; needs k - 2 >= first iteration.
    [{ type: "bound_stalling", iterations: 2, tolerance: 0.01 }, state(2, 0, [100, 100]), false],
    [
      { type: "bound_stalling", iterations: 2, tolerance: 0.01 },
      state(3, 0, [99.9, 100, 100.5]),
      true,
    ],
    [{ type: "bound_stalling", iterations: 2, tolerance: 0.01 }, state(3, 0, [90, 95, 100]), false],
    // Near zero the relative change uses max(1, |lb|): 0 -> 0.005 is below 1%.
    [{ type: "bound_stalling", iterations: 1, tolerance: 0.01 }, state(2, 0, [0, 0.005]), true],
  ];
  for (const [rule, s, expected] of table) {
    assert.equal(
      ruleTriggered(rule, s),
      expected,
      `${JSON.stringify(rule)} at ${JSON.stringify(s)}`,
    );
  }
});

Deno.test("evaluateStopping() combines rules with any/all and names the reason", () => {
  const rules: StoppingRule[] = [
    { type: "iteration_limit", limit: 10 },
    { type: "bound_stalling", iterations: 1, tolerance: 0.01 },
  ];
  const stalled = state(3, 0, [1, 100, 100]);
  assert.deepEqual(evaluateStopping({ rules, mode: "any" }, stalled), {
    stop: true,
    reason: "bound_stalling",
  });
  assert.deepEqual(evaluateStopping({ rules, mode: "all" }, stalled), {
    stop: false,
    reason: null,
  });
  assert.deepEqual(evaluateStopping({ rules, mode: "all" }, state(10, 0, [1, 100, 100])), {
    stop: true,
    reason: "iteration_limit",
  });
});

Deno.test("evaluateStopping() lets the iteration limit stop 'all' mode even if another rule never fires", () => {
  const rules: StoppingRule[] = [
    { type: "iteration_limit", limit: 3 },
    { type: "time_limit", seconds: 3600 },
  ];
  assert.deepEqual(evaluateStopping({ rules, mode: "all" }, state(3, 10, [1, 2, 3])), {
    stop: true,
    reason: "iteration_limit",
  });
});

Deno.test("maxIterations() reports the tightest iteration limit", () => {
  assert.equal(maxIterations({ rules: [{ type: "time_limit", seconds: 1 }], mode: "any" }), null);
  assert.equal(
    maxIterations({
      rules: [{ type: "iteration_limit", limit: 9 }, { type: "iteration_limit", limit: 4 }],
      mode: "any",
    }),
    4,
  );
});
