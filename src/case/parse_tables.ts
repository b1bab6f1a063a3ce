/**
 * The sparse Parquet tables keyed by (entity, stage[, lag]): inflow and load statistics, AR
 * coefficients, stage-varying bounds and penalty overrides. One generic reader checks key columns,
 * value ranges, nulls and duplicate keys, so every table reports problems the same way.
 *
 * @module
 */
import type { Range } from "./fields.ts";
import type { Issues } from "./issues.ts";
import { HYDRO_BASE_PENALTY_FIELDS } from "./model.ts";
import { checkPenaltyValue } from "./parse_penalties.ts";
import { type CaseFiles, type ParquetColumnSpec, readParquet } from "./read.ts";

/** A value column: `range` for plain values, `penalty` for penalty costs. */
export interface ValueColumn {
  name: string;
  required: boolean;
  /** Physical type; DOUBLE unless stated. */
  type?: "INT32" | "DOUBLE";
  range?: Range;
  penalty?: boolean;
}

/** Layout of one keyed table. */
export interface TableSpec {
  file: string;
  /** Entity key column, e.g. `hydro_id`, and how messages name it ("hydro"). */
  entityColumn: string;
  entityNoun: string;
  /** Extra integer key columns after `stage_id` (e.g. `lag`), with their minimum. */
  extraKeys?: { name: string; min: number }[];
  values: ValueColumn[];
}

/** A validated row: key columns and values (null for absent optional values). */
export interface TableRow {
  entity_id: number;
  stage_id: number;
  keys: number[];
  values: Record<string, number | null>;
}

/** The rows of a table, or null when the file is absent; "error" when unusable. */
export type TableResult = TableRow[] | null | "error";

function describeRange(range: Range): string {
  const parts: string[] = [];
  if (range.min !== undefined) parts.push(`${range.minExclusive ? ">" : ">="} ${range.min}`);
  if (range.max !== undefined) parts.push(`${range.maxExclusive ? "<" : "<="} ${range.max}`);
  return parts.length ? parts.join(" and ") : "finite";
}

function inRange(value: number, range: Range): boolean {
  if (!Number.isFinite(value)) return false;
  if (range.min !== undefined && (range.minExclusive ? value <= range.min : value < range.min)) {
    return false;
  }
  if (range.max !== undefined && (range.maxExclusive ? value >= range.max : value > range.max)) {
    return false;
  }
  return true;
}

/** Reads and validates a keyed table. */
export async function readTable(files: CaseFiles, spec: TableSpec): Promise<TableResult> {
  const columns: ParquetColumnSpec[] = [
    { name: spec.entityColumn, type: "INT32", required: true },
    { name: "stage_id", type: "INT32", required: true },
    ...(spec.extraKeys ?? []).map((k) => ({
      name: k.name,
      type: "INT32" as const,
      required: true,
    })),
    ...spec.values.map((v) => ({ name: v.name, type: v.type ?? "DOUBLE", required: v.required })),
  ];
  const result = await readParquet(files, spec.file, columns);
  if (result.status === "absent") return null;
  if (result.status === "error") return "error";
  return validateRows(files.issues, spec, result.value);
}

/**
 * Duplicate-detection key: a number when ids are in the usual ranges (entity < 2^20,
 * |stage| < 2^15, lag < 2^10, exact in a double), else a string.
 */
function packKey(keys: number[]): number | string {
  const [entity = 0, stage = 0, lag = 0] = keys;
  if (
    keys.length <= 3 && entity >= 0 && entity < 2 ** 20 && Math.abs(stage) < 2 ** 15 && lag >= 0 &&
    lag < 2 ** 10
  ) {
    return (entity * 2 ** 16 + (stage + 2 ** 15)) * 2 ** 10 + lag;
  }
  return keys.join(":");
}

/** Row label for messages, built only when a row is wrong. */
function rowLabel(spec: TableSpec, i: number, keys: number[]): string {
  const extra = (spec.extraKeys ?? []).map((k, j) => `, ${k.name} ${keys[j + 2]}`).join("");
  return `row ${i} (${spec.entityNoun} ${keys[0]}, stage ${keys[1]}${extra})`;
}

