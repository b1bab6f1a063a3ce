/**
 * Validation layer 5: business rules. Acyclic cascade, initial storage inside the reservoir,
 * stage bounds consistent after overrides, policy graph probabilities, penalty ordering and
 * model-quality warnings (deterministic inflows, unused thermals).
 *
 * @module
 */
import type { Issues } from "./issues.ts";
import type { ParsedCase } from "./parse_case.ts";
import { parseIsoDate } from "./parse_stages.ts";
import type { TableRow } from "./parse_tables.ts";
import { unsupported } from "./unsupported.ts";

function checkCascade(parsed: ParsedCase, issues: Issues): void {
  const hydros = parsed.hydros?.items ?? [];
  const next = new Map<number, number[]>();
  for (const h of hydros) {
    const targets = [h.downstream_id, h.diversion?.downstream_id ?? null];
    next.set(h.id, targets.filter((t): t is number => t !== null));
  }
  // Depth-first colouring: 1 = on the current path, 2 = finished. Depth is bounded by the
  // number of hydros, and real cascades are a few dozen plants deep at most.
  const colour = new Map<number, 1 | 2>();
  const reported = new Set<string>();
  const visit = (id: number, path: number[]): void => {
    colour.set(id, 1);
    for (const t of next.get(id) ?? []) {
      if (colour.get(t) === 1) {
        const cycle = [...path.slice(path.indexOf(t)), t];
        const key = [...new Set(cycle)].sort((a, b) => a - b).join(",");
        if (reported.has(key)) continue;
        reported.add(key);
        issues.error(
          "PhysicalConstraint",
          `system/hydros.json: the hydro cascade has a cycle ${cycle.join(" -> ")}`,
          {
            file: "system/hydros.json",
            entity_id: t,
            rule: "acyclic_cascade",
            detail: `cycle ${cycle.join(" -> ")}`,
          },
          "Water must flow downhill: fix downstream_id (or diversion.downstream_id) so no hydro feeds itself.",
        );
      } else if (colour.get(t) === undefined && next.has(t)) {
        visit(t, [...path, t]);
      }
    }
    colour.set(id, 2);
  };
  for (const h of hydros) if (colour.get(h.id) === undefined) visit(h.id, [h.id]);
}

function rowsByEntity(rows: TableRow[]): Map<number, TableRow[]> {
  const out = new Map<number, TableRow[]>();
  for (const row of rows) {
    const list = out.get(row.entity_id) ?? [];
    list.push(row);
    out.set(row.entity_id, list);
  }
  return out;
}

function capacity(
  issues: Issues,
  file: string,
  entity: string,
  entityId: number,
  stageId: number,
  fieldMin: string,
  valueMin: number,
  fieldMax: string,
  valueMax: number,
): void {
  issues.error(
    "CapacityViolation",
    `${file}: ${entity} ${entityId} at stage ${stageId} has ${fieldMin} (${valueMin}) greater than ${fieldMax} (${valueMax}) after stage overrides`,
    {
      file,
      entity_id: entityId,
      field_min: fieldMin,
      value_min: valueMin,
      field_max: fieldMax,
      value_max: valueMax,
      stage_id: stageId,
    },
    `Make ${fieldMin} <= ${fieldMax} for ${entity} ${entityId} at stage ${stageId} (the override and the base value combine).`,
  );
}

function checkStageBounds(parsed: ParsedCase, issues: Issues): void {
  const hydroRows = parsed.tables.get("constraints/hydro_bounds.parquet");
  if (Array.isArray(hydroRows)) {
    const byHydro = rowsByEntity(hydroRows);
    for (const hydro of parsed.hydros?.items ?? []) {
      for (const row of byHydro.get(hydro.id) ?? []) {
        const pick = (key: keyof typeof hydro.bounds) => row.values[key] ?? hydro.bounds[key];
        const pairs: [keyof typeof hydro.bounds, keyof typeof hydro.bounds][] = [
          ["min_storage_hm3", "max_storage_hm3"],
          ["min_turbined_m3s", "max_turbined_m3s"],
          ["min_outflow_m3s", "max_outflow_m3s"],
          ["min_generation_mw", "max_generation_mw"],
        ];
        for (const [lo, hi] of pairs) {
          const a = pick(lo);
          const b = pick(hi);
          if (a !== null && b !== null && a > b) {
            capacity(
              issues,
              "constraints/hydro_bounds.parquet",
              "hydro",
              hydro.id,
              row.stage_id,
              lo,
              a,
              hi,
              b,
            );
          }
        }
      }
    }
  }
  const thermalRows = parsed.tables.get("constraints/thermal_bounds.parquet");
  if (Array.isArray(thermalRows)) {
    const byThermal = rowsByEntity(thermalRows);
    for (const thermal of parsed.thermals?.items ?? []) {
      for (const row of byThermal.get(thermal.id) ?? []) {
        const min = row.values.min_generation_mw ?? thermal.min_generation_mw;
        const max = row.values.max_generation_mw ?? thermal.max_generation_mw;
        if (min > max) {
          capacity(
            issues,
            "constraints/thermal_bounds.parquet",
            "thermal",
            thermal.id,
            row.stage_id,
            "min_generation_mw",
            min,
            "max_generation_mw",
            max,
          );
        }
      }
    }
  }
}

