/**
 * Helpers for the host's tests: temp dirs, the hostile server as a launch target, and a host
 * opened on them.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { HOSTILE_TOOLS } from "../../fixtures/host/hostile_tools.ts";
import {
  defaultHostPolicy,
  GatedHost,
  type HostOptions,
  type HostPolicy,
  type StdioTarget,
} from "../../src/host/mod.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
export const HOSTILE_SERVER = `${REPO_ROOT}/fixtures/host/hostile_server.ts`;

/** A temp root with `allowed/` (canonical) and `state/`, removed on dispose. */
export interface HostWorkspace {
  root: string;
  allowed: string;
  hostState: string;
  serverState: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Creates a workspace; `allowed` holds an empty `case-1/`. */
export async function makeHostWorkspace(): Promise<HostWorkspace> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-host-" }));
  await Deno.mkdir(`${root}/allowed/case-1`, { recursive: true });
  await Deno.mkdir(`${root}/state`);
  return {
    root,
    allowed: `${root}/allowed`,
    hostState: `${root}/state/host`,
    serverState: `${root}/state/server`,
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

/** What a `main.ts` process printed and how it exited. */
export interface MainOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `main.ts <args>` with the permissions the `demo` and `host` tasks give it (`--allow-net`
 * only with `net`), in `cwd` and with exactly `env` when given.
 */
export async function runMain(
  args: string[],
  options: { net?: boolean; cwd?: string; env?: Record<string, string> } = {},
): Promise<MainOutput> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--config",
      `${REPO_ROOT}/deno.json`,
      "--allow-read",
      "--allow-write",
      "--allow-env",
      `--allow-run=${Deno.execPath()}`,
      "--allow-ffi",
      ...(options.net ? ["--allow-net"] : []),
      "--unstable-worker-options",
      `${REPO_ROOT}/main.ts`,
      ...args,
    ],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
}

/** The hostile server, started with no permission at all. */
export function hostileTarget(serverId = "srv-hostile", announce = true): StdioTarget {
  return {
    transport: "stdio",
    command: Deno.execPath(),
    args: ["run", "--no-prompt", "--no-config", HOSTILE_SERVER, "--server-id", serverId],
    env: {},
    serverId: announce ? null : serverId,
    label: "hostile (stdio)",
  };
}

/** A policy allowing every hostile tool (the point is what the server does, not the gate). */
export function hostilePolicy(allowed: string, overrides: Partial<HostPolicy> = {}): HostPolicy {
  const base = defaultHostPolicy({ roots: [allowed], write: false });
  const tools = new Map(base.tools);
  for (const name of HOSTILE_TOOLS) tools.set(name, { confirm: false, paths: null });
  return { ...base, id: "hostile-test", tools, ...overrides };
}

/** Opens a host on the workspace with notices collected. */
export async function openHost(
  ws: HostWorkspace,
  policy: HostPolicy,
  extra: Partial<HostOptions> = {},
): Promise<{ host: GatedHost; notices: string[] }> {
  const notices: string[] = [];
  const host = await GatedHost.open({
    policy,
    stateDir: ws.hostState,
    notice: (line) => notices.push(line),
    // Several hosts open in one test process; each needs FFI for its recorder Worker.
    revokeFfi: false,
    ...extra,
  });
  return { host, notices };
}

/** The parsed JSON of a result's first text block. */
export function firstText(result: { content: Record<string, unknown>[] }): string {
  const block = result.content.find((item) => item.type === "text");
  return typeof block?.text === "string" ? block.text : "";
}
