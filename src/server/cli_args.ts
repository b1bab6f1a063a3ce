/**
 * Command-line parsing for `main.ts`: pure functions from `Deno.args` (and, for defaults, the
 * environment and current directory passed in) to a typed command, so every rule is testable.
 *
 * @module
 */
import { posix } from "node:path";
import { isLogLevel, type LogLevel } from "./logger.ts";
import { isToolNaming, type ToolNaming } from "./tool_names.ts";

/** Options shared by every command that starts or describes a server. */
export interface ServerSelection {
  /** As given (`--allowed-dirs` or `COBRE_MCP_ALLOWED_DIRS`); null means "the default". */
  allowedDirs: string[] | null;
  stateDir: string | null;
  toolNaming: ToolNaming;
}

/** `serve --transport http` and `launch --transport http` options. */
export interface HttpFlags {
  host: string;
  port: number;
  /** Extra `Host` names clients reach the server by. */
  allowedHosts: string[];
  /** Browser origins allowed to call the server (they get CORS headers). */
  allowedOrigins: string[];
  /** Bearer token file; else `COBRE_MCP_HTTP_TOKEN`. */
  tokenFile: string | null;
  /** Demand the token even on loopback. */
  requireAuth: boolean;
  /** Serve the MCP conformance suite's `test_reconnection` fixture (testing only). */
  conformanceFixtures: boolean;
}

/** `serve`: run the MCP server in this process under whatever permissions it was given. */
export interface ServeCommand extends ServerSelection {
  command: "serve";
  transport: "stdio" | "http";
  noSandbox: boolean;
  logLevel: LogLevel;
  /** Present exactly when `transport` is `http`. */
  http?: HttpFlags;
}

/** `launch-line`: print the least-privilege command that starts the server. */
export interface LaunchLineCommand extends ServerSelection {
  command: "launch-line";
  write: boolean;
  json: boolean;
  /** Present when `--transport http` was given. */
  http?: HttpFlags;
}

/** `launch`: start the server under its least-privilege launch line (what `task serve` runs). */
export interface LaunchCommand extends ServerSelection {
  command: "launch";
  write: boolean;
  /** Present when `--transport http` was given. */
  http?: HttpFlags;
}

/** `validate-cases <dir>`: validate every case directory in `dir` through a launched server. */
export interface ValidateCasesCommand {
  command: "validate-cases";
  dir: string;
  toolNaming: ToolNaming;
}

/** `flight [--state-dir d] …`: the Flight Recorder's event history (options passed through). */
export interface FlightCommand {
  command: "flight";
  stateDir: string | null;
  /** Everything but `--state-dir`, for the recorder's own parser. */
  args: string[];
}

/** `help`, or no command at all. */
export interface HelpCommand {
  command: "help";
}

export type Command =
  | ServeCommand
  | LaunchLineCommand
  | LaunchCommand
  | ValidateCasesCommand
  | FlightCommand
  | HelpCommand;

/** Bad command-line input; `main.ts` prints it with the usage and exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const USAGE = `usage: main.ts <command> [options]

commands:
  serve            run the MCP server in this process (permissions as Deno granted)
      --transport stdio|http     transport (default stdio); http serves Streamable HTTP at /mcp
      --host h --port p          http bind address (default 127.0.0.1) and port (default 3000)
      --allowed-hosts a,b        http: extra Host names clients use (loopback names always work
                                 on a loopback bind; a wildcard bind needs this)
      --allowed-origins a,b      http: browser origins allowed to call (they get CORS headers)
      --token-file f             http: bearer token file (else $COBRE_MCP_HTTP_TOKEN); required
                                 beyond loopback
      --require-auth             http: demand the bearer token on loopback too
      --conformance-fixtures     http, testing only: serve the MCP conformance suite's
                                 test_reconnection tool
      --allowed-dirs a,b         directories agents may use (default: $COBRE_MCP_ALLOWED_DIRS,
                                 colon-separated, else the current directory)
      --state-dir d              server state, outside the allowed dirs
                                 (default: $XDG_STATE_HOME/cobre-mcp or ~/.local/state/cobre-mcp)
      --tool-names spec|portable spec names (cobre/validate) or portable ones (cobre_validate)
      --log-level level          least severe level written to stderr (default: info)
      --no-sandbox               allow starting with unrestricted read permission
  launch           start \`serve\` under its least-privilege launch line (deno task serve)
      same options as serve, plus --write to grant write access to the allowed dirs
  launch-line      print that launch line and a client config snippet
      --allowed-dirs a,b --state-dir d [--write] [--json] [--tool-names spec|portable]
      [--transport http and its options]
  validate-cases <dir>
                   validate every case directory in <dir> through a launched server
  flight [--state-dir d] [--job ID] [--kind KIND] [--session ID] [--since TIME] [--limit N] [--json]
                   print the Flight Recorder's events (flight --help for details)
`;

interface FlagSpec {
  /** Takes a value (`--name value` or `--name=value`) or is a switch. */
  value: boolean;
}

