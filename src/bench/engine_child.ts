/**
 * One engine measurement in a fresh process (so each variant starts cold and its peak memory is
 * its own): loads a case, optionally caps training iterations and sets the simulated scenario
 * count, trains and simulates in this thread (plus solver Workers), optionally writes the
 * outputs, and prints one JSON line with the figures.
 *
 *   deno run -A --unstable-worker-options src/bench/engine_child.ts '<EngineChildRequest JSON>'
 *
 * @module
 */
import { loadCase } from "../case/mod.ts";
import { directFileAccess } from "../common/mod.ts";
import { type LpMode, trainAndSimulate } from "../engine/mod.ts";
import { writeRunOutput } from "../output/mod.ts";

/** What to measure. */
export interface EngineChildRequest {
  caseDir: string;
  lpMode: LpMode;
  workers: number;
  /** Caps training at this many iterations (null: the case's stopping rules). */
  iterations: number | null;
  /** Simulated scenarios (null: the case's config); 0 skips simulation. */
  scenarios: number | null;
  /** Writes the Cobre output directory here when given. */
  outputDir: string | null;
}

/** What the child prints. */
export interface EngineChildReport {
  wallMs: number;
  iterations: number;
  lowerBound: number | null;
  trainingLpSolves: number;
  simulationLpSolves: number;
  trainingWallMs: number;
  simulationWallMs: number;
  trainingSolveMs: number;
  trainingSolverShare: number;
  workers: number;
  /** Per iteration: wall time and LP solves (to compare the first K iterations of a longer run). */
  perIteration: { ms: number; lpSolves: number }[];
  /** The process's peak resident set (VmHWM), null where /proc is unavailable. */
  peakRssBytes: number | null;
}

/** Peak resident memory of this process, from /proc (Linux). */
export function peakRssBytes(): number | null {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function measure(request: EngineChildRequest): Promise<EngineChildReport> {
  const model = await loadCase(request.caseDir, directFileAccess);
  if (request.iterations !== null) {
    model.config.training.stopping_rules = [{ type: "iteration_limit", limit: request.iterations }];
    model.config.training.stopping_mode = "any";
  }
  const simulate = request.scenarios === null
    ? model.config.simulation.enabled
    : request.scenarios > 0;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const result = await trainAndSimulate(model, {
    lpMode: request.lpMode,
    workers: request.workers,
    phases: { training: true, simulation: simulate },
    ...(request.scenarios !== null && request.scenarios > 0
      ? { simulationScenarios: request.scenarios }
      : {}),
  });
  const wallMs = performance.now() - started;
  if (request.outputDir !== null) {
    await writeRunOutput(request.outputDir, directFileAccess, result, {
      started_at: startedAt,
      completed_at: new Date().toISOString(),
      producer: "cobre-mcp bench",
    });
  }
  const solver = result.solver;
  return {
    wallMs,
    iterations: result.training.iterations_completed,
    lowerBound: result.training.final_lower_bound,
    trainingLpSolves: solver.training_lp_solves,
    simulationLpSolves: solver.simulation_lp_solves,
    trainingWallMs: solver.training_wall_ms,
    simulationWallMs: solver.simulation_wall_ms,
    trainingSolveMs: solver.training_solve_ms,
    trainingSolverShare: solver.training_solver_share,
    workers: solver.workers,
    perIteration: result.training.convergence.map((c) => ({
      ms: c.time_total_ms,
      lpSolves: c.lp_solves,
    })),
    peakRssBytes: peakRssBytes(),
  };
}

if (import.meta.main) {
  const request = JSON.parse(Deno.args[0] ?? "{}") as EngineChildRequest;
  console.log(JSON.stringify(await measure(request)));
}
