import assert from "node:assert/strict";
import type { ExecutorRequest } from "../../src/engine/executor.ts";
import {
  decodeRequest,
  encodeRequest,
  packOpenings,
  packTrajectories,
  unpackOpenings,
  unpackTrajectories,
} from "../../src/engine/wire.ts";

const cut = (intercept: number, coefficients: number[]) => ({
  id: 7,
  iteration: 3,
  forwardPass: 1,
  intercept,
  coefficients: Float64Array.from(coefficients),
});

/** A request as plain data (typed arrays as arrays) for deep comparison. */
function plain(request: ExecutorRequest): unknown {
  return JSON.parse(JSON.stringify(request, (key, value) => {
    if (value instanceof Float64Array) return Array.from(value);
    // Executors never read cut ids, iterations or passes: they stay with the coordinator.
    if (key === "id" || (key === "forwardPass" && typeof value === "number")) return undefined;
    return value;
  }));
}

Deno.test("encodeRequest() and decodeRequest() carry every request kind with its cuts and work", () => {
  const requests: ExecutorRequest[] = [
    {
      kind: "backward",
      iteration: 12,
      phase: "lower_bound",
      cuts: [
        { stage: 2, first: 5, cuts: [cut(10, [1, -2]), cut(-0.5, [0, 3.25])] },
        { stage: 0, first: 0, cuts: [] },
      ],
      work: [
        {
          lane: 3,
          items: [
            { stage: 1, pass: 0, first: 2, end: 5, state: Float64Array.from([1.5, -2]) },
            { stage: 1, pass: 1, first: 0, end: 1, state: Float64Array.from([0, 7]) },
          ],
        },
      ],
    },
    {
      kind: "forward",
      cuts: [],
      work: [{ lane: 0, items: [{ iteration: 4, pass: 0 }, { iteration: 4, pass: 4 }] }],
    },
    { kind: "simulate", cuts: [], work: [{ lane: 1, items: [1, 5, 9] }, { lane: 2, items: [] }] },
    { kind: "stats" },
  ];
  for (const request of requests) {
    const back = decodeRequest(encodeRequest(request), 2);
    const expected = plain(request) as Record<string, unknown>;
    if (request.kind !== "stats") {
      // Decoded cuts carry -1 for the coordinator-only fields.
      for (const delta of (expected.cuts as { cuts: Record<string, unknown>[] }[])) {
        for (const c of delta.cuts) c.iteration = -1;
      }
    }
    assert.deepEqual(plain(back), expected, request.kind);
  }
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
