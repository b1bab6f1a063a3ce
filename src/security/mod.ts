/**
 * Security layer: the path sandbox, the sandboxed file access every layer reads and writes
 * through, startup permission checks and the least-privilege launch line.
 *
 * ```ts
 * const mode = await detectServerMode({ allowedDirs, stateDir, noSandbox: false });
 * const sandbox = await Sandbox.create(allowedDirs);
 * const caseDir = await sandbox.resolve(args.case_dir, "dir"); // canonical, or throws CobreError
 * const config = await sandbox.access.readFile(`${caseDir}/config.json`);
 * ```
 *
 * - `Sandbox.resolve(path, expect)`: canonical path of an existing entry inside an allowed
 *   directory; refusals are CobreErrors whose records never reveal the allowlist.
 * - `Sandbox.resolveForCreate(path)`: the same for a path that may not exist yet.
 * - `Sandbox.access`: a `FileAccess` that re-checks every path (inode check after open,
 *   exclusive creates, no symlinks followed on writes).
 * - `detectServerMode(...)`: "read-only" | "read-write" from `Deno.permissions`, or a refusal to
 *   start that names the missing flag.
 * - `launchLine(...)` / `formatLaunchLine(...)`: the exact command that starts the server with
 *   only the permissions it needs, and a client config snippet.
 *
 * @module
 */
export { Sandbox } from "./sandbox.ts";
export type { PathKind } from "./paths.ts";
export { isWithin, malformedReason } from "./paths.ts";
export { WRITE_DISABLED_MESSAGE, writeDisabled } from "./path_errors.ts";
export { detectServerMode, type ServerMode, type ServerModeOptions } from "./permissions.ts";
export {
  formatLaunchLine,
  type LaunchLine,
  launchLine,
  type LaunchOptions,
  portableLaunchLine,
  SERVER_ENV_VARS,
} from "./launch_line.ts";