/** Checks one value; records and returns false when it is wrong. */
function checkValue(
  issues: Issues,
  spec: TableSpec,
  column: ValueColumn,
  v: number | null | undefined,
  i: number,
  keys: number[],
): boolean {
  const file = spec.file;
  const entityId = keys[0] ?? null;
  if (v === null || v === undefined) {
    if (!column.required) return true;
    issues.error(
      "SchemaViolation",
      `${file}: ${rowLabel(spec, i, keys)} has a null "${column.name}"`,
      {
        file,
        entity_id: entityId,
        field: column.name,
        expected: "non-null DOUBLE",
        actual: "null",
      },
      `Fill "${column.name}" in every row of ${file}.`,
    );
    return false;
  }
  if (column.penalty) {
    return checkPenaltyValue(
      issues,
      file,
      entityId,
      column.name,
      v,
      `${file}: ${rowLabel(spec, i, keys)}`,
    );
  }
  const range = column.range ?? {};
  if (inRange(v, range)) return true;
  issues.error(
    "OutOfRange",
    `${file}: ${rowLabel(spec, i, keys)} column "${column.name}" is ${v}, but must be ${
      describeRange(range)
    }`,
    {
      file,
      entity_id: entityId,
      field: column.name,
      value: Number.isFinite(v) ? v : String(v),
      min: range.min ?? null,
      max: range.max ?? null,
    },
    `Correct "${column.name}" for ${spec.entityNoun} ${entityId} at stage ${keys[1]}.`,
  );
  return false;
}

function validateRows(
  issues: Issues,
  spec: TableSpec,
  rows: Record<string, number | null | undefined>[],
): TableRow[] | "error" {
  const { file } = spec;
  const out: TableRow[] = [];
  const seen = new Set<number | string>();
  let failed = false;
  const extraKeys = spec.extraKeys ?? [];
  const keyNames = [spec.entityColumn, "stage_id", ...extraKeys.map((k) => k.name)];
  const columns = spec.values;
  // Hot loop (100k+ rows for AR tables): plain loops, messages built only for wrong rows.
  rowLoop: for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Record<string, number | null | undefined>;
    const keys = new Array<number>(keyNames.length);
    for (let k = 0; k < keyNames.length; k++) {
      const name = keyNames[k] as string;
      const v = row[name];
      if (typeof v !== "number") {
        failed = true;
        issues.error(
          "SchemaViolation",
          `${file}: row ${i} has a null "${name}"`,
          { file, entity_id: null, field: name, expected: "non-null INT32", actual: "null" },
          `Every row of ${file} needs "${name}".`,
        );
        continue rowLoop;
      }
      keys[k] = v;
    }
    let rowOk = true;
    for (let j = 0; j < extraKeys.length; j++) {
      const k = extraKeys[j] as { name: string; min: number };
      const v = keys[j + 2] as number;
      if (v >= k.min) continue;
      rowOk = false;
      issues.error(
        "OutOfRange",
        `${file}: ${rowLabel(spec, i, keys)} column "${k.name}" is ${v}, but must be >= ${k.min}`,
        { file, entity_id: keys[0] ?? null, field: k.name, value: v, min: k.min, max: null },
        `Use ${k.name} values starting at ${k.min}.`,
      );
    }
    const values: Record<string, number | null> = {};
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c] as ValueColumn;
      const v = row[column.name];
      if (!checkValue(issues, spec, column, v, i, keys)) rowOk = false;
      values[column.name] = v ?? null;
    }
    const key = packKey(keys);
    if (seen.has(key)) {
      rowOk = false;
      issues.error(
        "DuplicateId",
        `${file}: ${rowLabel(spec, i, keys)} repeats a key that an earlier row already defines`,
        { file, entity_id: keys[0] ?? null, registry: `${file} (${keyNames.join(", ")})` },
        `Keep one row per (${keyNames.join(", ")}) in ${file}.`,
      );
    }
    seen.add(key);
    if (!rowOk) {
      failed = true;
      continue;
    }
    out.push({ entity_id: keys[0] as number, stage_id: keys[1] as number, keys, values });
  }
  return failed ? "error" : out;
}

