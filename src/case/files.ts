/**
 * The Cobre case directory layout: which files exist, which are required, which this server
 * reads, and discovery of the ones present in a case directory.
 *
 * @module
 */
import type { CaseFiles } from "./read.ts";
import { casePath } from "./read.ts";
import { isCobreError } from "../common/mod.ts";
import { UNSUPPORTED_FILES } from "./unsupported.ts";

/** Files every case must have. */
export const REQUIRED_FILES = [
  "config.json",
  "penalties.json",
  "stages.json",
  "initial_conditions.json",
  "system/buses.json",
  "system/lines.json",
  "system/hydros.json",
  "system/thermals.json",
] as const;

/** Optional files this server reads and applies. */
export const SUPPORTED_OPTIONAL_FILES = [
  "system/hydro_production_models.json",
  "scenarios/inflow_seasonal_stats.parquet",
  "scenarios/inflow_ar_coefficients.parquet",
  "scenarios/load_seasonal_stats.parquet",
  "scenarios/load_factors.json",
  "constraints/hydro_bounds.parquet",
  "constraints/thermal_bounds.parquet",
  "constraints/line_bounds.parquet",
  "constraints/penalty_overrides_bus.parquet",
  "constraints/penalty_overrides_line.parquet",
  "constraints/penalty_overrides_hydro.parquet",
] as const;

/** Every input file of the Cobre case format. */
export const KNOWN_FILES: readonly string[] = [
  ...REQUIRED_FILES,
  ...SUPPORTED_OPTIONAL_FILES,
  ...Object.keys(UNSUPPORTED_FILES),
].sort();

const SUBDIRECTORIES = ["system", "scenarios", "constraints"] as const;

/** Recognised Cobre input files present in the case directory, sorted. */
export async function discoverFiles(files: CaseFiles): Promise<string[]> {
  const present = new Set<string>();
  const list = async (rel: string): Promise<string[]> => {
    try {
      return await files.access.readDir(rel === "" ? files.caseDir : casePath(files, rel));
    } catch (error) {
      // A directory we may not list is treated as empty; reading its files reports the refusal.
      if (isCobreError(error) || error instanceof Error) return [];
      throw error;
    }
  };
  for (const name of await list("")) present.add(name);
  for (const dir of SUBDIRECTORIES) {
    if (!present.has(dir)) continue;
    let info = null;
    try {
      info = await files.access.stat(casePath(files, dir));
    } catch {
      continue;
    }
    if (!info?.isDirectory) continue;
    for (const name of await list(dir)) present.add(`${dir}/${name}`);
  }
  return KNOWN_FILES.filter((f) => present.has(f));
}