function parseFlags(
  args: readonly string[],
  specs: Record<string, FlagSpec>,
): { flags: Map<string, string | true>; positionals: string[] } {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option --${name}`);
    if (flags.has(name)) throw new UsageError(`--${name} given twice`);
    if (!spec.value) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const value = eq !== -1 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || (eq === -1 && value.startsWith("--"))) {
      throw new UsageError(`--${name} needs a value`);
    }
    flags.set(name, value);
  }
  return { flags, positionals };
}

function stringFlag(flags: Map<string, string | true>, name: string): string | null {
  const value = flags.get(name);
  return typeof value === "string" ? value : null;
}

/** Splits a comma-separated `--allowed-dirs` value, dropping empty entries. */
export function splitDirList(value: string, separator: "," | ":"): string[] {
  return value.split(separator).map((dir) => dir.trim()).filter((dir) => dir !== "");
}

function selection(flags: Map<string, string | true>): ServerSelection {
  const dirs = stringFlag(flags, "allowed-dirs");
  const allowedDirs = dirs === null ? null : splitDirList(dirs, ",");
  if (allowedDirs !== null && allowedDirs.length === 0) {
    throw new UsageError("--allowed-dirs needs at least one directory");
  }
  const naming = stringFlag(flags, "tool-names") ?? "spec";
  if (!isToolNaming(naming)) {
    throw new UsageError(`--tool-names must be spec or portable, not "${naming}"`);
  }
  return { allowedDirs, stateDir: stringFlag(flags, "state-dir"), toolNaming: naming };
}

const SELECTION_FLAGS: Record<string, FlagSpec> = {
  "allowed-dirs": { value: true },
  "state-dir": { value: true },
  "tool-names": { value: true },
};

const HTTP_FLAGS: Record<string, FlagSpec> = {
  transport: { value: true },
  host: { value: true },
  port: { value: true },
  "allowed-hosts": { value: true },
  "allowed-origins": { value: true },
  "token-file": { value: true },
  "require-auth": { value: false },
  "conformance-fixtures": { value: false },
};

/** The transport and, for http, its options; http-only flags without `--transport http` fail. */
function transportFlags(
  flags: Map<string, string | true>,
): { transport: "stdio" | "http"; http?: HttpFlags } {
  const transport = stringFlag(flags, "transport") ?? "stdio";
  if (transport !== "stdio" && transport !== "http") {
    throw new UsageError(`--transport must be stdio or http, not "${transport}"`);
  }
  if (transport === "stdio") {
    const stray = Object.keys(HTTP_FLAGS).find((name) => name !== "transport" && flags.has(name));
    if (stray) throw new UsageError(`--${stray} needs --transport http`);
    return { transport };
  }
  const portText = stringFlag(flags, "port") ?? "3000";
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) {
    throw new UsageError(`--port must be a TCP port (1-65535), not "${portText}"`);
  }
  const list = (name: string) => {
    const value = stringFlag(flags, name);
    return value === null ? [] : splitDirList(value, ",");
  };
  return {
    transport,
    http: {
      host: stringFlag(flags, "host") ?? "127.0.0.1",
      port,
      allowedHosts: list("allowed-hosts"),
      allowedOrigins: list("allowed-origins"),
      tokenFile: stringFlag(flags, "token-file"),
      requireAuth: flags.has("require-auth"),
      conformanceFixtures: flags.has("conformance-fixtures"),
    },
  };
}

function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) {
    throw new UsageError(`${command} takes no positional argument, got "${positionals[0]}"`);
  }
}

/**
 * The arguments as the user meant them: `deno task <name> -- …` passes its `--` on, right after
 * the command name the task supplies (`main.ts host -- call …`); every command drops it here.
 */
export function withoutTaskSeparator(argv: readonly string[]): string[] {
  const [command, separator, ...rest] = argv;
  if (command === undefined) return [];
  return separator === "--" ? [command, ...rest] : [...argv];
}

/** Parses `Deno.args`; throws `UsageError` for anything it does not understand. */
export function parseCommandLine(args: readonly string[]): Command {
  const [command, ...rest] = args;
  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      return { command: "help" };
    case "serve": {
      const { flags, positionals } = parseFlags(rest, {
        ...SELECTION_FLAGS,
        ...HTTP_FLAGS,
        "no-sandbox": { value: false },
        "log-level": { value: true },
      });
      noPositionals(command, positionals);
      const transport = transportFlags(flags);
      const logLevel = stringFlag(flags, "log-level") ?? "info";
      if (!isLogLevel(logLevel)) throw new UsageError(`--log-level "${logLevel}" is not a level`);
      return {
        command,
        ...transport,
        noSandbox: flags.has("no-sandbox"),
        logLevel,
        ...selection(flags),
      };
    }
    case "launch-line": {
      const { flags, positionals } = parseFlags(rest, {
        ...SELECTION_FLAGS,
        ...HTTP_FLAGS,
        write: { value: false },
        json: { value: false },
      });
      noPositionals(command, positionals);
      const { http } = transportFlags(flags);
      return {
        command,
        write: flags.has("write"),
        json: flags.has("json"),
        ...selection(flags),
        ...(http ? { http } : {}),
      };
    }
    case "launch": {
      const { flags, positionals } = parseFlags(rest, {
        ...SELECTION_FLAGS,
        ...HTTP_FLAGS,
        write: { value: false },
      });
      noPositionals(command, positionals);
      const { http } = transportFlags(flags);
      return { command, write: flags.has("write"), ...selection(flags), ...(http ? { http } : {}) };
    }
    case "validate-cases": {
      const { flags, positionals } = parseFlags(rest, { "tool-names": { value: true } });
      const [dir, extra] = positionals;
      if (dir === undefined) throw new UsageError("validate-cases needs a directory");
      if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
      return { command, dir, toolNaming: selection(flags).toolNaming };
    }
    case "flight": {
      // The recorder parses its own options; only the state dir is ours to resolve.
      const args: string[] = [];
      let stateDir: string | null = null;
      for (let i = 0; i < rest.length; i++) {
        const arg = rest[i] ?? "";
        if (arg === "--state-dir" || arg.startsWith("--state-dir=")) {
          if (stateDir !== null) throw new UsageError("--state-dir given twice");
          const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : rest[++i];
          if (value === undefined || value === "") {
            throw new UsageError("--state-dir needs a value");
          }
          stateDir = value;
        } else {
          args.push(arg);
        }
      }
      return { command, stateDir, args };
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Where defaults come from; `main.ts` passes the real environment, tests a fixed one. */
export interface DefaultsSource {
  env(name: string): string | undefined;
  cwd(): string;
}

/** The effective allowed dirs and state dir, absolute, after flags, environment and defaults. */
export interface ResolvedDirectories {
  allowedDirs: string[];
  stateDir: string;
}

/**
 * Applies the spec's precedence: `--allowed-dirs`, else `COBRE_MCP_ALLOWED_DIRS` (colon-
 * separated), else the current directory; `--state-dir`, else `$XDG_STATE_HOME/cobre-mcp`, else
 * `$HOME/.local/state/cobre-mcp`. Relative paths are taken against the current directory.
 */
export function resolveDirectories(
  selected: Pick<ServerSelection, "allowedDirs" | "stateDir">,
  source: DefaultsSource,
): ResolvedDirectories {
  const cwd = source.cwd();
  const fromEnv = source.env("COBRE_MCP_ALLOWED_DIRS");
  const envDirs = fromEnv === undefined ? [] : splitDirList(fromEnv, ":");
  const given = selected.allowedDirs ?? (envDirs.length > 0 ? envDirs : [cwd]);
  const allowedDirs = given.map((dir) => posix.resolve(cwd, dir));
  let stateDir: string;
  if (selected.stateDir !== null) {
    stateDir = posix.resolve(cwd, selected.stateDir);
  } else {
    const xdg = source.env("XDG_STATE_HOME");
    const home = source.env("HOME");
    if (xdg !== undefined && posix.isAbsolute(xdg)) stateDir = posix.join(xdg, "cobre-mcp");
    else if (home !== undefined && home !== "") {
      stateDir = posix.join(home, ".local", "state", "cobre-mcp");
    } else {
      throw new UsageError("no --state-dir given and neither XDG_STATE_HOME nor HOME is set");
    }
  }
  return { allowedDirs, stateDir };
}
