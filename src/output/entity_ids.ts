/**
 * Resolves `entity_id` filters to the integer ids Cobre output files hold (`hydro_id`, ...).
 *
 * Rules, in order, for each requested entity:
 * 1. a number, or a string of digits (`"3"`), is the id itself;
 * 2. a name is looked up, case-insensitively, in the names the caller passes (from the case);
 * 3. then in the output's own `training/dictionaries/entities.csv` (written by Cobre and by us);
 * 4. otherwise the query fails with an `InvalidArgument` record listing the known names.
 *
 * @module
 */
import { posix } from "node:path";
import { CobreError, errorRecord, type ReadAccess } from "../common/mod.ts";
import { asOutputError } from "./errors.ts";
import type { TableSpec } from "./schemas.ts";

/** An `entity_id` filter as the MCP tools accept it. */
export type EntityIdFilter = string | number | readonly (string | number)[];

/** Names → ids for one entity type (keys compared case-insensitively). */
export type EntityNames = ReadonlyMap<string, number>;

/** Path of the entity dictionary inside an output directory. */
export const ENTITIES_CSV = "training/dictionaries/entities.csv";

/** Splits one CSV line, honouring double-quoted fields. */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        current += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ",") {
      fields.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  fields.push(current);
  return fields;
}

/** Known names keyed by their lower-case form, keeping the spelling for messages. */
type NameIndex = Map<string, { name: string; id: number }>;

/** Reads the names of one entity type from `entities.csv`; empty when the file is absent. */
async function readEntityNames(
  access: ReadAccess,
  outputDir: string,
  entityTypeCode: number,
): Promise<NameIndex> {
  const path = posix.join(outputDir, ENTITIES_CSV);
  const names: NameIndex = new Map();
  if ((await access.stat(path)) === null) return names;
  let text: string;
  try {
    text = new TextDecoder().decode(await access.readFile(path));
  } catch (error) {
    throw asOutputError(error, path);
  }
  const [header, ...lines] = text.split(/\r?\n/).filter((line) => line.length > 0);
  const columns = splitCsvLine(header ?? "");
  const typeAt = columns.indexOf("entity_type_code");
  const idAt = columns.indexOf("entity_id");
  const nameAt = columns.indexOf("name");
  if (typeAt < 0 || idAt < 0 || nameAt < 0) return names;
  for (const line of lines) {
    const fields = splitCsvLine(line);
    if (Number(fields[typeAt]) !== entityTypeCode) continue;
    const id = Number(fields[idAt]);
    const name = fields[nameAt];
    if (Number.isInteger(id) && name) names.set(name.toLowerCase(), { name, id });
  }
  return names;
}

function indexNames(names: EntityNames | undefined): NameIndex {
  const index: NameIndex = new Map();
  for (const [name, id] of names ?? []) index.set(name.toLowerCase(), { name, id });
  return index;
}

function unknownEntity(table: TableSpec, value: string, known: NameIndex): CobreError {
  const knownNames = [...known.values()].map((entry) => entry.name).slice(0, 20);
  return new CobreError(
    errorRecord(
      "InvalidArgument",
      `Unknown ${table.name} entity "${value}": not an integer id and not a known name`,
      { argument: "filters.entity_id", value, known_names: knownNames },
      knownNames.length > 0
        ? `Use an integer ${table.entityIdColumn} or one of the names: ${knownNames.join(", ")}.`
        : `Use the integer ${table.entityIdColumn}; this output has no entity dictionary.`,
    ),
  );
}

/**
 * Resolves an `entity_id` filter to integer ids. Names are only looked up (and the dictionary
 * only read) when some requested value is not an id.
 */
export async function resolveEntityIds(
  filter: EntityIdFilter,
  table: TableSpec,
  access: ReadAccess,
  outputDir: string,
  names?: EntityNames,
): Promise<number[]> {
  if (table.entityIdColumn === null) {
    throw new CobreError(
      errorRecord(
        "InvalidArgument",
        `The ${table.name} table has no entity column, so entity_id does not apply`,
        { argument: "filters.entity_id" },
        "Drop filters.entity_id, or query an entity table such as hydros or thermals.",
      ),
    );
  }
  const requested = Array.isArray(filter) ? filter : [filter as string | number];
  if (requested.length === 0) {
    throw new CobreError(
      errorRecord("InvalidArgument", "filters.entity_id is an empty list", {
        argument: "filters.entity_id",
      }, "Give at least one entity id or name, or omit the filter."),
    );
  }
  let known: NameIndex | null = null;
  const ids: number[] = [];
  for (const value of requested) {
    if (typeof value === "number" && Number.isInteger(value)) {
      ids.push(value);
      continue;
    }
    const text = String(value).trim();
    if (/^-?\d+$/.test(text)) {
      ids.push(Number(text));
      continue;
    }
    if (known === null) {
      known = indexNames(names);
      if (table.entityTypeCode !== null) {
        const fromOutput = await readEntityNames(access, outputDir, table.entityTypeCode);
        for (const [key, entry] of fromOutput) if (!known.has(key)) known.set(key, entry);
      }
    }
    const entry = known.get(text.toLowerCase());
    if (entry === undefined) throw unknownEntity(table, text, known);
    ids.push(entry.id);
  }
  return [...new Set(ids)];
}
