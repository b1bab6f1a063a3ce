/**
 * The entity registries in `system/`: buses, lines, hydros, thermals. Each parser keeps the
 * entities that passed their field checks and the set of every id it saw, so that later layers
 * neither trust a broken entity nor report references to it as missing.
 *
 * @module
 */
import type { Issues } from "./issues.ts";
import { JsonReader } from "./fields.ts";
import { readDeficitSegments, readPenalty } from "./parse_penalties.ts";
import {
  type DeficitSegment,
  HYDRO_PENALTY_FIELDS,
  type HydroEntry,
  type HydroPenalties,
  type LineEntry,
  type ThermalEntry,
} from "./model.ts";
import { unsupported } from "./unsupported.ts";

/** Entities that passed layer 2, plus every id seen (valid or not). */
export interface Registry<T> {
  file: string;
  items: T[];
  ids: Set<number>;
  /** False when some entity was dropped for a schema error. */
  complete: boolean;
}

export interface RawBus {
  id: number;
  name: string;
  deficit_segments: DeficitSegment[] | null;
}

/** A line entry plus its own exchange cost (null: the global one applies). */
export interface RawLine extends LineEntry {
  exchange_cost: number | null;
}

/** A hydro entry plus the penalties it overrides (the cascade is resolved in build.ts). */
export interface RawHydro extends HydroEntry {
  penalty_overrides: Partial<HydroPenalties>;
}

export type RawThermal = ThermalEntry;

const INT = { integer: true } as const;
const NON_NEGATIVE = { min: 0 } as const;

/** Records CapacityViolation when `min > max`; returns false then. */
function checkMinMax(
  reader: JsonReader,
  fieldMin: string,
  valueMin: number,
  fieldMax: string,
  valueMax: number,
): boolean {
  if (valueMin <= valueMax) return true;
  reader.markFailed();
  reader.issues.error(
    "CapacityViolation",
    `${reader.file}: ${reader.label} has ${fieldMin} (${valueMin}) greater than ${fieldMax} (${valueMax})`,
    {
      file: reader.file,
      entity_id: reader.entityId,
      field_min: fieldMin,
      value_min: valueMin,
      field_max: fieldMax,
      value_max: valueMax,
    },
    `Make ${fieldMin} <= ${fieldMax} for ${reader.label}.`,
  );
  return false;
}

/** Walks a registry array, giving each element a reader labelled by its id. */
function parseRegistry<T>(
  issues: Issues,
  file: string,
  value: unknown,
  key: string,
  noun: string,
  parseOne: (reader: JsonReader, id: number) => T | null,
): Registry<T> | null {
  const root = JsonReader.root(issues, file, value);
  if (!root) return null;
  root.optString("$schema");
  const items = root.array(key, true);
  if (items === null) return null;
  const registry: Registry<T> = { file, items: [], ids: new Set(), complete: true };
  const seen = new Set<number>();
  items.forEach((item, i) => {
    const first = root.entity(item, `${key}[${i}]`, `${key}[${i}]`, key);
    if (!first) {
      registry.complete = false;
      return;
    }
    const id = first.reqNumber("id", { integer: true, min: 0 });
    if (id === undefined) {
      registry.complete = false;
      return;
    }
    registry.ids.add(id);
    if (seen.has(id)) {
      registry.complete = false;
      issues.error(
        "DuplicateId",
        `${file}: ${noun} id ${id} appears more than once`,
        { file, entity_id: id, registry: file },
        `Give every ${noun} in ${file} a unique id.`,
      );
      return;
    }
    seen.add(id);
    const reader = first.relabel(`${noun} ${id}`, id);
    const parsed = parseOne(reader, id);
    if (parsed === null || reader.failed) {
      registry.complete = false;
      return;
    }
    registry.items.push(parsed);
  });
  registry.items.sort((a, b) => (a as { id: number }).id - (b as { id: number }).id);
  return registry;
}

