/**
 * The JSON shape of tabular resources (spec SS3.2): rows as objects keyed by column name (nested
 * Parquet columns already flattened to dotted names such as `timing.forward_ms`), the column
 * order, and the 10,000-row cap with `truncated` and the exact `total_rows`.
 *
 * @module
 */
import type { JsonValue } from "../../common/mod.ts";
import { type JsonTable, MAX_JSON_ROWS } from "../../output/mod.ts";

/** A table as resources serve it. */
export interface JsonRecords {
  columns: string[];
  rows: Record<string, JsonValue>[];
  total_rows: number;
  truncated: boolean;
}

/** Converts a column/row table (as the output readers return it) to records. */
export function tableAsRecords(table: JsonTable): JsonRecords {
  return {
    columns: table.columns,
    rows: table.rows.map((row) => {
      const record: Record<string, JsonValue> = {};
      table.columns.forEach((name, i) => (record[name] = row[i] ?? null));
      return record;
    }),
    total_rows: table.total_rows,
    truncated: table.truncated,
  };
}

/** Caps records already in memory at the SS3.2 limit (`MAX_JSON_ROWS`). */
export function capRecords(columns: string[], rows: Record<string, JsonValue>[]): JsonRecords {
  const truncated = rows.length > MAX_JSON_ROWS;
  return {
    columns,
    rows: truncated ? rows.slice(0, MAX_JSON_ROWS) : rows,
    total_rows: rows.length,
    truncated,
  };
}
