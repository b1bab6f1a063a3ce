/**
 * The `host` command: a person (or a script) calling one tool through the gated host.
 *
 * ```
 * host call <tool> '<json args>' [--allowed-dirs a,b] [--write] [--yes] [--policy file.json]
 *           [--state-dir d] [--host-state-dir d] [--save-refs dir]
 *           [--url http://…/mcp [--token-env NAME] [--server-id ID]]
 * host tools [same connection options]
 * ```
 *
 * The result the agent would see goes to stdout (structured content as JSON, or the error
 * record); progress, notices and a summary go to stderr. Exit code 0 when the call succeeded,
 * 1 when it failed or was refused, 2 for bad usage, 130 when Ctrl-C cancelled it.
 *
 * @module
 */
import { posix } from "node:path";
import { CobreError, errorRecord, isCobreError, readEnv, userCwd } from "../common/mod.ts";
import { terminalConfirmer } from "./confirm.ts";
import { GatedHost } from "./host.ts";
import type { HostCallResult } from "./types.ts";
import { defaultHostPolicy, type HostPolicy, loadHostPolicy } from "./policy.ts";
import { ProgressBar, stderrSink } from "./progress_bar.ts";
import { httpTarget, launchCobreServer, type ServerTarget } from "./targets.ts";

/** Usage text of the `host` command. */
export const HOST_USAGE = `usage: main.ts host <call|tools> [options]

  host call <tool> '<json args>'   call one tool through the gated host; prints the result
  host tools                        list the server's tools

options:
  --allowed-dirs a,b     directories the call may touch (default: $COBRE_MCP_ALLOWED_DIRS,
                         colon-separated, else the current directory)
  --write                launch the server read-write (write tools still need confirmation)
  --yes                  pre-approve this call's confirmation (for scripts; no terminal needed)
  --policy file.json     host policy (tools, paths, confirmations, sampling, redaction)
  --state-dir d          the server's state dir (default: $XDG_STATE_HOME/cobre-mcp
                         or ~/.local/state/cobre-mcp)
  --host-state-dir d     the host's own jobs and recorder (default: <state dir>-host)
  --save-refs dir        save every ref:// artifact of the result into dir (then release it)
  --url URL              use a Streamable HTTP server instead of launching one
  --token-env NAME       environment variable holding its bearer token (default COBRE_MCP_TOKEN)
  --server-id ID         the HTTP server's id for its ref:// references, when it does
                         not announce one at initialize (cobre-mcp does)
  --quiet                no progress or summary on stderr`;

/** A parsed `host` command line. */
export interface HostCommandLine {
  readonly action: "call" | "tools";
  readonly tool: string | null;
  readonly args: Record<string, unknown>;
  readonly allowedDirs: string[] | null;
  readonly write: boolean;
  readonly yes: boolean;
  readonly policyFile: string | null;
  readonly stateDir: string | null;
  readonly hostStateDir: string | null;
  readonly saveRefs: string | null;
  readonly url: string | null;
  readonly tokenEnv: string;
  readonly serverId: string | null;
  readonly quiet: boolean;
}

/** Bad usage; printed with the usage text, exit code 2. */
export class HostUsageError extends Error {
  override name = "HostUsageError";
}

const VALUE_FLAGS = new Set([
  "allowed-dirs",
  "policy",
  "state-dir",
  "host-state-dir",
  "save-refs",
  "url",
  "token-env",
  "server-id",
]);
const SWITCHES = new Set(["write", "yes", "quiet"]);

