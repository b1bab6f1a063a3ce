/**
 * Startup permission checks. The server's mode is read from `Deno.permissions.query`, never from
 * a flag that could disagree with what the runtime actually enforces.
 *
 * @module
 */
import { posix } from "node:path";
import { CobreError, errorRecord } from "../common/mod.ts";
import {
  assertStateDirSeparate,
  canonicalDir,
  canonicalMaybeMissing,
  missingFlag,
} from "./config_paths.ts";

/** What the runtime lets the server do with the allowed directories. */
export type ServerMode = "read-only" | "read-write";

/** Inputs of `detectServerMode`, as the `serve` command received them. */
export interface ServerModeOptions {
  allowedDirs: readonly string[];
  stateDir: string;
  /** Explicit opt-out: accept unrestricted permissions (e.g. `-A` in development). */
  noSandbox?: boolean;
}

/** Permissions that, granted without a path list, would make the file sandbox meaningless. */
const UNRESTRICTED: readonly { name: "read" | "write" | "ffi" | "run"; flag: string }[] = [
  { name: "read", flag: "--allow-read" },
  { name: "write", flag: "--allow-write" },
  { name: "ffi", flag: "--allow-ffi" },
  { name: "run", flag: "--allow-run" },
];

async function granted(descriptor: Deno.PermissionDescriptor): Promise<boolean> {
  return (await Deno.permissions.query(descriptor)).state === "granted";
}

/**
 * Decides the server mode from the runtime's permissions, or throws a CobreError naming the
 * missing flag: read on every allowed dir and read + write on the state dir are required;
 * unrestricted read, write, FFI or run permission is refused unless `noSandbox`. The mode is
 * "read-write" only when write is granted on every allowed dir.
 */
export async function detectServerMode(options: ServerModeOptions): Promise<ServerMode> {
  const noSandbox = options.noSandbox ?? false;
  if (!noSandbox) {
    for (const { name, flag } of UNRESTRICTED) {
      if (await granted({ name })) {
        throw new CobreError(errorRecord(
          "PermissionDenied",
          `Unrestricted ${flag} (or -A) would let the server reach any file; refusing to start`,
          { flag },
          'Start the server with the least-privilege command printed by "main.ts launch-line", ' +
            "or pass --no-sandbox to accept running without a sandbox.",
        ));
      }
    }
  }

  const roots: string[] = [];
  for (const dir of options.allowedDirs) roots.push(await readableDir(dir));

  const stateDir = await canonicalMaybeMissing(options.stateDir);
  for (const name of ["read", "write"] as const) {
    if (!await granted({ name, path: stateDir })) {
      throw missingFlag(`--allow-${name}=${stateDir}`, "state directory", options.stateDir);
    }
  }
  if (!noSandbox) assertStateDirSeparate(roots, stateDir);

  for (const root of roots) {
    if (!await granted({ name: "write", path: root })) return "read-only";
  }
  return roots.length > 0 ? "read-write" : "read-only";
}

/**
 * Canonical allowed dir, with read granted both on the path as given and on its canonical form
 * (the sandbox opens canonical paths, and Deno does not follow links when it checks).
 */
async function readableDir(dir: string): Promise<string> {
  const role = "allowed directory";
  const absolute = posix.resolve(Deno.cwd(), dir);
  if (!await granted({ name: "read", path: absolute })) {
    throw missingFlag(`--allow-read=${absolute}`, role, dir);
  }
  const canonical = await canonicalDir(dir, role);
  if (!await granted({ name: "read", path: canonical })) {
    throw missingFlag(`--allow-read=${canonical}`, role, dir);
  }
  return canonical;
}
