/**
 * Manifests and metadata JSON files of a Cobre output directory, written and read.
 *
 * Two layouts exist in the wild and both are read:
 * - the documented one (`output-format.md`): `training/_manifest.json` + `training/metadata.json`
 *   (`run_info`, `configuration_snapshot`, ...) and `simulation/_manifest.json`;
 * - the one the `cobre` CLI writes since v0.3 (`crates/cobre-io/src/output/manifest.rs`): a
 *   single merged `training/metadata.json` (`status`, `iterations`, `convergence`, `row_pool`)
 *   and `simulation/metadata.json`, plus `_SUCCESS` markers.
 *
 * We write both: the documented manifests, and metadata files that carry every field of the
 * CLI's merged schema plus the documented sections, so `cobre report`, the Python bindings and
 * docs-based tools all read our outputs.
 *
 * @module
 */
import { posix } from "node:path";
import type { JsonValue, ReadAccess } from "../common/mod.ts";
import { asOutputError, outputCorrupted } from "./errors.ts";

/** Version string of the manifest and metadata schemas we write. */
export const MANIFEST_VERSION = "2.0.0";

/** Who produced the output and when (the `run_info` / environment part of the metadata). */
export interface RunInfo {
  /** Written as `cobre_version`: the producing program and its version. */
  producer: string;
  hostname: string;
  solver: string;
  solver_version: string | null;
  started_at: string;
  completed_at: string;
  seed: number | null;
  forward_passes: number | null;
  stopping_mode: string;
  policy_mode: string;
  /** Threads that solved LPs (`distribution.threads_per_rank`). */
  threads: number;
  problem_dimensions: {
    num_stages: number;
    num_hydros: number;
    num_thermals: number;
    num_buses: number;
    num_lines: number;
  };
}

/** Outcome of training as the manifests record it. */
export interface TrainingSummary {
  /** `complete`, `converged`, `failed` or `running` (documented manifest statuses). */
  status: "complete" | "converged" | "failed" | "running";
  iterations_completed: number;
  max_iterations: number | null;
  converged: boolean;
  converged_at: number | null;
  final_gap_percent: number | null;
  termination_reason: string;
  cuts_total_generated: number;
  cuts_total_active: number;
  cuts_peak_active: number;
  duration_ms: number;
}

/** Outcome of simulation as the manifests record it. */
export interface SimulationSummary {
  status: "complete" | "partial" | "failed" | "running";
  scenarios_total: number;
  scenarios_completed: number;
  scenarios_failed: number;
  partitions_written: string[];
  duration_ms: number;
}

/** Fields of `policy/metadata.json` (the CLI's `PolicyCheckpointMetadata` plus `version`). */
export interface PolicyMetadata {
  version: string;
  cobre_version: string;
  created_at: string;
  completed_iterations: number;
  final_lower_bound: number;
  best_upper_bound: number | null;
  state_dimension: number;
  num_stages: number;
  max_iterations: number;
  forward_passes: number;
  warm_start_cuts: number;
  warm_start_counts: number[];
  rng_seed: number;
  total_visited_states: number;
}

/** One process on one machine, with the run's solving threads. */
function localDistribution(run: RunInfo) {
  return {
    backend: "local",
    world_size: 1,
    ranks_participated: 1,
    num_nodes: 1,
    threads_per_rank: run.threads,
    mpi_library: null,
    mpi_standard: null,
    thread_level: null,
    slurm_job_id: null,
  };
}

/** The fields both CLI metadata files open with; `finished` is "complete", else "partial". */
function metadataHead(run: RunInfo, durationSeconds: number, finished: boolean) {
  return {
    version: MANIFEST_VERSION,
    cobre_version: run.producer,
    hostname: run.hostname,
    solver: run.solver,
    solver_version: run.solver_version,
    started_at: run.started_at,
    completed_at: run.completed_at,
    duration_seconds: durationSeconds,
    status: finished ? "complete" : "partial",
  };
}

function convergenceSection(training: TrainingSummary) {
  return {
    achieved: training.converged,
    final_gap_percent: training.final_gap_percent,
    termination_reason: training.termination_reason,
  };
}

function scenarioCounts(simulation: SimulationSummary) {
  return {
    total: simulation.scenarios_total,
    completed: simulation.scenarios_completed,
    failed: simulation.scenarios_failed,
  };
}