/** Parses the arguments after `host`; throws `HostUsageError`. */
export function parseHostArgs(argv: readonly string[]): HostCommandLine {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (flags.has(name)) throw new HostUsageError(`--${name} given twice`);
    if (SWITCHES.has(name)) {
      if (eq !== -1) throw new HostUsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else if (VALUE_FLAGS.has(name)) {
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "" || (eq === -1 && value.startsWith("--"))) {
        throw new HostUsageError(`--${name} needs a value`);
      }
      flags.set(name, value);
    } else {
      throw new HostUsageError(`unknown option --${name}`);
    }
  }
  const [action, tool, json, extra] = positionals;
  if (action !== "call" && action !== "tools") {
    throw new HostUsageError(
      action === undefined ? "host needs call or tools" : `unknown host action "${action}"`,
    );
  }
  let args: Record<string, unknown> = {};
  if (action === "call") {
    if (tool === undefined) throw new HostUsageError("host call needs a tool name");
    if (extra !== undefined) throw new HostUsageError(`unexpected argument "${extra}"`);
    if (json !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(json);
      } catch {
        throw new HostUsageError(`the arguments must be a JSON object, got: ${json.slice(0, 80)}`);
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new HostUsageError("the arguments must be a JSON object");
      }
      args = parsed as Record<string, unknown>;
    }
  } else if (tool !== undefined) {
    throw new HostUsageError(`host tools takes no argument, got "${tool}"`);
  }
  const text = (name: string) => {
    const value = flags.get(name);
    return typeof value === "string" ? value : null;
  };
  const dirs = text("allowed-dirs");
  return {
    action,
    tool: action === "call" ? tool! : null,
    args,
    allowedDirs: dirs === null
      ? null
      : dirs.split(",").map((d) => d.trim()).filter((d) => d !== ""),
    write: flags.has("write"),
    yes: flags.has("yes"),
    policyFile: text("policy"),
    stateDir: text("state-dir"),
    hostStateDir: text("host-state-dir"),
    saveRefs: text("save-refs"),
    url: text("url"),
    tokenEnv: text("token-env") ?? "COBRE_MCP_TOKEN",
    serverId: text("server-id"),
    quiet: flags.has("quiet"),
  };
}

/** The server's and the host's state dirs, after flags and defaults. */
export function stateDirs(line: Pick<HostCommandLine, "stateDir" | "hostStateDir">): {
  server: string;
  host: string;
} {
  const cwd = userCwd();
  let server: string;
  if (line.stateDir !== null) server = posix.resolve(cwd, line.stateDir);
  else {
    const xdg = readEnv("XDG_STATE_HOME");
    const home = readEnv("HOME");
    if (xdg !== undefined && posix.isAbsolute(xdg)) server = posix.join(xdg, "cobre-mcp");
    else if (home) server = posix.join(home, ".local", "state", "cobre-mcp");
    else {throw new HostUsageError(
        "no --state-dir given and neither XDG_STATE_HOME nor HOME is set",
      );}
  }
  // A sibling, never inside: the server may write its own state dir, and must not reach the
  // host's audit trail.
  const host = line.hostStateDir !== null
    ? posix.resolve(cwd, line.hostStateDir)
    : `${server}-host`;
  return { server, host };
}

async function policyFor(line: HostCommandLine, roots: string[]): Promise<HostPolicy> {
  const base = line.policyFile === null
    ? defaultHostPolicy({ roots, write: line.write })
    : await loadHostPolicy(posix.resolve(userCwd(), line.policyFile));
  if (!line.yes || line.tool === null || !base.tools.has(line.tool)) return base;
  return { ...base, preApproved: new Set([...base.preApproved, line.tool]) };
}

async function targetFor(
  line: HostCommandLine,
  roots: string[],
  serverState: string,
): Promise<ServerTarget> {
  if (line.url !== null) {
    const token = readEnv(line.tokenEnv) ?? null;
    return httpTarget(line.url, { bearerToken: token, serverId: line.serverId });
  }
  return await launchCobreServer({ allowedDirs: roots, stateDir: serverState, write: line.write });
}

function printResult(call: HostCallResult): void {
  const { result } = call;
  if (!result.isError && result.structuredContent !== undefined) {
    console.log(JSON.stringify(result.structuredContent, null, 2));
    return;
  }
  if (call.error) {
    console.log(JSON.stringify(call.error, null, 2));
    return;
  }
  for (const block of result.content) {
    if (block.type === "text" && typeof block.text === "string") console.log(block.text);
    else console.log(JSON.stringify(block));
  }
}

function safeName(name: string | null, index: number): string {
  const base = posix.basename(name ?? "").replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "");
  return base === "" ? `artifact-${index}` : base;
}

