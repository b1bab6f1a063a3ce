/**
 * Parquet → JSON conversion of the MCP spec SS3.2, in one place for queries, exports and
 * resources:
 * - INT32/INT64 (with or without INT annotation) → JSON numbers; a BigInt never reaches JSON.
 *   INT64 values beyond ±2^53 lose precision, as any JSON number would.
 * - FLOAT/DOUBLE → numbers; NaN and ±Infinity (not representable in JSON) → null.
 * - UTF8 byte arrays → strings; other binary → base64 strings.
 * - DATE → `YYYY-MM-DD`; TIMESTAMP → ISO 8601 datetime.
 * - Nulls → null. Nested groups → one column per leaf, named by its dotted path
 *   (`timing.forward_ms`); lists and maps stay JSON arrays/objects.
 * - Resource responses stop at 10,000 rows, reporting `truncated` and the exact `total_rows`.
 *
 * @module
 */
import type { SchemaTree } from "hyparquet";
import type { JsonValue, ReadAccess } from "../common/mod.ts";
import { openParquet, type ParquetColumn, readParquetRows } from "./parquet_read.ts";

/** Row cap of resource responses (SS3.2) and of `limit` in `queryResults`. */
export const MAX_JSON_ROWS = 10_000;

/** A table converted to JSON: the shape `cobre/query-results` returns. */
export interface JsonTable {
  columns: string[];
  rows: JsonValue[][];
  total_rows: number;
  truncated: boolean;
}

function base64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

function isDateOnly(node: SchemaTree | undefined): boolean {
  const element = node?.element;
  return element?.converted_type === "DATE" || element?.logical_type?.type === "DATE";
}

/** Converts one decoded Parquet value to JSON (`node` tells DATE apart from TIMESTAMP). */
export function parquetValueToJson(value: unknown, node?: SchemaTree): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "bigint":
      return Number(value);
    case "number":
      return Number.isFinite(value) ? value : null;
    case "boolean":
    case "string":
      return value;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    const iso = value.toISOString();
    return isDateOnly(node) ? iso.slice(0, 10) : iso;
  }
  if (value instanceof Uint8Array) return base64(value);
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const items = Array.from(value as ArrayLike<unknown>);
    const child = node?.children[0]?.children[0] ?? node?.children[0];
    return items.map((item) => parquetValueToJson(item, child));
  }
  if (typeof value === "object") {
    const out: Record<string, JsonValue> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = parquetValueToJson(item, node?.children.find((c) => c.element.name === key));
    }
    return out;
  }
  return String(value);
}

/** True for a group that is a plain struct (flattened), not a LIST or MAP (kept whole). */
function isStruct(node: SchemaTree): boolean {
  const element = node.element;
  if (node.children.length === 0) return false;
  if (element.repetition_type === "REPEATED") return false;
  const annotation = element.converted_type ?? element.logical_type?.type;
  return annotation !== "LIST" && annotation !== "MAP" && annotation !== "MAP_KEY_VALUE";
}

/** One JSON column: its dotted name and how to pull it out of a top-level cell. */
export interface LeafColumn {
  readonly name: string;
  readonly topLevel: string;
  readonly path: readonly string[];
  readonly node: SchemaTree;
}

/** Flattens top-level columns into leaf columns with dotted names (structs only). */
export function leafColumns(columns: readonly ParquetColumn[]): LeafColumn[] {
  const out: LeafColumn[] = [];
  const visit = (node: SchemaTree, topLevel: string, path: string[]) => {
    if (isStruct(node)) {
      for (const child of node.children) visit(child, topLevel, [...path, child.element.name]);
    } else {
      out.push({ name: [topLevel, ...path].join("."), topLevel, path, node });
    }
  };
  for (const column of columns) visit(column.node, column.name, []);
  return out;
}

/** Pulls a leaf value out of its top-level cell (a nested object for struct columns). */
export function leafValue(cell: unknown, leaf: LeafColumn): JsonValue {
  let value = cell;
  for (const key of leaf.path) {
    if (value === null || value === undefined || typeof value !== "object") return null;
    value = (value as Record<string, unknown>)[key];
  }
  return parquetValueToJson(value, leaf.node);
}

/**
 * Reads a whole Parquet file as JSON rows under SS3.2, stopping at `limit` rows (10,000 by
 * default) while `total_rows` stays exact (taken from the footer, so no data past the limit is
 * decoded).
 */
export async function readParquetJson(
  access: ReadAccess,
  path: string,
  displayName: string,
  limit: number = MAX_JSON_ROWS,
): Promise<JsonTable> {
  const source = await openParquet(access, path, displayName);
  try {
    const leaves = leafColumns(source.columns);
    const topLevel = source.columns.map((c) => c.name);
    const wanted = Math.min(limit, source.numRows);
    const cells = await readParquetRows(source, topLevel, 0, wanted);
    const index = new Map(topLevel.map((name, i) => [name, i]));
    const rows = cells.map((cellRow) =>
      leaves.map((leaf) => leafValue(cellRow[index.get(leaf.topLevel) ?? -1], leaf))
    );
    return {
      columns: leaves.map((leaf) => leaf.name),
      rows,
      total_rows: source.numRows,
      truncated: source.numRows > rows.length,
    };
  } finally {
    source.close();
  }
}
