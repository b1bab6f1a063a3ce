/**
 * The least-privilege command line that starts the cobre-mcp server for a set of directories.
 *
 * Every granted path is canonical (Deno checks permissions against the path string it is given,
 * and the sandbox opens canonical paths). The runtime is this very Deno binary by default: a
 * client then starts Deno directly, with no npm resolution (npx costs ~0.5 s per start, measured)
 * and no Node process between the client and the server's stdio and signals. `runtime: "npx"`
 * gives a line that survives an npx cache clean-up, at that cost.
 *
 * @module
 */
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import { CobreError, errorRecord, runtimeFiles } from "../common/mod.ts";
import { prepareStateDir } from "./descriptor_dir.ts";
import { assertStateDirSeparate, canonicalDir, canonicalMaybeMissing } from "./config_paths.ts";

/** Environment variables the server reads, and so the only ones it may see. */
export const SERVER_ENV_VARS = ["COBRE_MCP_ALLOWED_DIRS", "XDG_STATE_HOME", "HOME"] as const;

/** The HTTP transport's bearer token variable, visible to the server only over http. */
export const HTTP_TOKEN_ENV_VAR = "COBRE_MCP_HTTP_TOKEN";

/** What the launched server should serve and how. */
export interface LaunchOptions {
  allowedDirs: readonly string[];
  stateDir: string;
  /** Grant write on the allowed dirs (the server then runs read-write). */
  write: boolean;
  /** "portable" renames tools without "/" for LLM APIs that reject it. */
  toolNames?: "spec" | "portable";
  transport?: "stdio" | "http";
  /** HTTP bind address (default 127.0.0.1, spec SS5.2). */
  host?: string;
  /** HTTP port (default 3000, spec SS5.2). */
  port?: number;
  /** HTTP bearer token file: read is granted on it alone, and `--token-file` passed. */
  tokenFile?: string;
  /** "deno": this Deno binary (default); "npx": `npx -y deno@<this version>`. */
  runtime?: "deno" | "npx";
  extraServerArgs?: readonly string[];
}

/** A command and its arguments, ready for `Deno.Command` or an MCP client config. */
export interface LaunchLine {
  command: string;
  args: string[];
}

/**
 * Builds the exact least-privilege command that starts the server for these directories.
 * Side effect: creates the state directory (0700) with its descriptor link when missing
 * (`descriptor_dir.ts`), which the sandboxed server cannot do itself.
 */
export async function launchLine(options: LaunchOptions): Promise<LaunchLine> {
  const allowed: string[] = [];
  // The sandbox opens canonical paths, but agents may name a dir the way the operator did
  // (a link, or macOS /tmp): read on that form lets realpath resolve it; containment is still
  // decided on the canonical path.
  const aliases: string[] = [];
  for (const dir of options.allowedDirs) {
    const canonical = await canonicalDir(dir, "allowed directory");
    const absolute = posix.resolve(Deno.cwd(), dir);
    if (!allowed.includes(canonical)) allowed.push(canonical);
    if (absolute !== canonical && !aliases.includes(absolute)) aliases.push(absolute);
  }
  if (allowed.length === 0) {
    throw invalid("At least one allowed directory is needed", "Pass --allowed-dirs.");
  }
  const stateDir = await canonicalMaybeMissing(options.stateDir);
  assertStateDirSeparate(allowed, stateDir);
  await prepareStateDir(stateDir);
  const { highsWasm, duckdbBinding } = runtimeFiles();
  const repo = repoRoot();

  // Workers (recorder, engine) load their module graph under their own read grant, and a Worker
  // may only narrow its parent's permissions: so the parent reads our source tree (code only;
  // the sandbox keeps agents out of it). The DuckDB binding needs only FFI to load; read on it
  // lets the recorder Worker list it among its own read paths.
  const read = [...allowed, ...aliases, stateDir, `${repo}/src`, highsWasm, duckdbBinding];
  const write = options.write ? [stateDir, ...allowed] : [stateDir];
  const transport = options.transport ?? "stdio";
  const env: string[] = [...SERVER_ENV_VARS];
  const tokenFile = options.tokenFile === undefined
    ? null
    : await Deno.realPath(posix.resolve(Deno.cwd(), options.tokenFile)).catch(() => {
      throw invalid(`The token file '${options.tokenFile}' does not exist`, null);
    });
  if (transport === "http") {
    env.push(HTTP_TOKEN_ENV_VAR);
    if (tokenFile !== null) read.push(tokenFile);
  }

  const denoArgs = [
    "run",
    "--no-prompt",
    "--config",
    `${repo}/deno.json`,
    `--allow-read=${pathList(read)}`,
    `--allow-write=${pathList(write)}`,
    `--allow-env=${env.join(",")}`,
    `--allow-ffi=${pathList([duckdbBinding])}`,
    "--unstable-worker-options",
  ];
  const serveArgs = [
    "serve",
    "--allowed-dirs",
    pathList(allowed),
    "--state-dir",
    pathList([stateDir]),
  ];
  if (options.toolNames === "portable") serveArgs.push("--tool-names", "portable");
  if (transport === "http") {
    const host = options.host ?? "127.0.0.1";
    const port = options.port ?? 3000;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw invalid(`Port ${port} is not a TCP port`, "Use a port between 1 and 65535.");
    }
    if (!/^[A-Za-z0-9.:-]+$/.test(host)) {
      throw invalid(`Host '${host}' is not a host name or IP address`, "Use e.g. 127.0.0.1.");
    }
    denoArgs.push(`--allow-net=${host.includes(":") ? `[${host}]` : host}:${port}`);
    serveArgs.push("--transport", "http", "--host", host, "--port", String(port));
    if (tokenFile !== null) serveArgs.push("--token-file", pathList([tokenFile]));
  }
  serveArgs.push(...(options.extraServerArgs ?? []));

  const args = [...denoArgs, `${repo}/main.ts`, ...serveArgs];
  if (options.runtime === "npx") {
    return { command: "npx", args: ["-y", `deno@${Deno.version.deno}`, ...args] };
  }
  return { command: Deno.execPath(), args };
}

