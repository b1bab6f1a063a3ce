/**
 * The `FileAccess` the server hands to every layer: each call re-checks its path with the
 * sandbox, so a caller that forgets to resolve, or a case file that is a symlink, is still caught.
 *
 * Deno's own `--allow-read`/`--allow-write` are checked at the path string, not at a symlink's
 * target, so a link inside an allowed directory would let the runtime reach outside it. This
 * layer closes that gap:
 * - reads open the canonical path, then require that the opened inode (dev + ino) is the one the
 *   canonical path names afterwards, reached with no link on the way (a swapped link is caught);
 * - writes never traverse a symbolic link: creates are exclusive (`createNew` fails on any
 *   existing entry, links included), directories are made one component at a time with each
 *   existing component lstat-checked, rename and remove refuse links and allowed roots.
 *
 * Residual risk, stated plainly: without `openat`/`O_NOFOLLOW` in Deno, a local process that can
 * write inside an allowed directory and swaps a parent directory for a link at exactly the right
 * instants can still redirect one open; the post-open checks then refuse to return its data.
 * Hard links to outside files are indistinguishable from ordinary files and are not detected.
 *
 * @module
 */
import type { FileAccess, FileInfo, RandomAccessFile } from "../common/mod.ts";
import {
  cannotRemove,
  fromFsError,
  outsideSandbox,
  pathNotFound,
  symlinkOnWritePath,
  wrongKind,
} from "./path_errors.ts";
import { joinCanonical, type PathKind } from "./paths.ts";

/** The part of the sandbox the file access needs. */
export interface PathResolver {
  locate(path: string): Promise<string | null>;
  resolve(path: string, expect?: PathKind): Promise<string>;
  resolveForWrite(path: string): Promise<string>;
  rootOf(canonicalPath: string): string | undefined;
}

/** Builds the sandboxed `FileAccess` over a path resolver. */
export function sandboxedFileAccess(paths: PathResolver): FileAccess {
  return {
    async readFile(path) {
      const { file, size } = await openVerified(paths, path);
      try {
        return await readWhole(file, size);
      } catch (error) {
        throw fromFsError(path, "read", error);
      } finally {
        file.close();
      }
    },
    openFile: (path) => openRandomAccess(paths, path),
    stat: (path) => statInside(paths, path),
    readDir: (path) => listDirectory(paths, path),
    writeNewFile: (path, data) => writeExclusive(paths, path, data),
    makeDir: (path) => makeDirNoFollow(paths, path),
    rename: (from, to) => renameInside(paths, from, to),
    remove: (path) => removeNoFollow(paths, path),
  };
}

function changedWhileOpening(path: string) {
  return outsideSandbox(path, "changed while being opened");
}

/**
 * The entry opened as `opened` must still be what `canonical` names, with no link on the way:
 * realpath must be unchanged and lstat must give the same device and inode.
 */
async function assertStillAt(canonical: string, opened: Deno.FileInfo, path: string) {
  let real: string;
  let now: Deno.FileInfo;
  try {
    real = await Deno.realPath(canonical);
    now = await Deno.lstat(canonical);
  } catch {
    throw changedWhileOpening(path);
  }
  if (real !== canonical || now.isSymlink || now.dev !== opened.dev || now.ino !== opened.ino) {
    throw changedWhileOpening(path);
  }
}

async function openVerified(paths: PathResolver, path: string) {
  const canonical = await paths.resolve(path, "file");
  let file: Deno.FsFile;
  try {
    file = await Deno.open(canonical, { read: true });
  } catch (error) {
    throw fromFsError(path, "read", error);
  }
  try {
    const opened = await file.stat();
    if (!opened.isFile) throw wrongKind(path, "file");
    await assertStillAt(canonical, opened, path);
    return { file, size: opened.size };
  } catch (error) {
    file.close();
    throw fromFsError(path, "read", error);
  }
}

