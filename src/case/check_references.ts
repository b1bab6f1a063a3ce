/**
 * Validation layer 3: every id a file mentions exists in the registry it points to (buses,
 * hydros, stages, seasons, blocks). References from entities that failed layer 2 are skipped, and
 * references to entities that exist but failed layer 2 are not reported as missing.
 *
 * @module
 */
import type { Issues } from "./issues.ts";
import type { ParsedCase } from "./parse_case.ts";
import { KEYED_TABLES } from "./parse_tables.ts";

const REGISTRY_FILE: Record<string, string> = {
  bus: "system/buses.json",
  hydro: "system/hydros.json",
  thermal: "system/thermals.json",
  line: "system/lines.json",
  stage: "stages.json",
  season: "stages.json (season_definitions)",
};

/** Reports a dangling reference. */
function missing(
  issues: Issues,
  file: string,
  owner: string,
  entityId: number | string | null,
  field: string,
  noun: string,
  value: number,
): void {
  const registry = REGISTRY_FILE[noun] ?? noun;
  issues.error(
    "MissingReference",
    `${file}: ${owner} field "${field}" references ${noun} ${value}, which is not in ${registry}`,
    { file, entity_id: entityId, field, referenced_value: value, referenced_registry: registry },
    `Use an existing ${noun} id in "${field}", or add ${noun} ${value} to ${registry}.`,
  );
}

