/**
 * One place for "Cobre defines this, cobre-mcp does not run it yet". Every such feature found in a
 * case becomes an IncompatibleSettings error naming it, so nothing is silently ignored.
 *
 * @module
 */
import type { JsonValue } from "../common/mod.ts";
import type { Issues } from "./issues.ts";

/** Records that `feature`, set by `settings` in `file`, is not supported by this engine. */
export function unsupported(
  issues: Issues,
  file: string,
  feature: string,
  settings: string[],
  extra: Record<string, JsonValue> = {},
  suggestion?: string,
): void {
  issues.error(
    "IncompatibleSettings",
    `${file}: ${feature} is not supported by cobre-mcp yet (set by ${
      settings.map((s) => `"${s}"`).join(", ")
    })`,
    {
      file,
      settings,
      detail: `unsupported feature: ${feature}`,
      ...extra,
    },
    suggestion ??
      `Remove or disable ${
        settings.join(", ")
      } to run this case with cobre-mcp, or run it with the cobre CLI.`,
  );
}

/**
 * Cobre input files this server recognises but cannot use yet, with the feature each one
 * enables. Their presence is reported by validation instead of being ignored.
 */
export const UNSUPPORTED_FILES: Record<string, string> = {
  "system/non_controllable_sources.json": "non-controllable sources (wind, solar)",
  "system/pumping_stations.json": "pumping stations",
  "system/energy_contracts.json": "bilateral energy contracts",
  "system/hydro_geometry.parquet": "reservoir geometry (volume-height-area curves)",
  "system/fpha_hyperplanes.parquet": "FPHA hydro production hyperplanes",
  "scenarios/inflow_history.parquet": "PAR model estimation from inflow history",
  "scenarios/external_inflow_scenarios.parquet": "external inflow scenarios",
  "scenarios/external_load_scenarios.parquet": "external load scenarios",
  "scenarios/external_ncs_scenarios.parquet": "external non-controllable source scenarios",
  "scenarios/non_controllable_factors.json": "non-controllable source block factors",
  "scenarios/non_controllable_stats.parquet": "stochastic non-controllable source availability",
  "scenarios/correlation.json": "cross-series inflow correlation",
  "scenarios/noise_openings.parquet": "user-supplied backward-pass opening trees",
  "constraints/pumping_bounds.parquet": "stage-varying pumping bounds",
  "constraints/contract_bounds.parquet": "stage-varying contract bounds",
  "constraints/ncs_bounds.parquet": "stage-varying non-controllable source bounds",
  "constraints/exchange_factors.json": "per-block line exchange factors",
  "constraints/generic_constraints.json": "user-defined generic LP constraints",
  "constraints/generic_constraint_bounds.parquet": "generic constraint bounds",
  "constraints/penalty_overrides_ncs.parquet": "non-controllable source curtailment overrides",
};
