/**
 * Validation layer 4: cross-file coverage. Inflow statistics for every hydro and study stage, AR
 * lags contiguous and backed by statistics, past inflows long enough for the AR order, load
 * statistics for every bus when the file exists, initial storage for every hydro that carries
 * storage, and stages sharing a season of comparable length.
 *
 * @module
 */
import type { Issues } from "./issues.ts";
import type { ParsedCase } from "./parse_case.ts";
import { parseIsoDate } from "./parse_stages.ts";

function ranges(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(", ");
}

function coverage(
  issues: Issues,
  file: string,
  entityId: number,
  noun: string,
  missingStages: number[],
  expected: string,
  suggestion: string,
): void {
  issues.error(
    "CoverageMismatch",
    `${file}: no row for ${noun} ${entityId} at stage(s) ${ranges(missingStages)}`,
    {
      file,
      entity_id: entityId,
      missing_dimension: "stage_id",
      expected_coverage: expected,
      missing_stage_ids: missingStages,
    },
    suggestion,
  );
}

/** Runs the dimensional checks on whatever layers 1–3 produced. */
export function checkCoverage(parsed: ParsedCase, issues: Issues): void {
  const stages = parsed.stages?.stages;
  if (!stages) return;
  const stageIds = stages.map((s) => s.id);
  const expected = `one row per study stage (${ranges(stageIds)})`;
  const hydros = parsed.hydros?.items ?? [];

  const inflowFile = "scenarios/inflow_seasonal_stats.parquet";
  const inflow = parsed.tables.get(inflowFile);
  const inflowKeys = new Set(
    Array.isArray(inflow) ? inflow.map((r) => `${r.entity_id}:${r.stage_id}`) : [],
  );
  if (inflow === "absent" && hydros.length > 0) {
    issues.error(
      "CoverageMismatch",
      `${inflowFile} is missing, but the case has ${hydros.length} hydro(s) whose inflows need statistics`,
      {
        file: inflowFile,
        entity_id: null,
        missing_dimension: "hydro_id",
        expected_coverage: "every hydro at every study stage",
      },
      "Add scenarios/inflow_seasonal_stats.parquet with hydro_id, stage_id, mean_m3s, std_m3s (std 0 for deterministic inflows).",
    );
  } else if (Array.isArray(inflow)) {
    for (const hydro of hydros) {
      const gaps = stageIds.filter((s) => !inflowKeys.has(`${hydro.id}:${s}`));
      if (gaps.length > 0) {
        coverage(
          issues,
          inflowFile,
          hydro.id,
          "hydro",
          gaps,
          expected,
          `Add mean_m3s and std_m3s rows for hydro ${hydro.id} at those stages.`,
        );
      }
    }
  }

  const loadFile = "scenarios/load_seasonal_stats.parquet";
  const load = parsed.tables.get(loadFile);
  if (Array.isArray(load)) {
    const keys = new Set(load.map((r) => `${r.entity_id}:${r.stage_id}`));
    for (const bus of parsed.buses?.items ?? []) {
      const gaps = stageIds.filter((s) => !keys.has(`${bus.id}:${s}`));
      if (gaps.length > 0) {
        coverage(
          issues,
          loadFile,
          bus.id,
          "bus",
          gaps,
          expected,
          `Add rows for bus ${bus.id} (mean_mw 0 and std_mw 0 for a bus without load).`,
        );
      }
    }
  }

  const arFile = "scenarios/inflow_ar_coefficients.parquet";
  const ar = parsed.tables.get(arFile);
  const orders = new Map<number, number>();
  if (Array.isArray(ar)) {
    const lagsByKey = new Map<string, { hydro: number; stage: number; lags: number[] }>();
    for (const row of ar) {
      const key = `${row.entity_id}:${row.stage_id}`;
      const entry = lagsByKey.get(key) ?? { hydro: row.entity_id, stage: row.stage_id, lags: [] };
      entry.lags.push(row.keys[2] ?? 0);
      lagsByKey.set(key, entry);
    }
    for (const [key, { hydro, stage, lags }] of lagsByKey) {
      const order = Math.max(...lags);
      orders.set(hydro, Math.max(orders.get(hydro) ?? 0, order));
      if (lags.length !== order) {
        const have = new Set(lags);
        const absent = Array.from({ length: order }, (_, i) => i + 1).filter((l) => !have.has(l));
        issues.error(
          "CoverageMismatch",
          `${arFile}: hydro ${hydro} stage ${stage} has AR order ${order} but no coefficient for lag(s) ${
            absent.join(", ")
          }`,
          {
            file: arFile,
            entity_id: hydro,
            missing_dimension: "lag",
            expected_coverage: `lags 1..${order}`,
            stage_id: stage,
          },
          "AR lags must be contiguous from 1; add a row with coefficient 0 for each skipped lag.",
        );
      }
      if (Array.isArray(inflow) && !inflowKeys.has(key)) {
        issues.error(
          "CoverageMismatch",
          `${arFile}: hydro ${hydro} stage ${stage} has AR coefficients but no row in ${inflowFile}`,
          {
            file: arFile,
            entity_id: hydro,
            missing_dimension: "seasonal statistics",
            expected_coverage: "stats for every (hydro, stage) with AR coefficients",
            stage_id: stage,
          },
          `Add mean_m3s/std_m3s for hydro ${hydro} stage ${stage}, or remove its AR rows.`,
        );
      }
    }
  }

  const ic = parsed.initial_conditions;
  if (ic) {
    const lagsUsed = stages.some((s) => s.state_variables.inflow_lags);
    if (lagsUsed) {
      for (const [hydro, order] of orders) {
        const past = ic.past_inflows.find((p) => p.hydro_id === hydro);
        const have = past?.values_m3s.length ?? 0;
        if (order > 0 && have < order) {
          issues.error(
            "CoverageMismatch",
            `initial_conditions.json: hydro ${hydro} has PAR order ${order} but ${have} past inflow value(s)`,
            {
              file: "initial_conditions.json",
              entity_id: hydro,
              missing_dimension: "past_inflows.values_m3s",
              expected_coverage: `${order} values (lag 1 first)`,
            },
            `Add past_inflows for hydro ${hydro} with at least ${order} values_m3s, most recent first.`,
          );
        }
      }
    }
    const storageUsed = stages.some((s) => s.state_variables.storage);
    if (storageUsed) {
      for (const hydro of hydros) {
        if (ic.storage_hm3.has(hydro.id) || ic.filling_storage_hm3.has(hydro.id)) continue;
        issues.error(
          "CoverageMismatch",
          `initial_conditions.json: no initial storage for hydro ${hydro.id}`,
          {
            file: "initial_conditions.json",
            entity_id: hydro.id,
            missing_dimension: "storage",
            expected_coverage: "one storage entry per hydro",
          },
          `Add {"hydro_id": ${hydro.id}, "value_hm3": ...} to "storage".`,
        );
      }
    }
  }

  // Stages sharing a season draw the same PAR statistics, so their lengths must be comparable.
  const bySeason = new Map<number, { id: number; days: number }[]>();
  for (const stage of stages) {
    if (stage.season_id === null) continue;
    const days = ((parseIsoDate(stage.end_date) ?? 0) - (parseIsoDate(stage.start_date) ?? 0)) /
      86_400_000;
    const list = bySeason.get(stage.season_id) ?? [];
    list.push({ id: stage.id, days });
    bySeason.set(stage.season_id, list);
  }
  for (const [season, list] of bySeason) {
    const min = list.reduce((a, b) => (b.days < a.days ? b : a));
    const max = list.reduce((a, b) => (b.days > a.days ? b : a));
    if (max.days - min.days > 7) {
      issues.error(
        "StageMismatch",
        `stages.json: stages ${min.id} (${min.days} days) and ${max.id} (${max.days} days) share season ${season} but differ by more than 7 days`,
        {
          file: "stages.json",
          entity_id: max.id,
          stage_id: max.id,
          detail: `season ${season} durations ${min.days}..${max.days} days`,
        },
        "Give stages of different length different season ids (e.g. monthly and quarterly seasons).",
      );
    }
  }
}
