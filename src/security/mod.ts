/**
 * Security layer: the path sandbox, the sandboxed file access every layer reads and writes
 * through, startup permission checks and the least-privilege launch line.
 *
 * ```ts
 * const mode = await detectServerMode({ allowedDirs, stateDir, noSandbox: false });
 * const sandbox = await Sandbox.create(allowedDirs, { stateDir });
 * const caseDir = await sandbox.resolve(args.case_dir, "dir"); // canonical, or throws CobreError
 * const config = await sandbox.access.readFile(`${caseDir}/config.json`);
 * ```
 *
 * - `Sandbox.resolve(path, expect?)`: canonical path of an existing entry inside an allowed
 *   directory; refusals are CobreErrors (kind MissingFile, "Path '…' is not within the allowed
 *   directories") that never reveal the allowlist. `locate(path)` is the same but gives null
 *   for a missing entry inside.
 * - `Sandbox.resolveForCreate(path)`: canonical path for an entry that may not exist yet.
 * - `Sandbox.resolveForWrite(path)`: the same, refusing any symlink below the allowed dir.
 * - `Sandbox.access`: the `FileAccess` to hand every layer: re-checks each path, verifies what
 *   it opened (kernel descriptor path on Linux, else dev + ino), creates exclusively, never
 *   follows a link on writes, refuses to rename or remove an allowed dir itself.
 * - `Sandbox.raceProofReads`: whether the kernel check is active (pass `stateDir` and start the
 *   server through the launch line to get it in a sandboxed process).
 * - `detectServerMode(options)`: "read-only" | "read-write" from `Deno.permissions`, or a
 *   refusal to start naming the missing flag.
 * - `launchLine(options)` / `formatLaunchLine(line, { json })`: the exact least-privilege
 *   command for a set of directories, and an MCP client config snippet (portable tool names).
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
  HTTP_TOKEN_ENV_VAR,
  type HttpEndpoint,
  type LaunchLine,
  launchLine,
  type LaunchOptions,
  portableLaunchLine,
  SERVER_ENV_VARS,
} from "./launch_line.ts";
export {
  type CapabilityProfile,
  COBRE_TOOLS,
  type CobreToolName,
  createGateObserver,
  decideMethod,
  decidePromptGet,
  decideResourceRead,
  decideToolCall,
  type GateAdmission,
  type GateContext,
  type GateDecision,
  gateDecisionEvent,
  type GatedOutcome,
  type GateObservedRequest,
  type GateObserver,
  type GateObserverOptions,
  type GateReason,
  type GateVerdict,
  isCanonicalPath,
  isCobreTool,
  isWithinDir,
  loadProfileFile,
  parseProfile,
  pathArguments,
  PROFILE_JSON_SCHEMA,
  type ProfileFileDeps,
  READ_ONLY_PROFILE,
  READ_ONLY_TOOLS,
  READ_WRITE_PROFILE,
  runWithTimeout,
  type RunWithTimeoutOptions,
  selectProfile,
  SPEC_TIMEOUTS_MS,
  toolTimeoutMs,
  WRITE_TOOLS,
} from "./gate/mod.ts";
export { fenceUntrusted, MAX_FENCED_CHARS, neutralizeUntrusted } from "./fence.ts";