/** The canonical form of an allowed dir, or a `MissingFile` refusal naming it. */
export async function canonicalRoot(dir: string): Promise<string> {
  try {
    const canonical = await Deno.realPath(dir);
    if ((await Deno.stat(canonical)).isDirectory) return canonical;
  } catch {
    // Reported below.
  }
  throw new CobreError(errorRecord(
    "MissingFile",
    `The allowed directory '${dir}' does not exist or is not a directory`,
    { dir },
    "Create it or fix --allowed-dirs.",
  ));
}

/** Runs `host …`; resolves to the exit code. */
export async function runHostCommand(argv: readonly string[]): Promise<number> {
  let line: HostCommandLine;
  try {
    line = parseHostArgs(argv);
  } catch (error) {
    if (error instanceof HostUsageError) {
      console.error(`cobre-mcp host: ${error.message}\n\n${HOST_USAGE}`);
      return 2;
    }
    throw error;
  }
  const say = (text: string) => {
    if (!line.quiet) console.error(text);
  };
  let host: GatedHost | null = null;
  try {
    const cwd = userCwd();
    const fromEnv = readEnv("COBRE_MCP_ALLOWED_DIRS")?.split(":").filter((d) => d !== "");
    const dirs = line.allowedDirs ?? (fromEnv && fromEnv.length > 0 ? fromEnv : [cwd]);
    const roots: string[] = [];
    for (const dir of dirs) roots.push(await canonicalRoot(posix.resolve(cwd, dir)));
    const states = stateDirs(line);
    // Stdio needs no network: give the permission up for the rest of the process.
    if (line.url === null) await Deno.permissions.revoke({ name: "net" });
    const policy = await policyFor(line, roots);
    const target = await targetFor(line, roots, states.server);
    host = await GatedHost.open({
      policy,
      stateDir: states.host,
      confirm: terminalConfirmer(),
      notice: (text) => console.error(text),
    });
    await host.connect(target);
    if (line.action === "tools") {
      for (const tool of await host.listTools()) {
        console.log(`${tool.name.padEnd(26)} ${(tool.description ?? "").split(". ")[0]}`);
      }
      return 0;
    }
    const bar = line.quiet ? null : new ProgressBar(stderrSink());
    // Ctrl-C cancels the call (the server is told) instead of killing the host mid-call.
    const interrupt = new AbortController();
    const onInterrupt = () => interrupt.abort();
    Deno.addSignalListener("SIGINT", onInterrupt);
    let call;
    try {
      call = await host.callTool(line.tool!, line.args, {
        signal: interrupt.signal,
        ...(bar ? { onProgress: (p) => bar.update(p) } : {}),
      });
    } finally {
      Deno.removeSignalListener("SIGINT", onInterrupt);
      bar?.finish();
    }
    printResult(call);
    for (const [index, link] of call.links.entries()) {
      await host.useRef(link.uri, async (ref) => {
        let where = "";
        if (line.saveRefs !== null) {
          const dir = posix.resolve(cwd, line.saveRefs);
          await Deno.mkdir(dir, { recursive: true });
          const file = posix.join(dir, safeName(link.name, index));
          await Deno.writeFile(file, ref.bytes, { createNew: true });
          where = ` → saved to ${file}`;
        }
        say(
          `${link.uri} (${
            ref.mimeType ?? "unknown type"
          }, ${ref.bytes.length} bytes)${where}; released`,
        );
      });
    }
    const redacted = call.redactions.reduce((n, f) => n + f.count, 0);
    say(
      `${line.tool} ${call.outcome} in ${call.durationMs} ms` +
        (call.job ? ` · host job ${call.job.jobId}` : "") +
        (redacted > 0 ? ` · ${redacted} item(s) redacted` : "") +
        ` · audit: main.ts flight --state-dir ${states.host}`,
    );
    return call.outcome === "ok" ? 0 : call.outcome === "cancelled" ? 130 : 1;
  } catch (error) {
    if (isCobreError(error)) {
      const { message, suggestion } = error.record;
      console.error(`cobre-mcp host: ${message}${suggestion ? `\n  ${suggestion}` : ""}`);
      return 1;
    }
    if (error instanceof HostUsageError) {
      console.error(`cobre-mcp host: ${error.message}\n\n${HOST_USAGE}`);
      return 2;
    }
    throw error;
  } finally {
    await host?.close();
  }
}