function lifecycle(reader: JsonReader): [number | null, number | null] {
  const entry = reader.optNumber("entry_stage_id", INT) ?? null;
  const exit = reader.optNumber("exit_stage_id", INT) ?? null;
  if (entry !== null && exit !== null && entry >= exit) {
    reader.markFailed();
    reader.issues.error(
      "StageMismatch",
      `${reader.file}: ${reader.label} has entry_stage_id ${entry} not before exit_stage_id ${exit}`,
      {
        file: reader.file,
        entity_id: reader.entityId,
        stage_id: entry,
        detail: "entry_stage_id must be < exit_stage_id",
      },
      "Make entry_stage_id smaller than exit_stage_id (or null).",
    );
  }
  if (entry !== null || exit !== null) {
    unsupported(
      reader.issues,
      reader.file,
      "entity lifecycle (entry_stage_id / exit_stage_id)",
      [`${reader.label}.entry_stage_id`, `${reader.label}.exit_stage_id`],
      { entity_id: reader.entityId },
      "Set entry_stage_id and exit_stage_id to null, or use stage-varying bounds in constraints/ to switch the entity off.",
    );
  }
  return [entry, exit];
}

/** Parses `system/buses.json`. */
export function parseBuses(issues: Issues, value: unknown): Registry<RawBus> | null {
  return parseRegistry(issues, "system/buses.json", value, "buses", "bus", (bus, id) => {
    const name = bus.reqString("name");
    const segments = bus.has("deficit_segments")
      ? readDeficitSegments(bus, "deficit_segments", false)
      : null;
    if (name === undefined || bus.failed) return null;
    return { id, name, deficit_segments: segments };
  });
}

/** Parses `system/lines.json`. */
export function parseLines(issues: Issues, value: unknown): Registry<RawLine> | null {
  return parseRegistry(issues, "system/lines.json", value, "lines", "line", (line, id) => {
    const name = line.reqString("name");
    const source = line.reqNumber("source_bus_id", { integer: true, min: 0 });
    const target = line.reqNumber("target_bus_id", { integer: true, min: 0 });
    const [entry, exit] = lifecycle(line);
    const capacity = line.child("capacity", true);
    const direct = capacity?.reqNumber("direct_mw", NON_NEGATIVE);
    const reverse = capacity?.reqNumber("reverse_mw", NON_NEGATIVE);
    const exchange = readPenalty(line, "exchange_cost", false);
    const losses = line.optNumber("losses_percent", { min: 0, max: 100, maxExclusive: true });
    if (
      line.failed || name === undefined || source === undefined || target === undefined ||
      direct === undefined || reverse === undefined || exchange === undefined ||
      losses === undefined
    ) {
      return null;
    }
    if (source === target) {
      line.issues.error(
        "PhysicalConstraint",
        `system/lines.json: line ${id} connects bus ${source} to itself`,
        {
          file: "system/lines.json",
          entity_id: id,
          rule: "line_distinct_buses",
          detail: "source_bus_id equals target_bus_id",
        },
        "Connect the line between two different buses, or remove it.",
      );
      return null;
    }
    if (losses !== null && losses > 0) {
      unsupported(line.issues, "system/lines.json", "transmission losses", [
        `line ${id}.losses_percent`,
      ], {
        entity_id: id,
      }, "Set losses_percent to 0 (or omit it).");
    }
    return {
      id,
      name,
      source_bus_id: source,
      target_bus_id: target,
      entry_stage_id: entry,
      exit_stage_id: exit,
      capacity: { direct_mw: direct, reverse_mw: reverse },
      exchange_cost: exchange,
      losses_percent: losses ?? 0,
    };
  });
}

