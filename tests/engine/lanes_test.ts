import assert from "node:assert/strict";
import {
  autoThreads,
  contiguousLanes,
  executorOfLane,
  LANES,
  roundRobin,
} from "../../src/engine/lanes.ts";
import { backwardLanes } from "../../src/engine/training.ts";

Deno.test("roundRobin() deals passes to lanes in turn, never more lanes than items", () => {
  assert.equal(LANES, 4);
  assert.deepEqual(roundRobin(6), [[0, 4], [1, 5], [2], [3]]);
  assert.deepEqual(roundRobin(1), [[0]]);
  assert.deepEqual(roundRobin(0), []);
});

Deno.test("contiguousLanes() splits ordered work into near-equal runs without empty lanes", () => {
  assert.deepEqual(contiguousLanes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), [[1, 2, 3], [4, 5, 6], [
    7,
    8,
  ], [9, 10]]);
  assert.deepEqual(contiguousLanes([1, 2]), [[1], [2]]);
  assert.deepEqual(contiguousLanes([]), []);
});

Deno.test("executorOfLane() keeps a lane on one executor for any executor count", () => {
  assert.deepEqual([0, 1, 2, 3].map((lane) => executorOfLane(lane, 1)), [0, 0, 0, 0]);
  assert.deepEqual([0, 1, 2, 3].map((lane) => executorOfLane(lane, 2)), [0, 1, 0, 1]);
  assert.deepEqual([0, 1, 2, 3].map((lane) => executorOfLane(lane, 4)), [0, 1, 2, 3]);
});

Deno.test("backwardLanes() gives lane k the openings of pass k when passes match lanes", () => {
  // 4ree-like: 4 passes x 10 openings -> one task per lane covering all openings of its pass.
  const states = [0, 1, 2, 3].map((m) => new Float64Array([m]));
  const lanes = backwardLanes(5, 10, states);
  assert.equal(lanes.length, 4);
  lanes.forEach((tasks, k) => {
    assert.equal(tasks.length, 1);
    assert.deepEqual({ ...tasks[0]!, state: tasks[0]!.state[0] }, {
      stage: 5,
      pass: k,
      first: 0,
      end: 10,
      state: k,
    });
  });
});

Deno.test("backwardLanes() splits one pass's openings over lanes and a run may cross passes", () => {
  // 1dtoy-like: 1 pass x 10 openings -> runs of 3, 3, 2, 2 openings.
  const one = backwardLanes(1, 10, [new Float64Array([7])]);
  assert.deepEqual(one.map((tasks) => tasks.map((t) => [t.pass, t.first, t.end])), [
    [[0, 0, 3]],
    [[0, 3, 6]],
    [[0, 6, 8]],
    [[0, 8, 10]],
  ]);
  // 3 passes x 3 openings = 9 pairs -> runs of 3, 2, 2, 2; lane 1 ends pass 1 and lane 2 spans.
  const three = backwardLanes(2, 3, [0, 1, 2].map((m) => new Float64Array([m])));
  assert.deepEqual(three.map((tasks) => tasks.map((t) => [t.pass, t.first, t.end])), [
    [[0, 0, 3]],
    [[1, 0, 2]],
    [[1, 2, 3], [2, 0, 1]],
    [[2, 1, 3]],
  ]);
});

Deno.test("autoThreads() uses every core up to the lane count only for cases with enough solves", () => {
  const fourRee = Array.from({ length: 12 }, () => 10);
  // 4 passes x (12 forward + 120 backward solves) = 528 per iteration.
  assert.equal(autoThreads(4, fourRee, 2), 2);
  assert.equal(autoThreads(4, fourRee, 16), LANES);
  assert.equal(autoThreads(4, fourRee, 1), 1);
  // 1dtoy: 1 pass x (4 + 40) = 44 per iteration.
  assert.equal(autoThreads(1, [10, 10, 10, 10], 8), 1);
});
