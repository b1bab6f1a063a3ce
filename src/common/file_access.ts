/**
 * The file access contract every layer reads and writes through.
 *
 * `case`, `engine` and `output` never call `Deno.readFile` on a path they were handed: they take a
 * `FileAccess`. The server passes the sandboxed implementation from `src/security` (canonical
 * paths, containment by path segments, inode re-check after open, no-follow exclusive creates);
 * tests and benchmarks may pass `directFileAccess`, which trusts its caller.
 *
 * All paths are absolute. Implementations throw `CobreError` for refusals and missing files so the
 * caller can forward the record unchanged.
 *
 * @module
 */

/** What `stat` reports about a path (after resolving symlinks). */
export interface FileInfo {
  isFile: boolean;
  isDirectory: boolean;
  size: number;
}

/** A file opened for random-access reads (Parquet footers, column chunks). */
export interface RandomAccessFile {
  readonly size: number;
  /** Reads bytes `[start, end)`; `end` is clamped to the file size. Safe to call concurrently. */
  read(start: number, end: number): Promise<Uint8Array>;
  close(): void;
}

/** Read side of the contract. */
export interface ReadAccess {
  readFile(path: string): Promise<Uint8Array>;
  openFile(path: string): Promise<RandomAccessFile>;
  /** Null when nothing exists at `path`. */
  stat(path: string): Promise<FileInfo | null>;
  /** Entry names of a directory, sorted. */
  readDir(path: string): Promise<string[]>;
}

/** Write side: only what atomic output writing needs. */
export interface WriteAccess {
  /** Creates `path` exclusively (fails if anything, including a symlink, is there) and writes it. */
  writeNewFile(path: string, data: Uint8Array): Promise<void>;
  /** Creates a directory and its missing parents; never follows a symlink planted on the way. */
  makeDir(path: string): Promise<void>;
  /** Renames within the same allowed directory (the atomic publish step). */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file or directory tree (used to clean temporary output). */
  remove(path: string): Promise<void>;
}

export type FileAccess = ReadAccess & WriteAccess;
