/**
 * The path sandbox: every path from a tool argument or resource URI is canonicalised with
 * realpath and must lie inside a canonical allowed directory by whole path segments.
 *
 * The string checked is the string opened: no trimming, no quote stripping, no URL decoding.
 * Callers open the canonical path this returns, never the string they were given.
 *
 * @module
 */
import { posix } from "node:path";
import { CobreError, errorRecord, type FileAccess } from "../common/mod.ts";
import { outsideSandbox, pathNotFound, symlinkOnWritePath, wrongKind } from "./path_errors.ts";
import { canonicalDir } from "./config_paths.ts";
import { findDescriptorDir } from "./descriptor_dir.ts";
import { isWithin, joinCanonical, malformedReason, type PathKind } from "./paths.ts";
import { type PathResolver, sandboxedFileAccess } from "./sandboxed_access.ts";

/** Allowed directories, canonicalised once at start, and the checks built on them. */
export class Sandbox implements PathResolver {
  /** Canonical allowed directories, for roots/list and logs; never put them in error messages. */
  readonly roots: readonly string[];
  /** File access that re-checks every path it is handed (see `sandboxed_access.ts`). */
  readonly access: FileAccess;
  /**
   * Where this process can read its own descriptors' kernel paths (`/proc/self/fd` or a link to
   * it), or null; with it, reads are immune to swapped-directory races (`sandboxed_access.ts`).
   */
  readonly descriptorDir: string | null;

  private constructor(roots: string[], descriptorDir: string | null) {
    this.roots = Object.freeze(roots);
    this.descriptorDir = descriptorDir;
    this.access = sandboxedFileAccess(this);
  }

  /** True when reads check the kernel path of what they opened (see `descriptorDir`). */
  get raceProofReads(): boolean {
    return this.descriptorDir !== null;
  }

  /**
   * Canonicalises the allowed directories (symlinks resolved once, here) and builds a sandbox.
   * Relative entries are taken against the current directory: this is server configuration,
   * not agent input. Throws when a directory is missing or not a directory.
   *
   * `stateDir` (the server's private state directory, never an allowed dir) is where
   * `launchLine` leaves a link to `/proc/self/fd` for sandboxed processes on Linux (see
   * `descriptor_dir.ts`); without it, reads fall back to path re-checks.
   */
  static async create(
    allowedDirs: readonly string[],
    options: { stateDir?: string } = {},
  ): Promise<Sandbox> {
    if (Deno.build.os === "windows") {
      throw new CobreError(errorRecord("InternalError", "The path sandbox supports POSIX only"));
    }
    if (allowedDirs.length === 0) {
      throw new CobreError(
        errorRecord("InvalidArgument", "At least one allowed directory is needed"),
      );
    }
    const roots: string[] = [];
    for (const dir of allowedDirs) {
      const canonical = await canonicalDir(dir, "allowed directory");
      if (!roots.includes(canonical)) roots.push(canonical);
    }
    const [probeDir] = roots;
    return new Sandbox(roots, await findDescriptorDir(probeDir!, options.stateDir));
  }

  /** True when the canonical path lies inside an allowed directory (by whole segments). */
  contains(canonicalPath: string): boolean {
    return this.roots.some((root) => isWithin(root, canonicalPath));
  }

  /** The innermost allowed directory containing the canonical path, if any. */
  rootOf(canonicalPath: string): string | undefined {
    let best: string | undefined;
    for (const root of this.roots) {
      if (isWithin(root, canonicalPath) && (best === undefined || root.length > best.length)) {
        best = root;
      }
    }
    return best;
  }

  /**
   * Canonical path of an existing entry inside the sandbox, or null when nothing exists there.
   * Throws the SS8.2 refusal for anything outside, including dangling symlinks.
   */
  async locate(path: string): Promise<string | null> {
    const reason = malformedReason(path);
    if (reason !== null) throw outsideSandbox(path, reason);
    let canonical: string;
    try {
      canonical = await Deno.realPath(path);
    } catch (error) {
      if (!isMissing(error)) throw outsideSandbox(path);
      // Refuses when the missing entry would be outside, so a missing outside path and an
      // existing one get the same answer.
      await this.resolveForCreate(path);
      return null;
    }
    if (!this.contains(canonical)) throw outsideSandbox(path);
    return canonical;
  }

  /** Canonical path of an existing entry of the expected kind inside the sandbox. */
  async resolve(path: string, expect: PathKind = "any"): Promise<string> {
    const canonical = await this.locate(path);
    if (canonical === null) throw pathNotFound(path);
    if (expect === "any") return canonical;
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(canonical);
    } catch {
      throw pathNotFound(path);
    }
    if (expect === "file" && !info.isFile) throw wrongKind(path, "file");
    if (expect === "dir" && !info.isDirectory) throw wrongKind(path, "directory");
    return canonical;
  }

  /**
   * Canonical path for an entry that may not exist yet: its deepest existing ancestor is
   * canonicalised and the missing names are appended. A dangling symlink on the way is refused
   * (creating through it would land wherever it points).
   */
  async resolveForCreate(path: string): Promise<string> {
    const reason = malformedReason(path);
    if (reason !== null) throw outsideSandbox(path, reason);
    const missing: string[] = [];
    let current = path;
    let base: string;
    for (;;) {
      try {
        base = await Deno.realPath(current);
        break;
      } catch (error) {
        if (!isMissing(error)) throw outsideSandbox(path);
        const name = posix.basename(current);
        const parent = posix.dirname(current);
        if (name === "" || name === "." || name === ".." || parent === current) {
          throw outsideSandbox(path);
        }
        missing.unshift(name);
        current = parent;
      }
    }
    const candidate = joinCanonical(base, missing);
    if (!this.contains(candidate)) throw outsideSandbox(path);
    const [first] = missing;
    if (first !== undefined && await existsWithoutFollowing(joinCanonical(base, [first]))) {
      throw outsideSandbox(path); // a dangling symlink: its target is unknown, maybe outside
    }
    return candidate;
  }

  /**
   * Canonical path for a write: like `resolveForCreate`, and below its allowed dir the path must
   * contain no symbolic link at all (not even one that stays inside), so writes never follow a
   * link planted in an output tree. Above the allowed dir a link is only an alias of the root
   * (macOS `/tmp` → `/private/tmp`) and is accepted.
   */
  async resolveForWrite(path: string): Promise<string> {
    const canonical = await this.resolveForCreate(path);
    const root = this.rootOf(canonical);
    const lexical = lexicalForm(path);
    if (root === undefined) throw outsideSandbox(path);
    const below = canonical.slice(root === "/" ? 0 : root.length); // "" or "/a/b"
    const above = lexical.slice(0, lexical.length - below.length) || "/";
    if (!lexical.endsWith(below) || (above !== root && await realPathOrNull(above) !== root)) {
      throw symlinkOnWritePath(path);
    }
    return canonical;
  }
}

/** The path with `.`/`..` collapsed and no trailing slash; equals realpath when no link is on it. */
function lexicalForm(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 && normal.endsWith("/") ? normal.slice(0, -1) : normal;
}

async function realPathOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.realPath(path);
  } catch {
    return null;
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory;
}

/** lstat says something is there; any failure other than "missing" counts as present. */
async function existsWithoutFollowing(canonicalPath: string): Promise<boolean> {
  try {
    await Deno.lstat(canonicalPath);
    return true;
  } catch (error) {
    return !isMissing(error);
  }
}
