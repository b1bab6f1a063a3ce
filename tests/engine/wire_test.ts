import assert from "node:assert/strict";
import {
  packCuts,
  packOpenings,
  packTrajectories,
  unpackCuts,
  unpackOpenings,
  unpackTrajectories,
} from "../../src/engine/wire.ts";

Deno.test("packCuts() and unpackCuts() carry intercepts and coefficients per stage in order", () => {
  const cut = (intercept: number, coefficients: number[]) => ({
    id: 7,
    iteration: 3,
    forwardPass: 1,
    intercept,
    coefficients: Float64Array.from(coefficients),
  });
  const packed = packCuts([
    { stage: 2, first: 5, cuts: [cut(10, [1, -2]), cut(-0.5, [0, 3.25])] },
    { stage: 0, first: 0, cuts: [] },
  ], 2);
  assert.deepEqual(Array.from(packed[0]!.data), [10, 1, -2, -0.5, 0, 3.25]);
  const [first, empty] = unpackCuts(packed, 2);
  assert.equal(first!.stage, 2);
  assert.equal(first!.first, 5);
  assert.deepEqual(
    first!.cuts.map((c) => [c.intercept, ...c.coefficients]),
    [[10, 1, -2], [-0.5, 0, 3.25]],
  );
  assert.deepEqual(empty, { stage: 0, first: 0, cuts: [] });
});

Deno.test("packOpenings() and unpackOpenings() keep pass, opening, objective and duals", () => {
  const solves = [
    { pass: 3, opening: 9, objective: 1.5e7, duals: Float64Array.from([-1, 2, 0.125]) },
    { pass: 0, opening: 0, objective: -2, duals: Float64Array.from([0, 0, 1e-300]) },
  ];
  const back = unpackOpenings(packOpenings(solves, 3), 3);
  assert.deepEqual(
    back.map((s) => [s.pass, s.opening, s.objective, ...s.duals]),
    solves.map((s) => [s.pass, s.opening, s.objective, ...s.duals]),
  );
});

Deno.test("packTrajectories() and unpackTrajectories() keep every stage's outgoing state", () => {
  const trajectories = [
    { pass: 1, cost: 123.25, states: [Float64Array.from([1, 2]), Float64Array.from([3, 4])] },
    { pass: 2, cost: 0, states: [Float64Array.from([5, 6]), Float64Array.from([7, 8])] },
  ];
  const back = unpackTrajectories(packTrajectories(trajectories, 2, 2), 2, 2);
  assert.deepEqual(
    back.map((t) => [t.pass, t.cost, ...t.states.map((s) => Array.from(s))]),
    trajectories.map((t) => [t.pass, t.cost, ...t.states.map((s) => Array.from(s))]),
  );
});