function checkInitialStorage(parsed: ParsedCase, issues: Issues): void {
  const ic = parsed.initial_conditions;
  const first = parsed.stages?.stages[0];
  if (!ic || !first) return;
  const rows = parsed.tables.get("constraints/hydro_bounds.parquet");
  const stage0 = new Map<number, TableRow>();
  if (Array.isArray(rows)) {
    for (const r of rows) if (r.stage_id === first.id) stage0.set(r.entity_id, r);
  }
  for (const hydro of parsed.hydros?.items ?? []) {
    const value = ic.storage_hm3.get(hydro.id);
    if (value === undefined) continue;
    const row = stage0.get(hydro.id);
    const min = row?.values.min_storage_hm3 ?? hydro.bounds.min_storage_hm3;
    const max = row?.values.max_storage_hm3 ?? hydro.bounds.max_storage_hm3;
    if (value >= min && value <= max) continue;
    issues.error(
      "PhysicalConstraint",
      `initial_conditions.json: hydro ${hydro.id} starts with ${value} hm3, outside its storage range [${min}, ${max}] hm3`,
      {
        file: "initial_conditions.json",
        entity_id: hydro.id,
        rule: "initial_storage_within_bounds",
        detail: `value_hm3 ${value}, range [${min}, ${max}]`,
      },
      `Set the initial storage of hydro ${hydro.id} between ${min} and ${max} hm3.`,
    );
  }
}

function checkPolicyGraph(parsed: ParsedCase, issues: Issues): void {
  const stages = parsed.stages;
  if (!stages || stages.policy_graph.transitions.length === 0) return;
  const sums = new Map<number, number>();
  for (const t of stages.policy_graph.transitions) {
    sums.set(t.source_id, (sums.get(t.source_id) ?? 0) + t.probability);
  }
  for (const [source, total] of [...sums].sort((a, b) => a[0] - b[0])) {
    if (Math.abs(total - 1) <= 1e-6) continue;
    issues.error(
      "PhysicalConstraint",
      `stages.json: transitions out of stage ${source} have probabilities summing to ${total}, not 1`,
      {
        file: "stages.json",
        entity_id: source,
        rule: "transition_probabilities_sum_to_one",
        detail: `sum ${total}`,
      },
      `Make the probabilities of the transitions leaving stage ${source} add up to 1.`,
    );
  }
  const ids = stages.stages.map((s) => s.id);
  const chain = stages.policy_graph.transitions.every((t) => {
    const i = ids.indexOf(t.source_id);
    return i >= 0 && ids[i + 1] === t.target_id && t.probability === 1 &&
      t.annual_discount_rate_override === null;
  });
  if (!chain) {
    unsupported(
      issues,
      "stages.json",
      "policy graph transitions other than the linear stage sequence",
      ["policy_graph.transitions"],
    );
  }
}

