/**
 * Helpers of the `cobre/run` tests: a workspace with copies of the engine's hand-made fixture
 * cases inside an allowed dir, a state dir outside it, and an in-memory MCP session on a server
 * that serves `cobre/run` over the real `Sandbox`, optionally with the job and task stores.
 *
 * @module
 */
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client";
import { CallToolResultSchema, CreateTaskResultSchema } from "@modelcontextprotocol/sdk/types.js";
// @ts-types="@modelcontextprotocol/sdk/inMemory"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { Sandbox } from "../../src/security/mod.ts";
import {
  type CobreServer,
  cobreTools,
  createCobreServer,
  type RequestObserver,
  RunCoordinator,
  ServerLog,
  type ToolSandbox,
} from "../../src/server/mod.ts";
import { taskAwareJobObserver } from "../../src/server/audit_chain.ts";
import {
  createJobObserver,
  DurableTaskStore,
  type JobStore,
  openJobStore,
} from "../../src/jobs/mod.ts";
import { copyTree } from "../output/helpers.ts";

/** The engine's fixture cases (hand-derived costs in `tests/engine/train_test.ts`). */
export const ENGINE_FIXTURES = fileURLToPath(new URL("../../fixtures/engine", import.meta.url));

/** Directories of one test; paths are canonical. */
export interface RunWorkspace {
  root: string;
  /** The allowed dir: one copy of each requested fixture case, by name. */
  allowed: string;
  /** Outside the allowed dir. */
  stateDir: string;
  sandbox: Sandbox;
  caseDir(name: string): string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A workspace holding copies of `cases` (names under `fixtures/engine`). */
export async function runWorkspace(cases: readonly string[]): Promise<RunWorkspace> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-run-" }));
  const allowed = `${root}/allowed`;
  const stateDir = `${root}/state`;
  for (const name of cases) await copyTree(`${ENGINE_FIXTURES}/${name}`, `${allowed}/${name}`);
  await Deno.mkdir(stateDir, { recursive: true });
  return {
    root,
    allowed,
    stateDir,
    sandbox: await Sandbox.create([allowed]),
    caseDir: (name) => posix.join(allowed, name),
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

/** Rewrites a case's stopping rules to one iteration limit (a long run for cancel tests). */
export async function setIterationLimit(caseDir: string, limit: number): Promise<void> {
  const path = `${caseDir}/config.json`;
  const config = JSON.parse(await Deno.readTextFile(path));
  config.training.stopping_rules = [{ type: "iteration_limit", limit }];
  await Deno.writeTextFile(path, JSON.stringify(config, null, 2));
}

/**
 * Gives every stage of a case `openings` branchings and training `forwardPasses` passes: each
 * iteration then solves about `2 * openings * forwardPasses` LPs in its backward pass (the
 * engine fixtures have three stages), so iterations last as long as a test needs them to.
 */
export async function setOpenings(
  caseDir: string,
  openings: number,
  forwardPasses: number,
): Promise<void> {
  const stagesPath = `${caseDir}/stages.json`;
  const stages = JSON.parse(await Deno.readTextFile(stagesPath));
  for (const stage of stages.stages) stage.num_scenarios = openings;
  await Deno.writeTextFile(stagesPath, JSON.stringify(stages, null, 2));
  const configPath = `${caseDir}/config.json`;
  const config = JSON.parse(await Deno.readTextFile(configPath));
  config.training.forward_passes = forwardPasses;
  await Deno.writeTextFile(configPath, JSON.stringify(config, null, 2));
}

/** A client linked to a server that serves `cobre/run`. */
export interface RunSession {
  client: Client;
  server: CobreServer;
  coordinator: RunCoordinator;
  /** Present when the session was opened with `jobs: true`. */
  jobs: JobStore | null;
  stderr: string[];
  /** Closes client and server, waits for the run to settle, closes the job store. */
  close(): Promise<void>;
}

/** Options of `openRunSession`. */
export interface RunSessionOptions {
  mode?: "read-only" | "read-write";
  /** Keep jobs and MCP tasks in `ws.stateDir`, wired as the audit chain wires them. */
  jobs?: boolean;
  /** Share a coordinator between sessions (one run per process). */
  coordinator?: RunCoordinator;
  /** The linked transport's session id (Streamable HTTP has one; stdio none). */
  transportSessionId?: string;
  /** Replaces the workspace's sandbox (e.g. to inject file-system failures). */
  sandbox?: ToolSandbox;
  /** Observers before the job store's (e.g. a Gate, a recording observer). */
  observers?: RequestObserver[];
  /** The server's shutdown signal (serveStdio aborts it on SIGTERM). */
  shutdownSignal?: AbortSignal;
  stopGraceMs?: number;
  /** LP threads per run (default: the engine decides). */
  workers?: number;
}

/** Opens a session on a server with every tool, `cobre/run` included. */
export async function openRunSession(
  ws: RunWorkspace,
  options: RunSessionOptions = {},
): Promise<RunSession> {
  const mode = options.mode ?? "read-write";
  const coordinator = options.coordinator ?? new RunCoordinator();
  const stderr: string[] = [];
  const log = new ServerLog({ writeLine: (line) => stderr.push(line), stderrLevel: "debug" });
  // The job store and task store as the audit chain wires them (the recorder is left out: it
  // can open once per process, and the end-to-end tests run the whole chain).
  const jobs = options.jobs ? openJobStore({ stateDir: ws.stateDir }) : null;
  const tasks = jobs ? new DurableTaskStore(jobs, { serverId: "run-test" }) : null;
  const observers = [
    ...(options.observers ?? []),
    ...(jobs ? [taskAwareJobObserver(createJobObserver(jobs), jobs)] : []),
  ];
  const server = createCobreServer({
    tools: cobreTools({
      run: { coordinator, ...(options.workers === undefined ? {} : { workers: options.workers }) },
    }),
    sandbox: options.sandbox ?? ws.sandbox,
    mode,
    log,
    serverId: "run-test",
    observers,
    ...(tasks ? { tasks } : {}),
    ...(options.shutdownSignal ? { shutdownSignal: options.shutdownSignal } : {}),
    ...(options.stopGraceMs === undefined ? {} : { stopGraceMs: options.stopGraceMs }),
  });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  if (options.transportSessionId !== undefined) {
    serverTransport.sessionId = options.transportSessionId;
  }
  await server.connect(serverTransport);
  const client = new Client({ name: "cobre-run-test", version: "0.0.0" });
  await client.connect(clientTransport);
  await client.listTools(); // so the client checks results against the output schemas
  return {
    client,
    server,
    coordinator,
    jobs,
    stderr,
    async close() {
      await client.close();
      await server.close();
      coordinator.stopActive("test over");
      await coordinator.idle();
      jobs?.close();
    },
  };
}

/** The error record of a failed tool result. */
export function recordOf(
  result: object,
): { kind: string; message: string; context: Record<string, unknown> } {
  const content = (result as { content: { type: string; text: string }[] }).content;
  return JSON.parse(content[0]?.text ?? "null");
}

/** Names in a directory, sorted (empty when it does not exist). */
export async function listNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

/** Whether a path exists (without following a final link). */
export async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

/** A task-augmented `cobre/run` under way (see `startRunTask`). */
export interface StartedRunTask {
  taskId: string;
  /** Resolves at the first progress reaching the asked value; fails if the task ends first. */
  running: Promise<void>;
}

/**
 * A progress callback, and `until(call)`: resolves at the first progress reaching `at`, or
 * rejects if `call` ends first (a run that failed at once would otherwise leave the test waiting
 * for progress forever).
 */
export function progressReaching(at: number) {
  let reached: () => void = () => {};
  const promise = new Promise<void>((resolve) => (reached = resolve));
  return {
    onprogress: (p: { progress: number }) => {
      if (p.progress >= at) reached();
    },
    until: (call: Promise<unknown>) =>
      Promise.race([
        promise,
        call.then((ended) => {
          throw new Error(`the call ended before progress ${at}: ${JSON.stringify(ended)}`);
        }),
      ]),
  };
}

/** Starts `cobre/run` on `caseDir` as an MCP task and watches its progress. */
export async function startRunTask(
  client: Client,
  caseDir: string,
  progressAt: number,
  timeout?: number,
): Promise<StartedRunTask> {
  const watch = progressReaching(progressAt);
  const created = await client.request(
    {
      method: "tools/call",
      params: { name: "cobre/run", arguments: { case_dir: caseDir }, task: {} },
    },
    CreateTaskResultSchema,
    { onprogress: watch.onprogress, ...(timeout !== undefined ? { timeout } : {}) },
  );
  const taskId = created.task.taskId;
  const ended = client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
  return { taskId, running: watch.until(ended) };
}

/** The workspace's sandbox with a disk that fills up at the `failingWrite`-th new file. */
export function sandboxFailingWrite(
  ws: RunWorkspace,
  failingWrite: number,
): ToolSandbox & { readonly writes: number } {
  let writes = 0;
  const access = {
    ...ws.sandbox.access,
    writeNewFile(path: string, data: Uint8Array) {
      if (++writes === failingWrite) return Promise.reject(new Error("No space left on device"));
      return ws.sandbox.access.writeNewFile(path, data);
    },
  };
  return {
    resolve: (path: string, expect?: "any" | "file" | "dir") => ws.sandbox.resolve(path, expect),
    locate: (path: string) => ws.sandbox.locate(path),
    resolveForWrite: (path: string) => ws.sandbox.resolveForWrite(path),
    access,
    /** New files attempted so far, the failing one included. */
    get writes() {
      return writes;
    },
  };
}
