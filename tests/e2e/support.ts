/**
 * End-to-end helpers: a workspace on disk (allowed dir with cases, a dir outside it, a state
 * dir), the server's real launch line, and SDK clients connected to real server processes.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { type LaunchLine, launchLine } from "../../src/security/mod.ts";
import { DenoStdioTransport } from "../../src/server/mod.ts";
import { Client } from "../server/support.ts";
import { writeTinyCase } from "../server/tiny_case.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

/** The repository's hand-made fixture cases (`fixtures/case`). */
export const FIXTURE_CASES = `${REPO_ROOT}/fixtures/case`;

/** An output directory in the real Cobre CLI layout (`fixtures/output/cobre-cli`). */
export const FIXTURE_OUTPUT = `${REPO_ROOT}/fixtures/output/cobre-cli`;

/** Directories of one end-to-end run. */
export interface Workspace {
  root: string;
  allowed: string;
  outside: string;
  stateDir: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * `allowed/tiny` (valid tiny case), `allowed/broken` (a thermal on a missing bus),
 * `outside/secret-case` and `state/`, all canonical.
 */
export async function makeWorkspace(): Promise<Workspace> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-e2e-" }));
  await writeTinyCase(`${root}/allowed/tiny`);
  await writeTinyCase(`${root}/allowed/broken`, 9);
  await writeTinyCase(`${root}/outside/secret-case`);
  await Deno.mkdir(`${root}/state`);
  return {
    root,
    allowed: `${root}/allowed`,
    outside: `${root}/outside`,
    stateDir: `${root}/state`,
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

/** The least-privilege launch line for a read-only server over `allowedDirs`. */
export function readOnlyLaunchLine(
  allowedDirs: string[],
  stateDir: string,
  extra: string[] = [],
): Promise<LaunchLine> {
  return launchLine({ allowedDirs, stateDir, write: false, extraServerArgs: extra });
}

/** A server process driven by an SDK client over its stdin/stdout, with its stderr captured. */
export interface SpawnedServer {
  client: Client;
  child: Deno.ChildProcess;
  /** Closes the client side of stdin (end of input for the server). */
  closeStdin(): Promise<void>;
  /** Everything the server wrote to stderr, once it has exited. */
  stderr: Promise<string>;
}

/** Spawns `line` and connects an SDK client to it over stdio. */
export async function spawnServer(line: LaunchLine): Promise<SpawnedServer> {
  const child = new Deno.Command(line.command, {
    args: line.args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdin = new TransformStream<Uint8Array, Uint8Array>();
  // The client writes into `stdin`; pipeTo closes the child's stdin when the client side closes.
  const piped = stdin.readable.pipeTo(child.stdin).catch(() => {});
  const transport = new DenoStdioTransport({ input: child.stdout, output: stdin.writable });
  const stderr = new Response(child.stderr).text();
  const client = new Client({ name: "cobre-e2e", version: "0.0.0" });
  await client.connect(transport);
  return {
    client,
    child,
    stderr,
    async closeStdin() {
      await transport.close();
      await stdin.writable.close().catch(() => {});
      await piped;
    },
  };
}
