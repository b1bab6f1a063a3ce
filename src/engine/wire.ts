/**
 * Compact forms of the messages between the coordinator and solver Workers.
 *
 * Cuts and backward results cross every stage barrier of every iteration. Packed into one
 * `Float64Array` each and transferred, they cost one copy instead of a structured clone of one
 * object (and one typed array) per cut or per opening.
 *
 * @module
 */
import type { OpeningSolve } from "./backward.ts";
import type { Cut } from "./cuts.ts";
import type { CutDelta, ExecutorRequest } from "./executor.ts";
import type { ForwardTrajectory } from "./forward.ts";

/** New cuts of one stage: `[intercept, coefficients...]` per cut. */
export interface PackedCuts {
  stage: number;
  first: number;
  data: Float64Array;
}

/** An executor request with its cut deltas packed. */
export type WireRequest =
  | (Omit<Exclude<ExecutorRequest, { kind: "stats" }>, "cuts"> & { cuts: PackedCuts[] })
  | { kind: "stats" };

/** Packs cut deltas (`stateDim` coefficients per cut). */
export function packCuts(deltas: readonly CutDelta[], stateDim: number): PackedCuts[] {
  const stride = 1 + stateDim;
  return deltas.map(({ stage, first, cuts }) => {
    const data = new Float64Array(cuts.length * stride);
    cuts.forEach((cut, k) => {
      data[k * stride] = cut.intercept;
      data.set(cut.coefficients, k * stride + 1);
    });
    return { stage, first, data };
  });
}

/**
 * Unpacks cut deltas. Executors only read intercepts and coefficients (ids, iterations and passes
 * stay with the coordinator's pool); coefficients are views into the received buffer.
 */
export function unpackCuts(packed: readonly PackedCuts[], stateDim: number): CutDelta[] {
  const stride = 1 + stateDim;
  return packed.map(({ stage, first, data }) => {
    const cuts: Cut[] = [];
    for (let at = 0; at < data.length; at += stride) {
      cuts.push({
        id: -1,
        iteration: -1,
        forwardPass: -1,
        intercept: data[at]!,
        coefficients: data.subarray(at + 1, at + stride),
      });
    }
    return { stage, first, cuts };
  });
}

/** Packs a request for a solver Worker; the buffers to transfer are returned alongside. */
export function packRequest(
  request: ExecutorRequest,
  stateDim: number,
): { wire: WireRequest; transfer: ArrayBuffer[] } {
  if (request.kind === "stats") return { wire: request, transfer: [] };
  const cuts = packCuts(request.cuts, stateDim);
  return {
    wire: { ...request, cuts } as WireRequest,
    transfer: cuts.map((c) => c.data.buffer as ArrayBuffer),
  };
}

/** Restores an executor request from its wire form. */
export function unpackRequest(wire: WireRequest, stateDim: number): ExecutorRequest {
  if (wire.kind === "stats") return wire;
  return { ...wire, cuts: unpackCuts(wire.cuts, stateDim) } as ExecutorRequest;
}

/** Packs opening solves as `[pass, opening, objective, duals...]` each. */
export function packOpenings(solves: readonly OpeningSolve[], stateDim: number): Float64Array {
  const stride = 3 + stateDim;
  const data = new Float64Array(solves.length * stride);
  solves.forEach((solve, k) => {
    const at = k * stride;
    data[at] = solve.pass;
    data[at + 1] = solve.opening;
    data[at + 2] = solve.objective;
    data.set(solve.duals, at + 3);
  });
  return data;
}

/** Unpacks opening solves; duals are views into `data`. */
export function unpackOpenings(data: Float64Array, stateDim: number): OpeningSolve[] {
  const stride = 3 + stateDim;
  const solves: OpeningSolve[] = [];
  for (let at = 0; at < data.length; at += stride) {
    solves.push({
      pass: data[at]!,
      opening: data[at + 1]!,
      objective: data[at + 2]!,
      duals: data.subarray(at + 3, at + stride),
    });
  }
  return solves;
}

/** Packs forward trajectories as `[pass, cost, states...]` each (`stages` states per pass). */
export function packTrajectories(
  trajectories: readonly ForwardTrajectory[],
  stages: number,
  stateDim: number,
): Float64Array {
  const stride = 2 + stages * stateDim;
  const data = new Float64Array(trajectories.length * stride);
  trajectories.forEach((trajectory, k) => {
    const at = k * stride;
    data[at] = trajectory.pass;
    data[at + 1] = trajectory.cost;
    trajectory.states.forEach((state, t) => data.set(state, at + 2 + t * stateDim));
  });
  return data;
}

/** Unpacks forward trajectories; states are views into `data`. */
export function unpackTrajectories(
  data: Float64Array,
  stages: number,
  stateDim: number,
): ForwardTrajectory[] {
  const stride = 2 + stages * stateDim;
  const trajectories: ForwardTrajectory[] = [];
  for (let at = 0; at < data.length; at += stride) {
    trajectories.push({
      pass: data[at]!,
      cost: data[at + 1]!,
      states: Array.from(
        { length: stages },
        (_, t) => data.subarray(at + 2 + t * stateDim, at + 2 + (t + 1) * stateDim),
      ),
    });
  }
  return trajectories;
}

/** Sizes the packed forms depend on. */
export interface WireDims {
  stages: number;
  stateDim: number;
}

/** Packs an executor result of request kind `kind`; returns the buffers to transfer too. */
export function packResult(
  kind: ExecutorRequest["kind"],
  result: unknown,
  dims: WireDims,
): { data: unknown; transfer: ArrayBuffer[] } {
  let data: unknown = result;
  if (kind === "forward") {
    data = packTrajectories(result as ForwardTrajectory[], dims.stages, dims.stateDim);
  } else if (kind === "backward") data = packOpenings(result as OpeningSolve[], dims.stateDim);
  return {
    data,
    transfer: data instanceof Float64Array ? [data.buffer as ArrayBuffer] : [],
  };
}

/** Restores an executor result of request kind `kind`. */
export function unpackResult(
  kind: ExecutorRequest["kind"],
  data: unknown,
  dims: WireDims,
): unknown {
  if (kind === "forward") {
    return unpackTrajectories(data as Float64Array, dims.stages, dims.stateDim);
  }
  if (kind === "backward") return unpackOpenings(data as Float64Array, dims.stateDim);
  return data;
}