const NON_NEGATIVE: Range = { min: 0 };
const FINITE: Range = {};

export const INFLOW_STATS: TableSpec = {
  file: "scenarios/inflow_seasonal_stats.parquet",
  entityColumn: "hydro_id",
  entityNoun: "hydro",
  values: [
    { name: "mean_m3s", required: true, range: FINITE },
    { name: "std_m3s", required: true, range: NON_NEGATIVE },
  ],
};

export const INFLOW_AR: TableSpec = {
  file: "scenarios/inflow_ar_coefficients.parquet",
  entityColumn: "hydro_id",
  entityNoun: "hydro",
  extraKeys: [{ name: "lag", min: 1 }],
  values: [
    { name: "coefficient", required: true, range: FINITE },
    { name: "residual_std_ratio", required: true, range: { min: 0, minExclusive: true, max: 1 } },
  ],
};

export const LOAD_STATS: TableSpec = {
  file: "scenarios/load_seasonal_stats.parquet",
  entityColumn: "bus_id",
  entityNoun: "bus",
  values: [
    { name: "mean_mw", required: true, range: FINITE },
    { name: "std_mw", required: true, range: NON_NEGATIVE },
  ],
};

export const HYDRO_BOUNDS: TableSpec = {
  file: "constraints/hydro_bounds.parquet",
  entityColumn: "hydro_id",
  entityNoun: "hydro",
  values: [
    "min_turbined_m3s",
    "max_turbined_m3s",
    "min_storage_hm3",
    "max_storage_hm3",
    "min_outflow_m3s",
    "max_outflow_m3s",
    "min_generation_mw",
    "max_generation_mw",
    "max_diversion_m3s",
    "filling_inflow_m3s",
    "water_withdrawal_m3s",
  ].map((name) => ({ name, required: false, range: NON_NEGATIVE })),
};

export const THERMAL_BOUNDS: TableSpec = {
  file: "constraints/thermal_bounds.parquet",
  entityColumn: "thermal_id",
  entityNoun: "thermal",
  values: [
    ...["min_generation_mw", "max_generation_mw", "cost_per_mwh"].map((name) => ({
      name,
      required: false,
      range: NON_NEGATIVE,
    })),
    // Reserved by Cobre for per-block costs; rows that set it are reported, not skipped.
    { name: "block_id", required: false, type: "INT32", range: NON_NEGATIVE },
  ],
};

export const LINE_BOUNDS: TableSpec = {
  file: "constraints/line_bounds.parquet",
  entityColumn: "line_id",
  entityNoun: "line",
  values: ["direct_mw", "reverse_mw"].map((name) => ({
    name,
    required: false,
    range: NON_NEGATIVE,
  })),
};

export const BUS_PENALTY_OVERRIDES: TableSpec = {
  file: "constraints/penalty_overrides_bus.parquet",
  entityColumn: "bus_id",
  entityNoun: "bus",
  values: [{ name: "excess_cost", required: false, penalty: true }],
};

export const LINE_PENALTY_OVERRIDES: TableSpec = {
  file: "constraints/penalty_overrides_line.parquet",
  entityColumn: "line_id",
  entityNoun: "line",
  values: [{ name: "exchange_cost", required: false, penalty: true }],
};

export const HYDRO_PENALTY_OVERRIDES: TableSpec = {
  file: "constraints/penalty_overrides_hydro.parquet",
  entityColumn: "hydro_id",
  entityNoun: "hydro",
  values: HYDRO_BASE_PENALTY_FIELDS.map((name) => ({ name, required: false, penalty: true })),
};

/** Every keyed table the loader reads, in reading order. */
export const KEYED_TABLES = [
  INFLOW_STATS,
  INFLOW_AR,
  LOAD_STATS,
  HYDRO_BOUNDS,
  THERMAL_BOUNDS,
  LINE_BOUNDS,
  BUS_PENALTY_OVERRIDES,
  LINE_PENALTY_OVERRIDES,
  HYDRO_PENALTY_OVERRIDES,
] as const;