/** Parses `system/thermals.json`. */
export function parseThermals(issues: Issues, value: unknown): Registry<RawThermal> | null {
  return parseRegistry(
    issues,
    "system/thermals.json",
    value,
    "thermals",
    "thermal",
    (thermal, id) => {
      const name = thermal.reqString("name");
      const bus = thermal.reqNumber("bus_id", { integer: true, min: 0 });
      const [entry, exit] = lifecycle(thermal);
      const cost = thermal.reqNumber("cost_per_mwh", NON_NEGATIVE);
      const generation = thermal.child("generation", true);
      const min = generation?.reqNumber("min_mw", NON_NEGATIVE);
      const max = generation?.reqNumber("max_mw", NON_NEGATIVE);
      const gnl = thermal.has("gnl_config");
      if (gnl) {
        unsupported(thermal.issues, "system/thermals.json", "GNL dispatch anticipation", [
          `thermal ${id}.gnl_config`,
        ], {
          entity_id: id,
        }, "Remove gnl_config; Cobre itself rejects it until GNL is implemented.");
      }
      if (
        thermal.failed || name === undefined || bus === undefined || cost === undefined ||
        min === undefined || max === undefined
      ) {
        return null;
      }
      if (!checkMinMax(thermal, "generation.min_mw", min, "generation.max_mw", max)) return null;
      return {
        id,
        name,
        bus_id: bus,
        entry_stage_id: entry,
        exit_stage_id: exit,
        min_generation_mw: min,
        max_generation_mw: max,
        cost_per_mwh: cost,
        has_gnl_config: gnl,
      };
    },
  );
}

const GENERATION_MODELS = ["constant_productivity", "linearized_head", "fpha"] as const;

