/**
 * `cobre/query-convergence` (MCP spec SS2.4): the per-iteration records of convergence-monitoring
 * SS2.4, derived from Cobre's `training/convergence.parquet` columns:
 *
 * | field               | derivation                                                        |
 * | ------------------- | ----------------------------------------------------------------- |
 * | `upper_bound`       | `upper_bound_mean`                                                |
 * | `ci_95`             | `1.96 · upper_bound_std / √forward_passes` (cobre-sddp forward.rs) |
 * | `gap`               | `gap_percent / 100`; null when Cobre wrote null (lower bound ≤ 0)  |
 * | `iteration_time_ms` | `time_total_ms`                                                   |
 * | `wall_time_ms`      | running sum of `time_total_ms` over all iterations up to this one  |
 *
 * Cobre's gap is `(UB − LB) / max(1, |UB|)` (cobre-sddp convergence.rs), stored ×100 as
 * `gap_percent`, so `gap` is that fraction. The running sum starts at iteration 1 even when
 * `iteration_range` starts later, so `wall_time_ms` is the cumulative time of the run.
 * `termination_reason` and `total_iterations` come from the training manifest (either layout),
 * falling back to `"unknown"` and the row count.
 *
 * @module
 */
import { posix } from "node:path";
import type { ReadAccess } from "../common/mod.ts";
import { outputCorrupted, outputNotFound } from "./errors.ts";
import { readTrainingStatus } from "./manifests.ts";
import { openParquet, readParquetRows } from "./parquet_read.ts";
import { parseRange } from "./query_results.ts";
import { CONVERGENCE_TABLE } from "./schemas.ts";

/** One iteration as SS2.4 defines it. */
export interface ConvergenceIteration {
  iteration: number;
  lower_bound: number;
  upper_bound: number;
  upper_bound_std: number;
  /** Null when `forward_passes` is 0 (no sample to estimate from). */
  ci_95: number | null;
  /** Null when Cobre recorded no gap (non-positive lower bound). */
  gap: number | null;
  wall_time_ms: number;
  iteration_time_ms: number;
}

/** Result of `queryConvergence`. */
export interface ConvergenceHistory {
  iterations: ConvergenceIteration[];
  total_iterations: number;
  termination_reason: string;
  /** Training manifest status (`complete`, `converged`, ...), `unknown` without a manifest. */
  status: string;
}

/** Arguments of `queryConvergence`. */
export interface QueryConvergenceRequest {
  outputDir: string;
  iteration_range?: readonly number[];
}

const NEEDED = [
  "iteration",
  "lower_bound",
  "upper_bound_mean",
  "upper_bound_std",
  "gap_percent",
  "time_total_ms",
  "forward_passes",
] as const;

/** z-value of a two-sided 95% confidence interval, as Cobre uses. */
const Z_95 = 1.96;

function finiteOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Reads the convergence history of a training run, optionally limited to an iteration range. */
export async function queryConvergence(
  request: QueryConvergenceRequest,
  access: ReadAccess,
): Promise<ConvergenceHistory> {
  const range = parseRange("iteration_range", request.iteration_range);
  const outputDir = request.outputDir;
  const info = await access.stat(outputDir);
  if (info === null || !info.isDirectory) {
    throw outputNotFound(outputDir, "Cobre output directory with training/convergence.parquet");
  }
  const displayName = posix.join(outputDir, CONVERGENCE_TABLE.path);
  if ((await access.stat(posix.join(outputDir, CONVERGENCE_TABLE.path))) === null) {
    throw outputNotFound(
      displayName,
      "training/convergence.parquet (per-iteration convergence log)",
      "The output has no training results; run the study with training enabled.",
    );
  }
  const source = await openParquet(
    access,
    posix.join(outputDir, CONVERGENCE_TABLE.path),
    displayName,
  );
  let cells: unknown[][];
  try {
    for (const column of NEEDED) {
      if (!source.columns.some((c) => c.name === column)) {
        throw outputCorrupted(displayName, `missing column "${column}"`);
      }
    }
    cells = await readParquetRows(source, NEEDED, 0, source.numRows);
  } finally {
    source.close();
  }

  const records = cells
    .map((row) => NEEDED.map((_, i) => row[i]))
    .sort((a, b) => Number(a[0]) - Number(b[0]));
  const iterations: ConvergenceIteration[] = [];
  let wallTimeMs = 0;
  for (const [iteration, lb, ubMean, ubStd, gapPercent, totalMs, passes] of records) {
    const iterationTimeMs = Number(totalMs);
    wallTimeMs += iterationTimeMs;
    const iterationNumber = Number(iteration);
    if (range && (iterationNumber < range[0] || iterationNumber > range[1])) continue;
    const std = Number(ubStd);
    const forwardPasses = Number(passes);
    const gap = finiteOrNull(gapPercent);
    iterations.push({
      iteration: iterationNumber,
      lower_bound: Number(lb),
      upper_bound: Number(ubMean),
      upper_bound_std: std,
      ci_95: forwardPasses > 0 ? Z_95 * std / Math.sqrt(forwardPasses) : null,
      gap: gap === null ? null : gap / 100,
      wall_time_ms: wallTimeMs,
      iteration_time_ms: iterationTimeMs,
    });
  }

  const status = await readTrainingStatus(outputDir, access);
  return {
    iterations,
    total_iterations: status.iterations_completed ?? records.length,
    termination_reason: status.termination_reason ?? "unknown",
    status: status.status ?? (status.success_marker ? "complete" : "unknown"),
  };
}
