/**
 * Reads Parquet files through `ReadAccess` with ranged reads: the footer first, then only the
 * column chunks that a query asks for. ZSTD (what Cobre writes) and the other codecs come from
 * `hyparquet-compressors`.
 *
 * @module
 */
import { parquetMetadataAsync, parquetRead, parquetSchema } from "hyparquet";
import type { AsyncBuffer, FileMetaData, SchemaElement, SchemaTree } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import {
  asyncBufferOf,
  isCobreError,
  type RandomAccessFile,
  type ReadAccess,
} from "../common/mod.ts";
import { asOutputError, outputCorrupted } from "./errors.ts";

/** Footer bytes fetched first: Cobre footers are a few KiB, so one read usually suffices. */
const INITIAL_FOOTER_FETCH = 16 * 1024;

/** An open Parquet file: parsed footer plus a ranged-read handle. */
export interface ParquetSource {
  /** How the file is named in error records (relative to what the caller gave). */
  readonly displayName: string;
  readonly metadata: FileMetaData;
  readonly numRows: number;
  /** Top-level columns, in file order. */
  readonly columns: readonly ParquetColumn[];
  readonly file: AsyncBuffer;
  close(): void;
}

/** A top-level column and its schema node (groups keep their children for flattening). */
export interface ParquetColumn {
  readonly name: string;
  readonly element: SchemaElement;
  readonly node: SchemaTree;
}

/** Opens `path` and parses its footer; corrupt or non-Parquet files become `OutputCorrupted`. */
export async function openParquet(
  access: ReadAccess,
  path: string,
  displayName: string,
): Promise<ParquetSource> {
  let handle: RandomAccessFile;
  try {
    handle = await access.openFile(path);
  } catch (error) {
    // A partition directory without its data.parquet is a write that was interrupted (Cobre
    // writes data.parquet.tmp, then renames): the output is damaged, not the request.
    const missing = error instanceof Deno.errors.NotFound ||
      (isCobreError(error) && error.record.kind === "MissingFile");
    if (missing) throw outputCorrupted(displayName, "file is missing (interrupted write?)");
    throw asOutputError(error, displayName);
  }
  try {
    const file = asyncBufferOf(handle);
    if (handle.size < 12) throw outputCorrupted(displayName, "file too short to be Parquet");
    const metadata = await parquetMetadataAsync(file, { initialFetchSize: INITIAL_FOOTER_FETCH });
    const tree = parquetSchema(metadata);
    const columns = tree.children.map((node) => ({
      name: node.element.name,
      element: node.element,
      node,
    }));
    return {
      displayName,
      metadata,
      numRows: Number(metadata.num_rows),
      columns,
      file,
      close: () => handle.close(),
    };
  } catch (error) {
    handle.close();
    throw asOutputError(error, displayName);
  }
}

/**
 * Reads `columns` for rows `[rowStart, rowEnd)` as row arrays in the order of `columns`.
 * Only the column chunks of the row groups overlapping the range are fetched.
 */
export async function readParquetRows(
  source: ParquetSource,
  columns: readonly string[],
  rowStart: number,
  rowEnd: number,
): Promise<unknown[][]> {
  if (rowEnd <= rowStart || columns.length === 0) {
    return Array.from({ length: Math.max(0, rowEnd - rowStart) }, () => []);
  }
  try {
    let rows: unknown[][] = [];
    await parquetRead({
      file: source.file,
      metadata: source.metadata,
      columns: [...columns],
      rowStart,
      rowEnd,
      compressors,
      onComplete: (data: unknown[][]) => {
        rows = data;
      },
    });
    if (rows.length !== rowEnd - rowStart) {
      throw outputCorrupted(
        source.displayName,
        `expected ${rowEnd - rowStart} rows, decoded ${rows.length}`,
      );
    }
    return rows;
  } catch (error) {
    throw asOutputError(error, source.displayName);
  }
}

/** Reads one column over `[rowStart, rowEnd)` as a flat array. */
export async function readParquetColumn(
  source: ParquetSource,
  column: string,
  rowStart: number,
  rowEnd: number,
): Promise<unknown[]> {
  const rows = await readParquetRows(source, [column], rowStart, rowEnd);
  return rows.map((row) => row[0]);
}
