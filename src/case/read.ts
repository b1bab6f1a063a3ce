/**
 * Reads case files through a `ReadAccess`: size limits before reading, strict UTF-8, JSON with a
 * line number on syntax errors, Parquet with column type checks. Failures become records in
 * `Issues` that name the file relative to the case directory and never echo an absolute path or
 * a stack trace.
 *
 * @module
 */
import { join } from "node:path";
import { parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import type { AsyncBuffer, FileMetaData } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import {
  asyncBufferOf,
  isCobreError,
  type RandomAccessFile,
  type ReadAccess,
} from "../common/mod.ts";
import type { Issues } from "./issues.ts";
import { findJsonSyntaxError } from "./json_syntax.ts";

/** Size limits applied before any input is decoded. */
export interface ReadLimits {
  /** Largest JSON file read; real registries are a few MB at most. */
  json_bytes: number;
  /** Largest Parquet file opened. */
  parquet_bytes: number;
  /** Most rows a Parquet file may declare (decoded rows live in memory). */
  parquet_rows: number;
  /**
   * Largest total uncompressed column size a Parquet footer may declare: a small, highly
   * compressed file could otherwise expand to gigabytes.
   */
  parquet_uncompressed_bytes: number;
}

/** Default limits: far above national-scale studies, far below what exhausts memory. */
export const DEFAULT_READ_LIMITS: Readonly<ReadLimits> = Object.freeze({
  json_bytes: 64 * 1024 * 1024,
  parquet_bytes: 512 * 1024 * 1024,
  parquet_rows: 20_000_000,
  parquet_uncompressed_bytes: 2 * 1024 * 1024 * 1024,
});

/** Options of the case entry points. */
export interface CaseReadOptions {
  limits?: Partial<ReadLimits>;
}

/** Where a case lives and how to read it. */
export interface CaseFiles {
  caseDir: string;
  access: ReadAccess;
  issues: Issues;
  /** Relative paths actually read (for `files_checked`). */
  checked: Set<string>;
  limits: ReadLimits;
}

/** Builds the reading context of a case. */
export function caseFiles(
  caseDir: string,
  access: ReadAccess,
  issues: Issues,
  options: CaseReadOptions = {},
): CaseFiles {
  return {
    caseDir,
    access,
    issues,
    checked: new Set(),
    limits: { ...DEFAULT_READ_LIMITS, ...options.limits },
  };
}

/** Absolute path of a case file given its path relative to the case directory. */
export function casePath(files: CaseFiles, rel: string): string {
  return join(files.caseDir, ...rel.split("/"));
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${bytes} bytes`;
}

/** Turns an exception from the file layer into a record without leaking its message. */
function recordAccessFailure(files: CaseFiles, rel: string, error: unknown): void {
  if (isCobreError(error)) {
    // The sandbox already wrote a record fit for an agent; keep its kind but name our file.
    files.issues.passthrough({ ...error.record, context: { ...error.record.context, file: rel } });
    return;
  }
  files.issues.error(
    "ParseError",
    `${rel}: the file could not be read`,
    { file: rel, detail: errorName(error) },
    "Check that the file is readable by the server process and is not being written right now.",
  );
}

function errorName(error: unknown): string {
  // Only the class name: Deno's messages embed absolute paths.
  return error instanceof Error ? `read failed (${error.name})` : "read failed";
}

/** Checks existence, kind and size. Returns the size, or null after recording why not. */
async function checkFile(
  files: CaseFiles,
  rel: string,
  required: boolean,
  maxBytes: number,
  what: string,
): Promise<number | null | "absent"> {
  let info;
  try {
    info = await files.access.stat(casePath(files, rel));
  } catch (error) {
    recordAccessFailure(files, rel, error);
    return null;
  }
  if (info === null) {
    if (!required) return "absent";
    files.issues.error(
      "MissingFile",
      rel === "config.json"
        ? "Case directory has no config.json"
        : `Case directory has no ${rel}, which every Cobre case requires`,
      { file: rel },
      `Create ${rel} in the case directory (see the Cobre case format reference).`,
    );
    return null;
  }
  files.checked.add(rel);
  if (!info.isFile) {
    files.issues.error(
      "ParseError",
      `${rel}: expected a ${what} file but found a directory`,
      { file: rel, detail: "path is a directory" },
      `Replace the directory ${rel} with the ${what} file.`,
    );
    return null;
  }
  if (info.size > maxBytes) {
    files.issues.error(
      "ParseError",
      `${rel}: file is ${formatBytes(info.size)}, above the ${
        formatBytes(maxBytes)
      } limit for ${what} input`,
      { file: rel, detail: `size ${info.size} bytes exceeds limit ${maxBytes} bytes` },
      "Check that this is the intended file; inputs this large are almost certainly a mistake.",
    );
    return null;
  }
  return info.size;
}

/** Result of reading an optional or required file. */
export type ReadResult<T> = { status: "ok"; value: T } | { status: "absent" } | {
  status: "error";
};

/** Reads and parses a JSON file. Missing required files and parse failures are recorded. */
export async function readJson(
  files: CaseFiles,
  rel: string,
  required: boolean,
): Promise<ReadResult<unknown>> {
  const size = await checkFile(files, rel, required, files.limits.json_bytes, "JSON");
  if (size === "absent") return { status: "absent" };
  if (size === null) return { status: "error" };
  let bytes: Uint8Array;
  try {
    bytes = await files.access.readFile(casePath(files, rel));
  } catch (error) {
    recordAccessFailure(files, rel, error);
    return { status: "error" };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    files.issues.error(
      "ParseError",
      `${rel}: file is not valid UTF-8 text`,
      { file: rel, detail: "invalid UTF-8 byte sequence" },
      `Save ${rel} as UTF-8 (JSON must be UTF-8 encoded).`,
    );
    return { status: "error" };
  }
  try {
    return { status: "ok", value: JSON.parse(text) };
  } catch {
    const where = findJsonSyntaxError(text);
    const line = where?.line ?? null;
    const reason = where?.reason ?? "malformed JSON";
    files.issues.error(
      "ParseError",
      `${rel}: invalid JSON${
        where ? ` at line ${where.line}, column ${where.column}` : ""
      }: ${reason}`,
      where
        ? { file: rel, line, column: where.column, detail: reason }
        : { file: rel, line: null, detail: reason },
      `Fix the JSON syntax in ${rel}${
        where ? ` near line ${where.line}` : ""
      }; JSON allows no comments, trailing commas or single quotes.`,
    );
    return { status: "error" };
  }
}

/** Parquet physical column types the case format uses. */
export type ParquetColumnType = "INT32" | "DOUBLE";

/** A column the reader expects. */
export interface ParquetColumnSpec {
  name: string;
  type: ParquetColumnType;
  required: boolean;
}

/** Rows of a Parquet file with only the requested columns; absent optional columns are missing. */
export type ParquetRow = Record<string, number | null | undefined>;

/** Below this size a Parquet file is read in one call and sliced in memory. */
const WHOLE_FILE_BYTES = 16 * 1024 * 1024;

/** Top-level column name → physical type, from the footer. */
function topLevelColumns(meta: FileMetaData): Map<string, string> {
  const columns = new Map<string, string>();
  const root = meta.schema[0];
  let i = 1;
  const count = root?.num_children ?? 0;
  for (let child = 0; child < count && i < meta.schema.length; child++) {
    const element = meta.schema[i];
    if (!element) break;
    columns.set(element.name, element.type ?? "GROUP");
    i += 1 + countDescendants(meta, i);
  }
  return columns;
}

function countDescendants(meta: FileMetaData, index: number): number {
  const element = meta.schema[index];
  let total = 0;
  let next = index + 1;
  for (let c = 0; c < (element?.num_children ?? 0); c++) {
    const size = 1 + countDescendants(meta, next);
    total += size;
    next += size;
  }
  return total;
}

/** Refuses a footer that declares more rows or uncompressed bytes than the limits allow. */
function withinDeclaredSize(files: CaseFiles, rel: string, meta: FileMetaData): boolean {
  const rows = Number(meta.num_rows);
  let uncompressed = 0;
  for (const group of meta.row_groups) {
    for (const column of group.columns) {
      uncompressed += Number(column.meta_data?.total_uncompressed_size ?? 0);
    }
  }
  const { parquet_rows: maxRows, parquet_uncompressed_bytes: maxBytes } = files.limits;
  if (rows <= maxRows && uncompressed <= maxBytes) return true;
  const what = rows > maxRows
    ? `${rows} rows, above the limit of ${maxRows}`
    : `${formatBytes(uncompressed)} of uncompressed data, above the ${formatBytes(maxBytes)} limit`;
  files.issues.error(
    "ParseError",
    `${rel}: the file declares ${what}`,
    { file: rel, detail: `declared rows ${rows}, uncompressed bytes ${uncompressed}` },
    "Check that this is the intended file; inputs this large are almost certainly a mistake.",
  );
  return false;
}

/** Opens a Parquet file and reads its footer; records ParseError when it is not Parquet. */
async function openParquet(
  files: CaseFiles,
  rel: string,
  required: boolean,
): Promise<{ file: RandomAccessFile; buffer: AsyncBuffer; meta: FileMetaData } | "absent" | null> {
  const size = await checkFile(files, rel, required, files.limits.parquet_bytes, "Parquet");
  if (size === "absent") return "absent";
  if (size === null) return null;
  let file: RandomAccessFile;
  try {
    file = await files.access.openFile(casePath(files, rel));
  } catch (error) {
    recordAccessFailure(files, rel, error);
    return null;
  }
  const buffer = asyncBufferOf(file, WHOLE_FILE_BYTES);
  try {
    const magic = new Uint8Array(await buffer.slice(0, 4));
    const tail = new Uint8Array(await buffer.slice(Math.max(0, file.size - 4), file.size));
    const isParquet = file.size >= 12 && String.fromCharCode(...magic) === "PAR1" &&
      String.fromCharCode(...tail) === "PAR1";
    if (!isParquet) {
      file.close();
      files.issues.error(
        "ParseError",
        `${rel}: not a Parquet file (missing the PAR1 header or footer; the file may be truncated)`,
        { file: rel, detail: "missing PAR1 magic bytes" },
        `Regenerate ${rel} with a Parquet writer (e.g. pyarrow or polars); it must be a complete Parquet file.`,
      );
      return null;
    }
    const meta = await parquetMetadataAsync(buffer);
    if (!withinDeclaredSize(files, rel, meta)) {
      file.close();
      return null;
    }
    return { file, buffer, meta };
  } catch {
    file.close();
    files.issues.error(
      "ParseError",
      `${rel}: the Parquet footer could not be decoded (the file is corrupt or truncated)`,
      { file: rel, detail: "invalid Parquet metadata" },
      `Regenerate ${rel}; the file is damaged.`,
    );
    return null;
  }
}

/**
 * Reads a Parquet file's requested columns. Missing required columns are SchemaViolation, wrong
 * physical types TypeMismatch; either makes the whole file unusable (status "error").
 */
export async function readParquet(
  files: CaseFiles,
  rel: string,
  columns: readonly ParquetColumnSpec[],
  required = false,
): Promise<ReadResult<ParquetRow[]>> {
  const opened = await openParquet(files, rel, required);
  if (opened === "absent") return { status: "absent" };
  if (opened === null) return { status: "error" };
  const { file, buffer, meta } = opened;
  try {
    const present = topLevelColumns(meta);
    let usable = true;
    const toRead: string[] = [];
    for (const spec of columns) {
      const actual = present.get(spec.name);
      if (actual === undefined) {
        if (spec.required) {
          usable = false;
          files.issues.error(
            "SchemaViolation",
            `${rel}: required column "${spec.name}" is missing`,
            {
              file: rel,
              entity_id: null,
              field: spec.name,
              expected: `column ${spec.name} (${spec.type})`,
              actual: "absent",
            },
            `Add the column "${spec.name}" of type ${spec.type} to ${rel}.`,
          );
        }
        continue;
      }
      if (actual !== spec.type) {
        usable = false;
        files.issues.error(
          "TypeMismatch",
          `${rel}: column "${spec.name}" has Parquet type ${actual}, but Cobre requires ${spec.type}`,
          {
            file: rel,
            entity_id: null,
            field: spec.name,
            expected_type: spec.type,
            actual_type: actual,
          },
          `Write "${spec.name}" as ${
            spec.type === "INT32"
              ? "32-bit integers (e.g. pyarrow pa.int32())"
              : "64-bit floats (pa.float64())"
          }.`,
        );
        continue;
      }
      toRead.push(spec.name);
    }
    if (!usable) return { status: "error" };
    if (toRead.length === 0 || Number(meta.num_rows) === 0) return { status: "ok", value: [] };
    const rows = await parquetReadObjects({
      file: buffer,
      metadata: meta,
      columns: toRead,
      compressors,
    });
    return { status: "ok", value: rows as ParquetRow[] };
  } catch {
    files.issues.error(
      "ParseError",
      `${rel}: the Parquet data could not be decoded (corrupt pages or an unsupported encoding)`,
      { file: rel, detail: "column data could not be decoded" },
      `Regenerate ${rel} with a standard Parquet writer using ZSTD, Snappy or no compression.`,
    );
    return { status: "error" };
  } finally {
    file.close();
  }
}

/** Reads only the footer of a Parquet file (row count and columns), without decoding data. */
export async function readParquetFooter(
  files: CaseFiles,
  rel: string,
): Promise<ReadResult<{ num_rows: number; columns: Map<string, string>; meta: FileMetaData }>> {
  const opened = await openParquet(files, rel, false);
  if (opened === "absent") return { status: "absent" };
  if (opened === null) return { status: "error" };
  opened.file.close();
  return {
    status: "ok",
    value: {
      num_rows: Number(opened.meta.num_rows),
      columns: topLevelColumns(opened.meta),
      meta: opened.meta,
    },
  };
}
