/**
 * Reading single case files for the case resources: one JSON document, one entity registry, or
 * the rows of one scenario Parquet file that belong to one entity. Errors are the case layer's
 * kinds (`MissingFile`, `ParseError`) naming the file relative to the case directory.
 *
 * @module
 */
import { posix } from "node:path";
import {
  CobreError,
  errorRecord,
  isCobreError,
  isObject,
  messageOf,
  type ReadAccess,
} from "../../common/mod.ts";
import { DEFAULT_READ_LIMITS } from "../../case/mod.ts";
import { openParquet, parquetValueToJson, readParquetRows } from "../../output/mod.ts";
import type { JsonValue } from "../../common/mod.ts";

/** Where each entity type of the entities resource lives (spec SS3.1 variable list). */
export const ENTITY_REGISTRIES = {
  hydros: { file: "system/hydros.json", key: "hydros", required: true },
  thermals: { file: "system/thermals.json", key: "thermals", required: true },
  buses: { file: "system/buses.json", key: "buses", required: true },
  lines: { file: "system/lines.json", key: "lines", required: true },
  contracts: { file: "system/energy_contracts.json", key: "contracts", required: false },
} as const;

/** An entity type the entities resource serves. */
export type RegistryType = keyof typeof ENTITY_REGISTRIES;

/** Entity types of the entities resource, in spec order. */
export const REGISTRY_TYPES = Object.keys(ENTITY_REGISTRIES) as RegistryType[];

function missingCaseFile(rel: string, required: boolean): CobreError {
  return new CobreError(errorRecord(
    "MissingFile",
    required
      ? `Case directory has no ${rel}, which every Cobre case requires`
      : `Case directory has no ${rel} (an optional file this case does not use)`,
    { file: rel },
    required
      ? `Create ${rel} in the case directory (see the Cobre case format reference).`
      : `This case defines none of what ${rel} holds; add the file to define some.`,
  ));
}

function parseError(rel: string, detail: string): CobreError {
  return new CobreError(errorRecord(
    "ParseError",
    `${rel} cannot be read: ${detail}`,
    { file: rel, line: null, detail },
    `Fix ${rel}; cobre/validate reports every problem of the case at once.`,
  ));
}

/** Reads and parses `<caseDir>/<rel>`; `MissingFile` when absent, `ParseError` when not JSON. */
export async function readCaseJson(
  caseDir: string,
  rel: string,
  access: ReadAccess,
  required = true,
): Promise<JsonValue> {
  const path = posix.join(caseDir, rel);
  const info = await access.stat(path);
  if (info === null || !info.isFile) throw missingCaseFile(rel, required);
  if (info.size > DEFAULT_READ_LIMITS.json_bytes) {
    throw parseError(rel, `file is ${info.size} bytes, more than a case file may hold`);
  }
  const bytes = await access.readFile(path);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw parseError(rel, "not valid UTF-8");
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw parseError(rel, messageOf(error));
  }
}

/** The entries of one entity registry (`system/hydros.json` → its `hydros` array). */
export async function readRegistry(
  caseDir: string,
  type: RegistryType,
  access: ReadAccess,
): Promise<{ file: string; entities: JsonValue[] }> {
  const { file, key, required } = ENTITY_REGISTRIES[type];
  const document = await readCaseJson(caseDir, file, access, required);
  const list = isObject(document) ? document[key] : undefined;
  if (!Array.isArray(list)) throw parseError(file, `"${key}" is missing or not an array`);
  return { file, entities: list as JsonValue[] };
}

/** Rows of a table as JSON objects (column → value), with the SS3.2 cap applied by the caller. */
export interface EntityRows {
  columns: string[];
  rows: Record<string, JsonValue>[];
}

/**
 * Rows of `<caseDir>/<rel>` whose `idColumn` equals `id`, every other column kept (so columns a
 * newer Cobre adds still show). Null when the file is absent. Corrupt files are `ParseError`s.
 */
export async function readEntityRows(
  caseDir: string,
  rel: string,
  idColumn: string,
  id: number,
  access: ReadAccess,
): Promise<EntityRows | null> {
  const path = posix.join(caseDir, rel);
  if ((await access.stat(path)) === null) return null;
  try {
    const source = await openParquet(access, path, rel);
    try {
      if (source.numRows > DEFAULT_READ_LIMITS.parquet_rows) {
        throw parseError(rel, `declares ${source.numRows} rows, more than a case file may hold`);
      }
      const names = source.columns.map((column) => column.name);
      const idAt = names.indexOf(idColumn);
      if (idAt < 0) throw parseError(rel, `required column "${idColumn}" is missing`);
      // Only the id column is decoded in full; the others only over the span holding the entity
      // (Cobre files are sorted by entity, so the span is that entity's rows).
      const ids = (await readParquetRows(source, [idColumn], 0, source.numRows)).map((r) => r[0]);
      const first = ids.findIndex((value) => Number(value) === id);
      const last = ids.findLastIndex((value) => Number(value) === id);
      const cells = first < 0 ? [] : await readParquetRows(source, names, first, last + 1);
      const kept = source.columns
        .map((column, at) => ({ column, at }))
        .filter(({ column }) => column.name !== idColumn);
      const rows: Record<string, JsonValue>[] = [];
      for (const cell of cells) {
        if (Number(cell[idAt]) !== id) continue;
        const row: Record<string, JsonValue> = {};
        for (const { column, at } of kept) {
          row[column.name] = parquetValueToJson(cell[at], column.node);
        }
        rows.push(row);
      }
      return { columns: kept.map(({ column }) => column.name), rows };
    } finally {
      source.close();
    }
  } catch (error) {
    // The output reader speaks of output files; for a case file the kind is ParseError.
    if (isCobreError(error) && error.record.kind === "OutputCorrupted") {
      throw parseError(rel, String(error.record.context.detail ?? error.record.message));
    }
    throw error;
  }
}