function parseHydro(hydro: JsonReader, id: number): RawHydro | null {
  const file = "system/hydros.json";
  const name = hydro.reqString("name");
  const bus = hydro.reqNumber("bus_id", { integer: true, min: 0 });
  const downstream = hydro.optNumber("downstream_id", { integer: true, min: 0 });
  const [entry, exit] = lifecycle(hydro);
  const reservoir = hydro.child("reservoir", true);
  const minStorage = reservoir?.reqNumber("min_storage_hm3", NON_NEGATIVE);
  const maxStorage = reservoir?.reqNumber("max_storage_hm3", NON_NEGATIVE);
  const outflow = hydro.child("outflow", true);
  const minOutflow = outflow?.reqNumber("min_outflow_m3s", NON_NEGATIVE);
  const maxOutflow = outflow?.optNumber("max_outflow_m3s", NON_NEGATIVE);
  const generation = hydro.child("generation", true);
  const model = generation?.enumOf("model", GENERATION_MODELS, undefined);
  const productivity = model === "fpha"
    ? null
    : generation?.reqNumber("productivity_mw_per_m3s", { min: 0, minExclusive: true });
  const minTurbined = generation?.reqNumber("min_turbined_m3s", NON_NEGATIVE);
  const maxTurbined = generation?.reqNumber("max_turbined_m3s", NON_NEGATIVE);
  const minGeneration = generation?.reqNumber("min_generation_mw", NON_NEGATIVE);
  const maxGeneration = generation?.reqNumber("max_generation_mw", NON_NEGATIVE);

  const diversionReader = hydro.child("diversion", false);
  const diversionTarget = diversionReader?.reqNumber("downstream_id", { integer: true, min: 0 });
  const diversionMax = diversionReader?.reqNumber("max_flow_m3s", NON_NEGATIVE);
  const fillingReader = hydro.child("filling", false);
  const fillingStart = fillingReader?.reqNumber("start_stage_id", INT);
  const fillingInflow = fillingReader?.optNumber("filling_inflow_m3s", NON_NEGATIVE);
  const evaporation = hydro.child("evaporation", false);
  if (evaporation) {
    const coefficients = evaporation.numberArray("coefficients_mm", true);
    if (coefficients && coefficients.length !== 12) {
      evaporation.markFailed();
      hydro.issues.error(
        "SchemaViolation",
        `${
          evaporation.where("coefficients_mm")
        } has ${coefficients.length} values; it needs 12 (one per month)`,
        {
          file,
          entity_id: id,
          field: "evaporation.coefficients_mm",
          expected: "12 numbers",
          actual: `${coefficients.length} numbers`,
        },
        "Give one evaporation coefficient (mm) per calendar month, January first.",
      );
    }
    evaporation.numberArray("reference_volumes_hm3", false, NON_NEGATIVE);
  }
  const penalties = hydro.child("penalties", false);
  const overrides: Partial<HydroPenalties> = {};
  if (penalties) {
    for (const field of HYDRO_PENALTY_FIELDS) {
      const v = readPenalty(penalties, field, false);
      if (typeof v === "number") overrides[field] = v;
    }
  }
  if (
    hydro.failed || name === undefined || bus === undefined || downstream === undefined ||
    minStorage === undefined || maxStorage === undefined || minOutflow === undefined ||
    maxOutflow === undefined || model === undefined || productivity === undefined ||
    minTurbined === undefined || maxTurbined === undefined || minGeneration === undefined ||
    maxGeneration === undefined
  ) {
    return null;
  }
  const consistent = [
    checkMinMax(
      hydro,
      "reservoir.min_storage_hm3",
      minStorage,
      "reservoir.max_storage_hm3",
      maxStorage,
    ),
    checkMinMax(
      hydro,
      "generation.min_turbined_m3s",
      minTurbined,
      "generation.max_turbined_m3s",
      maxTurbined,
    ),
    checkMinMax(
      hydro,
      "generation.min_generation_mw",
      minGeneration,
      "generation.max_generation_mw",
      maxGeneration,
    ),
    maxOutflow === null ||
    checkMinMax(
      hydro,
      "outflow.min_outflow_m3s",
      minOutflow,
      "outflow.max_outflow_m3s",
      maxOutflow,
    ),
  ];
  if (consistent.includes(false)) return null;
  const label = `hydro ${id}`;
  if (model !== "constant_productivity") {
    unsupported(hydro.issues, file, `the "${model}" hydro production model`, [
      `${label}.generation.model`,
    ], {
      entity_id: id,
    }, 'Use "constant_productivity" with productivity_mw_per_m3s.');
  }
  if (evaporation) {
    unsupported(hydro.issues, file, "reservoir evaporation", [`${label}.evaporation`], {
      entity_id: id,
    });
  }
  if (diversionReader) {
    unsupported(hydro.issues, file, "diversion channels", [`${label}.diversion`], {
      entity_id: id,
    });
  }
  if (fillingReader) {
    unsupported(hydro.issues, file, "reservoir filling", [`${label}.filling`], { entity_id: id });
  }
  return {
    id,
    name,
    bus_id: bus,
    downstream_id: downstream,
    entry_stage_id: entry,
    exit_stage_id: exit,
    generation_model: model,
    productivity_mw_per_m3s: productivity,
    bounds: {
      min_storage_hm3: minStorage,
      max_storage_hm3: maxStorage,
      min_turbined_m3s: minTurbined,
      max_turbined_m3s: maxTurbined,
      min_outflow_m3s: minOutflow,
      max_outflow_m3s: maxOutflow,
      min_generation_mw: minGeneration,
      max_generation_mw: maxGeneration,
      max_diversion_m3s: diversionMax ?? null,
      filling_inflow_m3s: fillingInflow ?? 0,
      water_withdrawal_m3s: 0,
    },
    diversion: diversionTarget !== undefined && diversionMax !== undefined
      ? { downstream_id: diversionTarget, max_flow_m3s: diversionMax }
      : null,
    filling: fillingStart !== undefined
      ? { start_stage_id: fillingStart, filling_inflow_m3s: fillingInflow ?? 0 }
      : null,
    has_evaporation: evaporation !== null,
    penalty_overrides: overrides,
  };
}

/** Parses `system/hydros.json`. */
export function parseHydros(issues: Issues, value: unknown): Registry<RawHydro> | null {
  return parseRegistry(issues, "system/hydros.json", value, "hydros", "hydro", parseHydro);
}