function checkWarnings(parsed: ParsedCase, issues: Issues): void {
  const stageCount = parsed.stages?.stages.length ?? 0;
  const thermalRows = parsed.tables.get("constraints/thermal_bounds.parquet");
  const overrides = Array.isArray(thermalRows)
    ? rowsByEntity(thermalRows)
    : new Map<number, TableRow[]>();
  for (const thermal of parsed.thermals?.items ?? []) {
    const rows = overrides.get(thermal.id) ?? [];
    const maxes = [
      ...(rows.length < stageCount ? [thermal.max_generation_mw] : []),
      ...rows.map((r) => r.values.max_generation_mw ?? thermal.max_generation_mw),
    ];
    if (maxes.length > 0 && maxes.every((m) => m === 0)) {
      issues.warn(
        `system/thermals.json: thermal ${thermal.id} can never generate (max_generation_mw is 0 at every stage)`,
        {
          file: "system/thermals.json",
          entity_id: thermal.id,
          rule: "unused_entity",
          detail: "max generation 0 for all stages",
        },
        "Remove the thermal or give it capacity; it only adds columns to every LP.",
      );
    }
  }

  const penalties = parsed.penalties;
  if (penalties) {
    const buses = new Map((parsed.buses?.items ?? []).map((b) => [b.id, b]));
    for (const hydro of parsed.hydros?.items ?? []) {
      const storageCost = hydro.penalty_overrides.storage_violation_below_cost ??
        penalties.hydro.storage_violation_below_cost;
      const segments = buses.get(hydro.bus_id)?.deficit_segments ?? penalties.bus_deficit_segments;
      const deficit = Math.max(...segments.map((s) => s.cost_per_mwh));
      if (storageCost > deficit) continue;
      issues.warn(
        `hydro ${hydro.id}: storage_violation_below_cost (${storageCost}) does not exceed the highest deficit cost of bus ${hydro.bus_id} (${deficit})`,
        {
          file: "penalties.json",
          entity_id: hydro.id,
          rule: "penalty_ordering_storage_above_deficit",
          detail: `${storageCost} <= ${deficit}`,
        },
        "Raise storage_violation_below_cost above the deficit cost, or the policy may drain reservoirs below their minimum instead of shedding load.",
      );
    }
  }

  const inflow = parsed.tables.get("scenarios/inflow_seasonal_stats.parquet");
  if (Array.isArray(inflow)) {
    const studyIds = new Set((parsed.stages?.stages ?? []).map((s) => s.id));
    const zero = new Map<number, number[]>();
    for (const row of inflow) {
      if (row.values.std_m3s === 0 && studyIds.has(row.stage_id)) {
        zero.set(row.entity_id, [...(zero.get(row.entity_id) ?? []), row.stage_id]);
      }
    }
    for (const [hydro, stagesWithZero] of zero) {
      issues.warn(
        `scenarios/inflow_seasonal_stats.parquet: hydro ${hydro} has std_m3s 0 at ${stagesWithZero.length} stage(s), so its inflow is deterministic there`,
        {
          file: "scenarios/inflow_seasonal_stats.parquet",
          entity_id: hydro,
          rule: "deterministic_inflow",
          detail: `std_m3s = 0 at stages ${stagesWithZero.join(", ")}`,
        },
        "Intended for deterministic studies; otherwise give a positive standard deviation.",
      );
    }
  }

  const ar = parsed.tables.get("scenarios/inflow_ar_coefficients.parquet");
  if (Array.isArray(ar)) {
    const ratio = new Map<string, number>();
    const reported = new Set<string>();
    for (const row of ar) {
      const key = `${row.entity_id}:${row.stage_id}`;
      const r = row.values.residual_std_ratio ?? 1;
      const seen = ratio.get(key);
      if (seen === undefined) ratio.set(key, r);
      else if (Math.abs(seen - r) > 1e-10 && !reported.has(key)) {
        reported.add(key);
        issues.error(
          "PhysicalConstraint",
          `scenarios/inflow_ar_coefficients.parquet: hydro ${row.entity_id} stage ${row.stage_id} has different residual_std_ratio values across its lags`,
          {
            file: "scenarios/inflow_ar_coefficients.parquet",
            entity_id: row.entity_id,
            rule: "residual_std_ratio_consistent",
            detail: `${seen} vs ${r}`,
          },
          "residual_std_ratio belongs to the (hydro, stage) model; repeat the same value on every lag row.",
        );
      }
    }
  }
}

function checkPerBlockThermalRows(parsed: ParsedCase, issues: Issues): void {
  const rows = parsed.tables.get("constraints/thermal_bounds.parquet");
  if (!Array.isArray(rows)) return;
  const withBlock = rows.filter((r) =>
    r.values.block_id !== null && r.values.block_id !== undefined
  );
  if (withBlock.length === 0) return;
  unsupported(
    issues,
    "constraints/thermal_bounds.parquet",
    "per-block thermal bounds and costs",
    ["block_id"],
    { rows: withBlock.length },
    "Leave block_id null (the override then applies to the whole stage); Cobre itself skips rows with a block_id.",
  );
}

function checkBlockHours(parsed: ParsedCase, issues: Issues): void {
  const off: string[] = [];
  let first: number | null = null;
  for (const stage of parsed.stages?.stages ?? []) {
    const start = parseIsoDate(stage.start_date);
    const end = parseIsoDate(stage.end_date);
    if (start === null || end === null) continue;
    const spanHours = (end - start) / 3_600_000;
    if (Math.abs(spanHours - stage.total_hours) <= 1) continue;
    first ??= stage.id;
    off.push(`stage ${stage.id}: ${stage.total_hours} h of blocks, ${spanHours} h of calendar`);
  }
  if (first === null) return;
  // One warning per case: averaged-month blocks (730 h) are a common, deliberate choice.
  issues.warn(
    `stages.json: the blocks of ${off.length} stage(s) do not add up to the stage's calendar span (${
      off.slice(0, 3).join("; ")
    }${off.length > 3 ? "; ..." : ""})`,
    {
      file: "stages.json",
      entity_id: first,
      rule: "block_hours_match_stage_duration",
      detail: off.join("; "),
    },
    "Costs and water balances use the block hours; make them cover the stage unless the difference is intended.",
  );
}

/** Runs the semantic checks on whatever layers 1–4 produced. */
export function checkSemantics(parsed: ParsedCase, issues: Issues): void {
  checkCascade(parsed, issues);
  checkStageBounds(parsed, issues);
  checkInitialStorage(parsed, issues);
  checkPolicyGraph(parsed, issues);
  checkPerBlockThermalRows(parsed, issues);
  checkBlockHours(parsed, issues);
  checkWarnings(parsed, issues);
}
