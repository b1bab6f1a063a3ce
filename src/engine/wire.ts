/**
 * Compact forms of the messages between the coordinator and solver Workers (carried by
 * `shared_channel.ts`).
 *
 * Requests, cuts and backward results cross every stage barrier of every iteration, so they are
 * packed into one `Float64Array` each: one copy instead of a structured clone of one object (and
 * one typed array) per cut, task or opening. Simulation rows and counters are rare and go as JSON.
 *
 * @module
 */
import type { OpeningSolve } from "./backward.ts";
import type { CutDelta, ExecutorRequest, LaneWork } from "./executor.ts";
import type { ForwardTask, ForwardTrajectory } from "./forward.ts";
import type { BackwardTask } from "./backward.ts";
import type { EngineSetup } from "./setup.ts";
import type { Payload } from "./shared_channel.ts";
import type { SolveSite } from "./stage_runner.ts";

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

/** The sizes of a run's setup, derived alike on both ends of the channel. */
export function wireDims(setup: EngineSetup): WireDims {
  return { stages: setup.stages.length, stateDim: setup.stateDim };
}

const KINDS = ["forward", "backward", "simulate", "stats"] as const;
const PHASES: readonly SolveSite["phase"][] = ["forward", "backward", "lower_bound", "simulation"];

/** Appends numbers to a growing `Float64Array`. */
class F64Writer {
  #data = new Float64Array(256);
  #length = 0;

  push(value: number): void {
    this.#reserve(1);
    this.#data[this.#length++] = value;
  }

  pushAll(values: Float64Array): void {
    this.#reserve(values.length);
    this.#data.set(values, this.#length);
    this.#length += values.length;
  }

  done(): Float64Array {
    return this.#data.subarray(0, this.#length);
  }

  #reserve(count: number): void {
    if (this.#length + count <= this.#data.length) return;
    const grown = new Float64Array(Math.max(this.#length + count, this.#data.length * 2));
    grown.set(this.#data.subarray(0, this.#length));
    this.#data = grown;
  }
}

/**
 * Packs a request: `[kind, phase, iteration, deltas, (stage, first, count, cuts...)...,
 * lanes, (lane, items, item...)...]`; a forward item is `(iteration, pass)`, a backward item
 * `(stage, pass, first, end, state...)`, a simulation item its scenario.
 */
export function encodeRequest(request: ExecutorRequest): Float64Array {
  const out = new F64Writer();
  out.push(KINDS.indexOf(request.kind));
  if (request.kind === "stats") return out.done();
  out.push(request.kind === "backward" ? PHASES.indexOf(request.phase) : -1);
  out.push(request.kind === "backward" ? request.iteration : -1);
  out.push(request.cuts.length);
  for (const delta of request.cuts) {
    out.push(delta.stage);
    out.push(delta.first);
    out.push(delta.cuts.length);
    for (const cut of delta.cuts) {
      out.push(cut.intercept);
      out.pushAll(cut.coefficients);
    }
  }
  const work = request.work as LaneWork<ForwardTask | BackwardTask | number>[];
  out.push(work.length);
  for (const { lane, items } of work) {
    out.push(lane);
    out.push(items.length);
    for (const item of items) {
      if (typeof item === "number") out.push(item);
      else if ("first" in item) {
        out.push(item.stage);
        out.push(item.pass);
        out.push(item.first);
        out.push(item.end);
        out.pushAll(item.state);
      } else {
        out.push(item.iteration);
        out.push(item.pass);
      }
    }
  }
  return out.done();
}

/** Restores a request packed by `encodeRequest` (cut and state arrays are views into `data`). */
export function decodeRequest(data: Float64Array, stateDim: number): ExecutorRequest {
  let at = 0;
  const next = () => data[at++]!;
  const kind = KINDS[next()];
  if (kind === undefined) throw new Error("Malformed solver request");
  if (kind === "stats") return { kind };
  const phase = PHASES[next()];
  const iteration = next();
  const cuts: CutDelta[] = [];
  for (let d = next(); d > 0; d--) {
    const stage = next();
    const first = next();
    const delta: CutDelta = { stage, first, cuts: [] };
    for (let c = next(); c > 0; c--) {
      const intercept = next();
      delta.cuts.push({
        id: -1,
        iteration: -1,
        forwardPass: -1,
        intercept,
        coefficients: data.subarray(at, at + stateDim),
      });
      at += stateDim;
    }
    cuts.push(delta);
  }
  const lanes = next();
  if (kind === "backward") {
    const work: LaneWork<BackwardTask>[] = [];
    for (let l = 0; l < lanes; l++) {
      const lane = next();
      const items: BackwardTask[] = [];
      for (let i = next(); i > 0; i--) {
        const stage = next();
        const pass = next();
        const first = next();
        const end = next();
        items.push({ stage, pass, first, end, state: data.subarray(at, at + stateDim) });
        at += stateDim;
      }
      work.push({ lane, items });
    }
    return { kind, cuts, work, iteration, phase: phase ?? "backward" };
  }
  if (kind === "forward") {
    const work: LaneWork<ForwardTask>[] = [];
    for (let l = 0; l < lanes; l++) {
      const lane = next();
      const items: ForwardTask[] = [];
      for (let i = next(); i > 0; i--) items.push({ iteration: next(), pass: next() });
      work.push({ lane, items });
    }
    return { kind, cuts, work };
  }
  const work: LaneWork<number>[] = [];
  for (let l = 0; l < lanes; l++) {
    const lane = next();
    const items: number[] = [];
    for (let i = next(); i > 0; i--) items.push(next());
    work.push({ lane, items });
  }
  return { kind, cuts, work };
}

/** Packs an executor result of request kind `kind` for the channel. */
export function encodeResult(
  kind: ExecutorRequest["kind"],
  result: unknown,
  dims: WireDims,
): Payload {
  if (kind === "forward") {
    return {
      kind: "f64",
      data: packTrajectories(result as ForwardTrajectory[], dims.stages, dims.stateDim),
    };
  }
  if (kind === "backward") {
    return { kind: "f64", data: packOpenings(result as OpeningSolve[], dims.stateDim) };
  }
  return { kind: "json", value: result };
}

/** Restores an executor result of request kind `kind`. */
export function decodeResult(
  kind: ExecutorRequest["kind"],
  payload: Payload,
  dims: WireDims,
): unknown {
  if (payload.kind === "json") return payload.value;
  if (kind === "forward") return unpackTrajectories(payload.data, dims.stages, dims.stateDim);
  return unpackOpenings(payload.data, dims.stateDim);
}