/** The checkout holding this file: `src/security/` is two levels below it. */
function repoRoot(): string {
  const url = new URL("../../", import.meta.url);
  if (url.protocol !== "file:") {
    throw invalid("cobre-mcp must run from a local checkout to print a launch line", null);
  }
  return fileURLToPath(url).replace(/\/$/, "");
}

/**
 * Deno's permission lists are comma-separated and `serve` splits `--allowed-dirs` on commas
 * too, so a path with a comma is refused rather than passed in a form one side misreads.
 */
function pathList(paths: readonly string[]): string {
  for (const path of paths) {
    if (path.includes(",")) {
      throw invalid(
        `The path '${path}' contains a comma, which command-line path lists cannot carry`,
        "Rename the directory or use a symlink-free path without commas.",
      );
    }
  }
  return paths.join(",");
}

function invalid(message: string, suggestion: string | null): CobreError {
  return new CobreError(errorRecord("InvalidArgument", message, {}, suggestion));
}

/** POSIX shell quoting: bare when safe, otherwise single-quoted. */
function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_\/.,:=@%+-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** The same line with `--tool-names portable`, for clients that pass names to an LLM API. */
export function portableLaunchLine(line: LaunchLine): LaunchLine {
  const args = [...line.args];
  const at = args.lastIndexOf("--tool-names");
  if (at >= 0 && at + 1 < args.length) args[at + 1] = "portable";
  else args.push("--tool-names", "portable");
  return { command: line.command, args };
}

/** Where an HTTP server will listen, for the client snippet of its launch line. */
export interface HttpEndpoint {
  url: string;
  /** The server demands a bearer token (the snippet then carries an Authorization header). */
  auth: boolean;
}

/**
 * Formats a launch line: with `json`, one JSON object `{"command", "args"}`; otherwise the
 * shell-quoted command followed by an MCP client config snippet using portable tool names (for
 * an HTTP server, `http` names it: clients connect to the URL rather than start the command).
 */
export function formatLaunchLine(
  line: LaunchLine,
  options: { json: boolean; http?: HttpEndpoint },
): string {
  if (options.json) return JSON.stringify({ command: line.command, args: line.args });
  const shell = [line.command, ...line.args].map(shellQuote).join(" ");
  if (options.http) {
    const remote = {
      type: "http",
      url: options.http.url,
      ...(options.http.auth ? { headers: { Authorization: "Bearer <COBRE_MCP_HTTP_TOKEN>" } } : {}),
    };
    return [
      shell,
      "",
      "# MCP client configuration (Streamable HTTP: start the server with the line above first):",
      JSON.stringify({ mcpServers: { cobre: remote } }, null, 2),
      "",
    ].join("\n");
  }
  const client = { mcpServers: { cobre: portableLaunchLine(line) } };
  return [
    shell,
    "",
    '# MCP client configuration (tool names without "/", which LLM APIs reject):',
    JSON.stringify(client, null, 2),
    "",
  ].join("\n");
}