/** `training/_manifest.json` as `output-format.md` documents it. */
export function trainingManifest(run: RunInfo, training: TrainingSummary): JsonValue {
  return {
    version: MANIFEST_VERSION,
    status: training.status,
    started_at: run.started_at,
    completed_at: training.status === "running" ? null : run.completed_at,
    iterations: {
      max_iterations: training.max_iterations,
      completed: training.iterations_completed,
      converged_at: training.converged_at,
    },
    convergence: convergenceSection(training),
    cuts: {
      total_generated: training.cuts_total_generated,
      total_active: training.cuts_total_active,
      peak_active: training.cuts_peak_active,
    },
    checksum: null,
    distribution: localDistribution(run),
  };
}

/** `training/metadata.json`: the CLI's merged schema plus the documented sections. */
export function trainingMetadata(run: RunInfo, training: TrainingSummary): JsonValue {
  const configuration = {
    seed: run.seed,
    max_iterations: training.max_iterations,
    forward_passes: run.forward_passes,
    stopping_mode: run.stopping_mode,
    policy_mode: run.policy_mode,
  };
  const durationSeconds = training.duration_ms / 1000;
  // The CLI's merged schema only knows "complete" and "partial".
  const finished = training.status !== "failed" && training.status !== "running";
  return {
    ...metadataHead(run, durationSeconds, finished),
    configuration,
    problem_dimensions: run.problem_dimensions,
    iterations: {
      completed: training.iterations_completed,
      converged_at: training.converged_at,
    },
    convergence: convergenceSection(training),
    row_pool: {
      total_generated: training.cuts_total_generated,
      total_active: training.cuts_total_active,
      peak_active: training.cuts_peak_active,
    },
    distribution: localDistribution(run),
    run_info: {
      run_id: `${run.started_at}/${run.seed ?? "unseeded"}`,
      started_at: run.started_at,
      completed_at: run.completed_at,
      duration_seconds: durationSeconds,
      cobre_version: run.producer,
      solver: run.solver,
      solver_version: run.solver_version,
      hostname: run.hostname,
      user: null,
    },
    configuration_snapshot: {
      seed: run.seed,
      forward_passes: run.forward_passes,
      stopping_mode: run.stopping_mode,
      policy_mode: run.policy_mode,
    },
    performance_summary: null,
    data_integrity: null,
    environment: { distribution: localDistribution(run) },
  };
}

/** `simulation/_manifest.json` as the output-infrastructure spec documents it. */
export function simulationManifest(run: RunInfo, simulation: SimulationSummary): JsonValue {
  return {
    version: MANIFEST_VERSION,
    status: simulation.status,
    started_at: run.started_at,
    completed_at: simulation.status === "running" ? null : run.completed_at,
    scenarios: scenarioCounts(simulation),
    partitions_written: simulation.partitions_written,
    checksum: null,
    mpi_info: { world_size: 1, ranks_participated: 1 },
  };
}

