import assert from "node:assert/strict";
import { aggregateCut } from "../../src/engine/cuts.ts";
import { meanStd } from "../../src/engine/training.ts";

Deno.test("aggregateCut() averages opening duals and shifts the intercept to the trial state", () => {
  // Two openings at x_hat = (10, 2):
  //   opening 0: Q = 100, pi = (-3, 1)  -> alpha_0 = 100 - (-30 + 2) = 128
  //   opening 1: Q = 60,  pi = (-1, 3)  -> alpha_1 = 60 - (-10 + 6)  = 64
  // Cut: beta = (-2, 2), alpha = 96; at x_hat it gives 96 - 20 + 4 = 80 = mean(Q).
  const cut = aggregateCut(
    [100, 60],
    [new Float64Array([-3, 1]), new Float64Array([-1, 3])],
    new Float64Array([10, 2]),
  );
  assert.deepEqual(Array.from(cut.coefficients), [-2, 2]);
  assert.equal(cut.intercept, 96);
});

Deno.test("meanStd() gives the sample mean, standard deviation and 95% half-width", () => {
  // Values 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample variance 32/7.
  const stats = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.equal(stats.mean, 5);
  assert.ok(Math.abs(stats.std - Math.sqrt(32 / 7)) < 1e-12);
  assert.ok(Math.abs(stats.ci95 - 1.959963984540054 * Math.sqrt(32 / 7) / Math.sqrt(8)) < 1e-12);
  assert.deepEqual(meanStd([3]), { mean: 3, std: 0, ci95: 0 });
});