/** Runs the referential checks on whatever layers 1–2 produced. */
export function checkReferences(parsed: ParsedCase, issues: Issues): void {
  const busIds = parsed.buses?.ids;
  const hydroIds = parsed.hydros?.ids;
  const registries: Record<string, Set<number> | undefined> = {
    bus: busIds,
    hydro: hydroIds,
    thermal: parsed.thermals?.ids,
    line: parsed.lines?.ids,
  };
  const check = (
    ids: Set<number> | undefined,
    file: string,
    owner: string,
    entityId: number | string | null,
    field: string,
    noun: string,
    value: number | null,
  ) => {
    if (ids && value !== null && !ids.has(value)) {
      missing(issues, file, owner, entityId, field, noun, value);
    }
  };

  for (const line of parsed.lines?.items ?? []) {
    const owner = `line ${line.id}`;
    check(busIds, "system/lines.json", owner, line.id, "source_bus_id", "bus", line.source_bus_id);
    check(busIds, "system/lines.json", owner, line.id, "target_bus_id", "bus", line.target_bus_id);
  }
  for (const hydro of parsed.hydros?.items ?? []) {
    const owner = `hydro ${hydro.id}`;
    check(busIds, "system/hydros.json", owner, hydro.id, "bus_id", "bus", hydro.bus_id);
    check(
      hydroIds,
      "system/hydros.json",
      owner,
      hydro.id,
      "downstream_id",
      "hydro",
      hydro.downstream_id,
    );
    check(
      hydroIds,
      "system/hydros.json",
      owner,
      hydro.id,
      "diversion.downstream_id",
      "hydro",
      hydro.diversion?.downstream_id ?? null,
    );
  }
  for (const thermal of parsed.thermals?.items ?? []) {
    check(
      busIds,
      "system/thermals.json",
      `thermal ${thermal.id}`,
      thermal.id,
      "bus_id",
      "bus",
      thermal.bus_id,
    );
  }

  const ic = parsed.initial_conditions;
  if (ic) {
    const file = "initial_conditions.json";
    for (const id of ic.storage_hm3.keys()) {
      check(hydroIds, file, "storage entry", id, "hydro_id", "hydro", id);
    }
    for (const id of ic.filling_storage_hm3.keys()) {
      check(hydroIds, file, "filling_storage entry", id, "hydro_id", "hydro", id);
    }
    for (const p of ic.past_inflows) {
      check(hydroIds, file, "past_inflows entry", p.hydro_id, "hydro_id", "hydro", p.hydro_id);
    }
    for (const r of ic.recent_observations) {
      check(
        hydroIds,
        file,
        "recent_observations entry",
        r.hydro_id,
        "hydro_id",
        "hydro",
        r.hydro_id,
      );
    }
  }

  const stages = parsed.stages;
  const studyIds = stages ? new Set(stages.stages.map((s) => s.id)) : undefined;
  const allStageIds = stages
    ? new Set([...stages.stages.map((s) => s.id), ...stages.pre_study_stages.map((s) => s.id)])
    : undefined;
  const seasonIds = stages?.season_definitions
    ? new Set(stages.season_definitions.seasons.map((s) => s.id))
    : undefined;

  if (stages) {
    for (const stage of stages.stages) {
      check(
        seasonIds,
        "stages.json",
        `stage ${stage.id}`,
        stage.id,
        "season_id",
        "season",
        stage.season_id,
      );
    }
    for (const stage of stages.pre_study_stages) {
      check(
        seasonIds,
        "stages.json",
        `pre-study stage ${stage.id}`,
        stage.id,
        "season_id",
        "season",
        stage.season_id,
      );
    }
    stages.policy_graph.transitions.forEach((t, i) => {
      const owner = `policy_graph.transitions[${i}]`;
      check(studyIds, "stages.json", owner, i, "source_id", "stage", t.source_id);
      check(studyIds, "stages.json", owner, i, "target_id", "stage", t.target_id);
    });
    if (ic && seasonIds) {
      for (const p of ic.past_inflows) {
        for (const s of p.season_ids ?? []) {
          check(
            seasonIds,
            "initial_conditions.json",
            "past_inflows entry",
            p.hydro_id,
            "season_ids",
            "season",
            s,
          );
        }
      }
    }
  }

  const models = parsed.production_models;
  if (Array.isArray(models)) {
    const file = "system/hydro_production_models.json";
    for (const entry of models) {
      const owner = `hydro ${entry.hydro_id}`;
      check(hydroIds, file, owner, entry.hydro_id, "hydro_id", "hydro", entry.hydro_id);
      for (const rule of entry.rules) {
        check(
          studyIds,
          file,
          owner,
          entry.hydro_id,
          "stage_ranges.start_stage_id",
          "stage",
          rule.start_stage_id ?? null,
        );
        check(
          studyIds,
          file,
          owner,
          entry.hydro_id,
          "stage_ranges.end_stage_id",
          "stage",
          rule.end_stage_id ?? null,
        );
        check(
          seasonIds,
          file,
          owner,
          entry.hydro_id,
          "seasons.season_id",
          "season",
          rule.season_id ?? null,
        );
      }
    }
  }

  for (const spec of KEYED_TABLES) {
    const rows = parsed.tables.get(spec.file);
    if (!Array.isArray(rows)) continue;
    const ids = registries[spec.entityNoun];
    // Inflow statistics and AR coefficients may describe pre-study stages (PAR lag warm-up).
    const stageSet = spec.file.startsWith("scenarios/inflow_") ? allStageIds : studyIds;
    const reported = new Set<string>();
    for (const row of rows) {
      const owner = `row for ${spec.entityNoun} ${row.entity_id}, stage ${row.stage_id}`;
      const entityKey = `e${row.entity_id}`;
      if (ids && !ids.has(row.entity_id) && !reported.has(entityKey)) {
        reported.add(entityKey);
        missing(
          issues,
          spec.file,
          owner,
          row.entity_id,
          spec.entityColumn,
          spec.entityNoun,
          row.entity_id,
        );
      }
      const stageKey = `s${row.stage_id}`;
      if (stageSet && !stageSet.has(row.stage_id) && !reported.has(stageKey)) {
        reported.add(stageKey);
        missing(issues, spec.file, owner, row.entity_id, "stage_id", "stage", row.stage_id);
      }
    }
  }

  if (Array.isArray(parsed.load_factors)) {
    const file = "scenarios/load_factors.json";
    const blocks = new Map((stages?.stages ?? []).map((s) => [s.id, s.blocks.length]));
    for (const entry of parsed.load_factors) {
      const owner = `entry for bus ${entry.bus_id} stage ${entry.stage_id}`;
      check(busIds, file, owner, entry.bus_id, "bus_id", "bus", entry.bus_id);
      check(studyIds, file, owner, entry.bus_id, "stage_id", "stage", entry.stage_id);
      const count = blocks.get(entry.stage_id);
      if (count === undefined) continue;
      for (const blockId of entry.block_factors.keys()) {
        if (blockId < count) continue;
        issues.error(
          "StageMismatch",
          `${file}: ${owner} sets a factor for block ${blockId}, but stage ${entry.stage_id} has ${count} block(s)`,
          {
            file,
            entity_id: entry.bus_id,
            stage_id: entry.stage_id,
            detail: `block_id ${blockId} >= ${count} blocks`,
          },
          `Use block ids 0..${count - 1} for stage ${entry.stage_id}.`,
        );
      }
    }
  }
}