/** `simulation/metadata.json` in the CLI's schema. */
export function simulationMetadata(run: RunInfo, simulation: SimulationSummary): JsonValue {
  return {
    ...metadataHead(run, simulation.duration_ms / 1000, simulation.status === "complete"),
    scenarios: scenarioCounts(simulation),
    distribution: localDistribution(run),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading

type JsonObject = { [key: string]: JsonValue };

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads a JSON file; null when absent, `OutputCorrupted` when it does not parse. */
export async function readJsonFile(
  access: ReadAccess,
  path: string,
  displayName: string,
): Promise<JsonValue | null> {
  const info = await access.stat(path);
  if (info === null || !info.isFile) return null;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(await access.readFile(path));
  } catch (error) {
    throw asOutputError(error, displayName);
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw outputCorrupted(displayName, `invalid JSON (${(error as Error).message})`);
  }
}

/** A value at a dotted path of a JSON object, or undefined. */
function at(value: JsonValue | null, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = value ?? undefined;
  for (const key of path.split(".")) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function numberAt(value: JsonValue | null, ...paths: string[]): number | null {
  for (const path of paths) {
    const found = at(value, path);
    if (typeof found === "number" && Number.isFinite(found)) return found;
  }
  return null;
}

function stringAt(value: JsonValue | null, ...paths: string[]): string | null {
  for (const path of paths) {
    const found = at(value, path);
    if (typeof found === "string") return found;
  }
  return null;
}

/** What the training manifests say, whichever layout wrote them. */
export interface TrainingStatus {
  /** Manifest status (`complete`, `converged`, `running`, ...), null when no manifest exists. */
  status: string | null;
  termination_reason: string | null;
  iterations_completed: number | null;
  converged_at: number | null;
  max_iterations: number | null;
  final_gap_percent: number | null;
  /** True when `training/_SUCCESS` exists. */
  success_marker: boolean;
}

/** Reads `training/_manifest.json` (documented) or the merged `training/metadata.json` (CLI). */
export async function readTrainingStatus(
  outputDir: string,
  access: ReadAccess,
): Promise<TrainingStatus> {
  const manifest = await readJsonFile(
    access,
    posix.join(outputDir, "training/_manifest.json"),
    posix.join(outputDir, "training/_manifest.json"),
  );
  const metadata = await readJsonFile(
    access,
    posix.join(outputDir, "training/metadata.json"),
    posix.join(outputDir, "training/metadata.json"),
  );
  const sources = [manifest, metadata];
  const first = <T>(pick: (source: JsonValue | null) => T | null): T | null => {
    for (const source of sources) {
      const value = pick(source);
      if (value !== null) return value;
    }
    return null;
  };
  return {
    status: first((s) => stringAt(s, "status")),
    termination_reason: first((s) => stringAt(s, "convergence.termination_reason")),
    iterations_completed: first((s) => numberAt(s, "iterations.completed")),
    converged_at: first((s) => numberAt(s, "iterations.converged_at")),
    max_iterations: first((s) =>
      numberAt(s, "iterations.max_iterations", "configuration.max_iterations")
    ),
    final_gap_percent: first((s) => numberAt(s, "convergence.final_gap_percent")),
    success_marker: (await access.stat(posix.join(outputDir, "training/_SUCCESS"))) !== null,
  };
}

/** What the simulation manifests say, whichever layout wrote them. */
export interface SimulationStatus {
  status: string | null;
  scenarios_total: number | null;
  scenarios_completed: number | null;
  scenarios_failed: number | null;
  success_marker: boolean;
}

/** Reads `simulation/_manifest.json` (documented) or `simulation/metadata.json` (CLI). */
export async function readSimulationStatus(
  outputDir: string,
  access: ReadAccess,
): Promise<SimulationStatus> {
  const sources: (JsonValue | null)[] = [];
  for (const name of ["simulation/_manifest.json", "simulation/metadata.json"]) {
    const path = posix.join(outputDir, name);
    sources.push(await readJsonFile(access, path, path));
  }
  const first = (pick: (source: JsonValue | null) => number | string | null) => {
    for (const source of sources) {
      const value = pick(source);
      if (value !== null) return value;
    }
    return null;
  };
  const num = (path: string) => first((s) => numberAt(s, path)) as number | null;
  return {
    status: first((s) => stringAt(s, "status")) as string | null,
    scenarios_total: num("scenarios.total"),
    scenarios_completed: num("scenarios.completed"),
    scenarios_failed: num("scenarios.failed"),
    success_marker: (await access.stat(posix.join(outputDir, "simulation/_SUCCESS"))) !== null,
  };
}

/** The fields of `policy/metadata.json` that the policy tools use; null when absent. */
export interface PolicyMetadataSummary {
  completed_iterations: number | null;
  final_lower_bound: number | null;
  best_upper_bound: number | null;
  state_dimension: number | null;
  num_stages: number | null;
}

/** Reads `policy/metadata.json`; null when the file does not exist. */
export async function readPolicyMetadata(
  policyDir: string,
  access: ReadAccess,
  displayDir: string = policyDir,
): Promise<PolicyMetadataSummary | null> {
  const json = await readJsonFile(
    access,
    posix.join(policyDir, "metadata.json"),
    posix.join(displayDir, "metadata.json"),
  );
  if (json === null) return null;
  if (!isObject(json)) {
    throw outputCorrupted(posix.join(displayDir, "metadata.json"), "not a JSON object");
  }
  return {
    completed_iterations: numberAt(json, "completed_iterations"),
    final_lower_bound: numberAt(json, "final_lower_bound"),
    best_upper_bound: numberAt(json, "best_upper_bound"),
    state_dimension: numberAt(json, "state_dimension"),
    num_stages: numberAt(json, "num_stages"),
  };
}
