/**
 * The pieces behind `cobre/run`'s progress: the iteration bound of the stopping rules, the one
 * rising scale over training and simulation, message numbers, and the bounded send queue.
 */
import assert from "node:assert/strict";
import type { StoppingRule } from "../../src/case/mod.ts";
import { iterationBound, RunProgressScale } from "../../src/server/mod.ts";
import { shortNumber } from "../../src/server/run/progress.ts";
import { ProgressQueue } from "../../src/server/run/progress_queue.ts";
import type { ProgressUpdate } from "../../src/server/mod.ts";

const limit = (n: number): StoppingRule => ({ type: "iteration_limit", limit: n });
const stalling: StoppingRule = { type: "bound_stalling", iterations: 5, tolerance: 1e-4 };

Deno.test("iterationBound() is the limit the stopping rules guarantee, else null", () => {
  const cases: [StoppingRule[], "any" | "all", number | null][] = [
    [[limit(50)], "any", 50],
    [[limit(50), stalling], "any", 50], // any rule stops it: at most 50
    [[limit(50), limit(30)], "any", 30],
    [[stalling], "any", null],
    [[limit(50), stalling], "all", null], // stalling must also hold: no bound
    [[limit(50), limit(30)], "all", 50],
    [[], "any", null],
  ];
  for (const [rules, mode, expected] of cases) {
    assert.equal(iterationBound(rules, mode), expected, JSON.stringify({ rules, mode }));
  }
});

Deno.test("RunProgressScale maps iterations, then scenarios after them, and never goes back", () => {
  const scale = new RunProgressScale(3);
  const it = (iteration: number, gap: number | null) =>
    scale.map({
      type: "convergence",
      iteration,
      lower_bound: 1.23e6,
      upper_bound: 1.25e6,
      upper_bound_std: 1,
      ci_95: 2,
      gap,
      wall_time_ms: 10.4 * iteration,
      iteration_time_ms: 10.4,
    });
  const sim = (done: number) =>
    scale.map({
      type: "simulation",
      scenarios_complete: done,
      scenarios_total: 100,
      elapsed_ms: 3210,
    });
  const first = it(1, 0.016)!;
  assert.equal(first.progress, 1);
  assert.equal(first.total, 3);
  assert.equal(first.message, "iteration 1/3 · LB 1.23e6 · UB 1.25e6 · gap 1.60%");
  assert.equal(first.metadata?.phase, "training");
  assert.equal(first.metadata?.wall_time_ms, 10);
  assert.equal(it(2, null)!.message, "iteration 2/3 · LB 1.23e6 · UB 1.25e6 · gap n/a");
  assert.equal(it(2, null), null, "a repeated iteration would not advance: not sent");
  const s = sim(40)!;
  assert.equal(s.progress, 2 + 40);
  assert.equal(s.total, 2 + 100);
  assert.equal(s.message, "simulation 40/100 scenarios · 3.2 s");
  assert.deepEqual(s.metadata, {
    phase: "simulation",
    scenarios_complete: 40,
    scenarios_total: 100,
    elapsed_ms: 3210,
  });
  assert.equal(sim(100)!.progress, 102);
  const unbounded = new RunProgressScale(null).map({
    type: "convergence",
    iteration: 7,
    lower_bound: 5,
    upper_bound: 5,
    upper_bound_std: 0,
    ci_95: 0,
    gap: 0,
    wall_time_ms: 1,
    iteration_time_ms: 1,
  })!;
  assert.equal(unbounded.total, null);
  assert.match(unbounded.message ?? "", /^iteration 7 · /);
});

Deno.test("shortNumber() keeps messages short at any magnitude", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [1234567, "1.23e6"],
    [-66815251254.18, "-6.68e10"],
    [182.5, "183"],
    [0.5, "0.5"],
    [0.0001234, "1.23e-4"],
    [Number.NaN, "NaN"],
  ];
  for (const [value, text] of cases) assert.equal(shortNumber(value), text, String(value));
});

Deno.test("ProgressQueue sends in order and, behind a slow client, drops the oldest waiting", async () => {
  const sent: number[] = [];
  let release: () => void = () => {};
  let gate = new Promise<void>((resolve) => (release = resolve));
  const queue = new ProgressQueue(async (update: ProgressUpdate) => {
    await gate;
    sent.push(update.progress);
  }, 4);
  for (let i = 1; i <= 10; i++) queue.push({ progress: i });
  // 1 is being sent; 2..10 waited behind it, of which only the newest 4 are kept.
  assert.equal(queue.dropped, 5);
  release();
  gate = Promise.resolve();
  await queue.flush();
  assert.deepEqual(sent, [1, 7, 8, 9, 10]);
  // A failing send does not stop the ones after it.
  const failing = new ProgressQueue((update) =>
    update.progress === 1
      ? Promise.reject(new Error("gone"))
      : (sent.push(update.progress), Promise.resolve())
  );
  failing.push({ progress: 1 });
  failing.push({ progress: 2 });
  await failing.flush();
  assert.equal(sent.at(-1), 2);
});
