/**
 * `penalties.json` → global penalty defaults, plus the checks shared by every place a penalty
 * can be written (global, entity, stage override): costs strictly positive (FPHA turbined cost
 * may be 0), deficit tiers increasing with an unbounded last tier.
 *
 * @module
 */
import { JsonReader } from "./fields.ts";
import type { Issues } from "./issues.ts";
import {
  type DeficitSegment,
  type GlobalPenalties,
  HYDRO_BASE_PENALTY_FIELDS,
  HYDRO_PENALTY_FIELDS,
  type HydroPenalties,
} from "./model.ts";

const FILE = "penalties.json";

/** Records PenaltyConsistency for a non-positive penalty; true when the value is acceptable. */
export function checkPenaltyValue(
  issues: Issues,
  file: string,
  entityId: number | string | null,
  field: string,
  value: number,
  where: string,
): boolean {
  // Cobre lets the FPHA turbined cost be zero (it only orders spillage); all others must be > 0.
  const allowZero = field.endsWith("fpha_turbined_cost");
  if (allowZero ? value >= 0 : value > 0) return true;
  issues.error(
    "PenaltyConsistency",
    `${where} penalty "${field}" is ${value}, but penalties must be ${allowZero ? ">= 0" : "> 0"}`,
    {
      file,
      entity_id: entityId,
      penalty_field: field,
      value,
      violated_rule: allowZero ? "penalty >= 0" : "penalty > 0",
    },
    `Set "${field}" to a positive cost; a zero or negative penalty makes violations free or profitable.`,
  );
  return false;
}

/** Reads an optional penalty cost; undefined when invalid (recorded). */
export function readPenalty(
  reader: JsonReader,
  key: string,
  required: boolean,
): number | null | undefined {
  const value = required ? reader.reqNumber(key) : reader.optNumber(key);
  if (value === null || value === undefined) return value;
  const where = `${reader.file}: ${reader.label ? `${reader.label} ` : ""}`;
  if (
    !checkPenaltyValue(
      reader.issues,
      reader.file,
      reader.entityId as number | string | null,
      reader.fieldPath(key),
      value,
      where,
    )
  ) {
    reader.markFailed();
    return undefined;
  }
  return value;
}

/**
 * Reads deficit segments: each cost > 0, costs strictly increasing, every depth but the last
 * set and positive, the last one null (unbounded).
 */
export function readDeficitSegments(
  reader: JsonReader,
  key: string,
  required: boolean,
): DeficitSegment[] | null {
  const items = reader.array(key, required);
  if (items === null) return null;
  const segments: DeficitSegment[] = [];
  const path = reader.fieldPath(key);
  const fail = (
    message: string,
    field: string,
    value: number | null,
    rule: string,
    suggestion: string,
  ) => {
    reader.markFailed();
    reader.issues.error(
      "PenaltyConsistency",
      `${reader.file}: ${reader.label ? `${reader.label} ` : ""}${message}`,
      {
        file: reader.file,
        entity_id: reader.entityId,
        penalty_field: field,
        value,
        violated_rule: rule,
      },
      suggestion,
    );
  };
  if (items.length === 0) {
    fail(
      `"${path}" is empty`,
      path,
      null,
      "at least one deficit segment",
      "Give at least one segment with depth_mw null.",
    );
    return null;
  }
  items.forEach((item) => {
    const seg = reader.entity(item, reader.label || path, reader.entityId, path);
    if (!seg) {
      reader.markFailed();
      return;
    }
    const prefixed = seg.relabel(reader.label, reader.entityId);
    const depth = prefixed.optNumber("depth_mw", { min: 0, minExclusive: true });
    const cost = readPenalty(prefixed, "cost", true);
    if (seg.failed || depth === undefined || cost === undefined || cost === null) {
      reader.markFailed();
      return;
    }
    segments.push({ depth_mw: depth, cost_per_mwh: cost });
  });
  if (segments.length !== items.length) return null;
  segments.forEach((seg, i) => {
    const isLast = i === segments.length - 1;
    if (isLast && seg.depth_mw !== null) {
      fail(
        `"${path}[${i}].depth_mw" is ${seg.depth_mw}, but the last deficit segment must be unbounded (null)`,
        `${path}[${i}].depth_mw`,
        seg.depth_mw,
        "last deficit segment has depth_mw null",
        `Set "depth_mw": null on the last segment so any deficit can be priced.`,
      );
    }
    if (!isLast && seg.depth_mw === null) {
      fail(
        `"${path}[${i}].depth_mw" is null, but only the last deficit segment may be unbounded`,
        `${path}[${i}].depth_mw`,
        null,
        "only the last deficit segment is unbounded",
        "Give every segment except the last a positive depth_mw.",
      );
    }
    const prev = segments[i - 1];
    if (prev && seg.cost_per_mwh <= prev.cost_per_mwh) {
      fail(
        `"${path}[${i}].cost" (${seg.cost_per_mwh}) must be greater than "${path}[${
          i - 1
        }].cost" (${prev.cost_per_mwh})`,
        `${path}[${i}].cost`,
        seg.cost_per_mwh,
        "deficit segment costs strictly increasing",
        "Order deficit segments by increasing cost; deeper deficit must cost more.",
      );
    }
  });
  return reader.failed ? null : segments;
}