/** Reads the `size` bytes the file had when opened (a snapshot even if it grows meanwhile). */
async function readWhole(file: Deno.FsFile, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let filled = 0;
  while (filled < size) {
    const n = await file.read(out.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return filled === size ? out : out.subarray(0, filled);
}

async function openRandomAccess(paths: PathResolver, path: string): Promise<RandomAccessFile> {
  const { file, size } = await openVerified(paths, path);
  // seek + read share one file position: reads are queued so concurrent callers (hyparquet
  // fetches column chunks in parallel) never interleave.
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const readRange = async (start: number, end: number) => {
    const from = Math.max(0, Math.min(start, size));
    const out = new Uint8Array(Math.max(0, Math.min(end, size) - from));
    await file.seek(from, Deno.SeekMode.Start);
    let filled = 0;
    while (filled < out.length) {
      const n = await file.read(out.subarray(filled));
      if (n === null) break;
      filled += n;
    }
    return out.subarray(0, filled);
  };
  return {
    size,
    read(start, end) {
      const result = queue.then(() => readRange(start, end)).catch((error) => {
        throw fromFsError(path, "read", error);
      });
      queue = result.catch(() => undefined);
      return result;
    },
    close() {
      if (closed) return;
      closed = true;
      file.close();
    },
  };
}

async function statInside(paths: PathResolver, path: string): Promise<FileInfo | null> {
  const canonical = await paths.locate(path);
  if (canonical === null) return null;
  try {
    const info = await Deno.stat(canonical);
    return { isFile: info.isFile, isDirectory: info.isDirectory, size: info.size };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw fromFsError(path, "read", error);
  }
}

async function listDirectory(paths: PathResolver, path: string): Promise<string[]> {
  const canonical = await paths.resolve(path, "dir");
  const names: string[] = [];
  try {
    const before = await Deno.lstat(canonical);
    for await (const entry of Deno.readDir(canonical)) names.push(entry.name);
    await assertStillAt(canonical, before, path);
  } catch (error) {
    throw fromFsError(path, "read", error);
  }
  return names.sort();
}

async function writeExclusive(paths: PathResolver, path: string, data: Uint8Array) {
  const target = await paths.resolveForWrite(path);
  let file: Deno.FsFile;
  try {
    // O_CREAT | O_EXCL: fails on anything already there, a planted symlink included.
    file = await Deno.open(target, { write: true, createNew: true });
  } catch (error) {
    throw fromFsError(path, "write", error);
  }
  try {
    await assertStillAt(target, await file.stat(), path);
    let written = 0;
    while (written < data.length) written += await file.write(data.subarray(written));
  } catch (error) {
    throw fromFsError(path, "write", error);
  } finally {
    file.close();
  }
}

async function lstatOrNull(canonical: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(canonical);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

async function makeDirNoFollow(paths: PathResolver, path: string) {
  const target = await paths.resolveForWrite(path);
  const root = paths.rootOf(target);
  if (root === undefined) throw outsideSandbox(path);
  const below = target === root ? [] : target.slice(root === "/" ? 1 : root.length + 1).split("/");
  let current = root;
  try {
    for (const name of below) {
      current = joinCanonical(current, [name]);
      let info = await lstatOrNull(current);
      if (info === null) {
        try {
          await Deno.mkdir(current); // one component: mkdir(2) never follows a final link
        } catch (error) {
          if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
        }
        info = await lstatOrNull(current);
      }
      if (info === null) throw pathNotFound(path);
      if (info.isSymlink) throw symlinkOnWritePath(path);
      if (!info.isDirectory) throw wrongKind(path, "directory");
    }
  } catch (error) {
    throw fromFsError(path, "create", error);
  }
}

async function renameInside(paths: PathResolver, from: string, to: string) {
  const source = await paths.resolveForWrite(from);
  const target = await paths.resolveForWrite(to);
  if (paths.rootOf(source) === source) throw cannotRemove(from);
  if (paths.rootOf(target) === target) throw cannotRemove(to);
  try {
    if (await lstatOrNull(source) === null) throw pathNotFound(from);
    await Deno.rename(source, target);
  } catch (error) {
    throw fromFsError(from, "rename", error);
  }
  // A parent swapped for a link between the check and the rename would have moved the entry
  // elsewhere; say so rather than report success.
  const real = await Deno.realPath(target).catch(() => null);
  if (real !== target) throw changedWhileOpening(to);
}

async function removeNoFollow(paths: PathResolver, path: string) {
  const target = await paths.resolveForWrite(path);
  if (paths.rootOf(target) === target) throw cannotRemove(path);
  try {
    // Recursive removal unlinks links found inside the tree instead of descending into them.
    await Deno.remove(target, { recursive: true });
  } catch (error) {
    throw fromFsError(path, "remove", error);
  }
}