/** Parses `penalties.json`; returns null when it is unusable (records say why). */
export function parsePenalties(issues: Issues, value: unknown): GlobalPenalties | null {
  const root = JsonReader.root(issues, FILE, value);
  if (!root) return null;
  const bus = root.child("bus", true);
  const line = root.child("line", true);
  const hydro = root.child("hydro", true);
  const ncs = root.child("non_controllable_source", true);
  const segments = bus ? readDeficitSegments(bus, "deficit_segments", true) : null;
  const excess = bus ? readPenalty(bus, "excess_cost", true) : undefined;
  const exchange = line ? readPenalty(line, "exchange_cost", true) : undefined;
  const curtailment = ncs ? readPenalty(ncs, "curtailment_cost", true) : undefined;
  const hydroValues: Partial<Record<keyof HydroPenalties, number>> = {};
  if (hydro) {
    for (const field of HYDRO_PENALTY_FIELDS) {
      const required = (HYDRO_BASE_PENALTY_FIELDS as readonly string[]).includes(field);
      const v = readPenalty(hydro, field, required);
      if (typeof v === "number") hydroValues[field] = v;
    }
  }
  if (
    root.failed || !segments || typeof excess !== "number" || typeof exchange !== "number" ||
    typeof curtailment !== "number"
  ) {
    return null;
  }
  const h = hydroValues as Record<keyof HydroPenalties, number | undefined>;
  const need = (k: keyof HydroPenalties): number => h[k] ?? 0;
  const resolved: HydroPenalties = {
    spillage_cost: need("spillage_cost"),
    fpha_turbined_cost: need("fpha_turbined_cost"),
    diversion_cost: need("diversion_cost"),
    storage_violation_below_cost: need("storage_violation_below_cost"),
    filling_target_violation_cost: need("filling_target_violation_cost"),
    turbined_violation_below_cost: need("turbined_violation_below_cost"),
    outflow_violation_below_cost: need("outflow_violation_below_cost"),
    outflow_violation_above_cost: need("outflow_violation_above_cost"),
    generation_violation_below_cost: need("generation_violation_below_cost"),
    evaporation_violation_cost: need("evaporation_violation_cost"),
    water_withdrawal_violation_cost: need("water_withdrawal_violation_cost"),
    water_withdrawal_violation_pos_cost: h.water_withdrawal_violation_pos_cost ??
      need("water_withdrawal_violation_cost"),
    water_withdrawal_violation_neg_cost: h.water_withdrawal_violation_neg_cost ??
      need("water_withdrawal_violation_cost"),
    evaporation_violation_pos_cost: h.evaporation_violation_pos_cost ??
      need("evaporation_violation_cost"),
    evaporation_violation_neg_cost: h.evaporation_violation_neg_cost ??
      need("evaporation_violation_cost"),
    // Cobre's default when penalties.json does not set it.
    inflow_nonnegativity_cost: h.inflow_nonnegativity_cost ?? 1000,
  };
  return {
    bus_deficit_segments: segments,
    bus_excess_cost: excess,
    line_exchange_cost: exchange,
    hydro: resolved,
    ncs_curtailment_cost: curtailment,
  };
}
