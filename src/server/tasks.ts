/**
 * MCP Tasks (protocol 2025-11-25) for tools that declare `taskSupport`: a task-augmented
 * `tools/call` creates a durable task, answers `CreateTaskResult` at once and runs the tool in the
 * background. `tasks/get|result|list|cancel` are served by `task_requests.ts` (observed like every
 * other request) over the server's durable task store (the job store), so tasks survive a restart
 * and a task whose process died reads as failed with its reason.
 *
 * While the task runs, progress keeps the original request's progress token and carries the
 * related-task metadata, as the tasks spec requires; it stops before the task's terminal status
 * is stored. `tasks/cancel` reaches the running tool through the store's status listener, as a
 * stop rather than an abandonment: the tool still finishes what it promises on a stop (`cobre/run`
 * completes its iteration and publishes it as a partial output), and the session remembers when
 * that work has settled so `tasks/result` can report what it left.
 *
 * @module
 */
import { errorRecord, messageOf } from "../common/mod.ts";
import type { ObservedRequest } from "./observer.ts";
import type { ProgressParams } from "./progress.ts";
import {
  type CreateTaskResult,
  ErrorCode,
  McpError,
  RELATED_TASK_META_KEY,
  type ServerCapabilities,
  type Task,
  type TaskStore,
} from "./sdk.ts";
import { checkCall, executeToolCall, type ToolCallEnvironment } from "./tool_call.ts";
import type { RegisteredTool } from "./tool_registry.ts";
import type { LogMessage } from "./logger.ts";
import type { Extra } from "./server.ts";

/** A durable task store the server can also listen to (`DurableTaskStore` from `src/jobs`). */
export interface ServerTaskStore extends TaskStore {
  /** Calls `listener` on every status change made through the store; returns the unsubscribe. */
  onStatusChange(listener: (taskId: string, status: Task["status"]) => void): () => void;
  /** The job behind a visible task: where its run wrote (`outputDir`), null when unknown. */
  jobForTask(taskId: string, sessionId?: string): { readonly outputDir: string | null } | null;
}

/** What the server declares: task listing, cancellation and task-augmented `tools/call`. */
export const TASKS_CAPABILITY: NonNullable<ServerCapabilities["tasks"]> = {
  list: {},
  cancel: {},
  requests: { tools: { call: {} } },
};

const TERMINAL: ReadonlySet<Task["status"]> = new Set(["completed", "failed", "cancelled"]);

/** Whether a task status is final (`completed`, `failed`, `cancelled`). */
export function isTerminalStatus(status: Task["status"]): boolean {
  return TERMINAL.has(status);
}

/** A task running in this session: its stop signal and when its work has settled. */
interface RunningTask {
  controller: AbortController;
  settled: Promise<void>;
}

function aborted(): McpError {
  return new McpError(ErrorCode.InvalidRequest, "The request was cancelled");
}

/** Resolves after `ms`, or when `wake` is called, whichever is first; rejects on `signal`. */
function sleepUnless(
  ms: number,
  signal: AbortSignal,
  register: (wake: () => void) => () => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(aborted());
    const done = () => {
      clearTimeout(timer);
      unregister();
      signal.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      done();
      reject(aborted());
    };
    const timer = setTimeout(() => {
      done();
      resolve();
    }, ms);
    const unregister = register(() => {
      done();
      resolve();
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The session's running tasks, so that `tasks/cancel` stops them and `tasks/result` waits. */
export class SessionTasks {
  readonly #running = new Map<string, RunningTask>();
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #unsubscribe: () => void;

  constructor(readonly store: ServerTaskStore) {
    this.#unsubscribe = store.onStatusChange((taskId, status) => {
      if (status === "cancelled") {
        this.#running.get(taskId)?.controller.abort(new Error("the task was cancelled"));
      }
      for (const wake of [...(this.#waiters.get(taskId) ?? [])]) wake();
    });
  }

  /** Tasks of this session whose work has not settled yet. */
  get runningCount(): number {
    return this.#running.size;
  }

  /** Registers a running task; returns its stop signal and the function that marks it settled. */
  track(taskId: string): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    let settle: () => void = () => {};
    const settled = new Promise<void>((resolve) => (settle = resolve));
    this.#running.set(taskId, { controller, settled });
    return {
      signal: controller.signal,
      done: () => {
        if (this.#running.get(taskId)?.controller === controller) this.#running.delete(taskId);
        settle();
      },
    };
  }

  /**
   * Resolves once the work of `taskId` in this session has settled (at once when none runs), so
   * a cancelled run's partial output is published before anyone reports on it.
   */
  async settled(taskId: string, signal: AbortSignal): Promise<void> {
    const running = this.#running.get(taskId);
    if (!running) return;
    await Promise.race([
      running.settled,
      new Promise<never>((_, reject) => {
        if (signal.aborted) reject(aborted());
        signal.addEventListener("abort", () => reject(aborted()), { once: true });
      }),
    ]);
  }

  /**
   * The task once its status is terminal, or null when the session cannot see it. Wakes on every
   * status change made through the store, and polls at the task's `pollInterval` for changes made
   * elsewhere (a sweep finding its process dead). Rejects when `signal` aborts.
   */
  async untilTerminal(
    taskId: string,
    sessionId: string | undefined,
    signal: AbortSignal,
  ): Promise<Task | null> {
    for (;;) {
      const task = await this.store.getTask(taskId, sessionId);
      if (task === null || isTerminalStatus(task.status)) return task;
      await sleepUnless(task.pollInterval ?? 1_000, signal, (wake) => {
        const set = this.#waiters.get(taskId) ?? new Set<() => void>();
        set.add(wake);
        this.#waiters.set(taskId, set);
        return () => {
          set.delete(wake);
          if (set.size === 0) this.#waiters.delete(taskId);
        };
      });
    }
  }

  /** Stops listening to the store (running tasks go on; they belong to the process). */
  close(): void {
    this.#unsubscribe();
  }
}

/** The task-augmented call's parameters (`params.task`). */
export interface TaskParams {
  /** Requested retention in ms after the task ends (the store caps it). */
  ttl?: number | undefined;
}

/** What the server hands `startToolTask`. */
export interface ToolTaskRequest {
  /** The `tools/call` params as received (stored with the task: tool name, progress token). */
  params: Record<string, unknown>;
  arguments: unknown;
  task: TaskParams;
  /** The Gate's timeout for the tool (null: none). */
  timeoutMs: number | null;
  /** Sends a notification outside any request (the call has already been answered). */
  notify(
    method: "notifications/progress" | "notifications/message" | "notifications/tasks/status",
    params: object,
  ): Promise<void>;
  /** Reports a background failure to the operator. */
  report(message: string, detail: string): void;
}

function relatedTaskMeta(taskId: string, meta: object | undefined) {
  return { ...(meta ?? {}), [RELATED_TASK_META_KEY]: { taskId } };
}

function refusal(code: number, record: ReturnType<typeof errorRecord>): McpError {
  return new McpError(code, record.message, record);
}

/**
 * Creates the task for a call of `tool` and starts the tool in the background; resolves to the
 * `CreateTaskResult`. Refusals that need no task (a write tool on a read-only server, arguments
 * outside the schema) are JSON-RPC errors carrying the record; everything after creation (Busy,
 * validation, solver failures) ends the task as `failed` with the record as its result.
 *
 * `tasks/cancel` stops the tool the way a server shutdown does (its signal aborts and it may
 * still answer); the task is already `cancelled` by then, so that answer is not stored as its
 * result, but the task counts as running until the tool has returned.
 */
export async function startToolTask(
  env: ToolCallEnvironment,
  tasks: SessionTasks,
  tool: RegisteredTool,
  extra: Extra,
  request: ToolTaskRequest,
  observed: ObservedRequest,
): Promise<CreateTaskResult> {
  const checked = checkCall(env.mode, tool, request.arguments);
  if (!checked.ok) {
    const code = checked.outcome === "denied" ? ErrorCode.InvalidRequest : ErrorCode.InvalidParams;
    throw refusal(code, checked.error);
  }

  const task = await tasks.store.createTask(
    { ...(request.task.ttl !== undefined ? { ttl: request.task.ttl } : {}) },
    extra.requestId,
    { method: "tools/call", params: request.params },
    extra.sessionId,
  );
  const taskId = task.taskId;
  const running = tasks.track(taskId);
  const quiet = (send: Promise<void>) => send.catch(() => {}); // the client may be gone
  // No request signal: the call was answered with the task. A cancel is a stop, like shutdown.
  const stop = AbortSignal.any([env.shutdownSignal, running.signal]);
  const outcome = executeToolCall({ ...env, shutdownSignal: stop }, tool, {
    arguments: request.arguments,
    signal: new AbortController().signal,
    timeoutMs: request.timeoutMs,
    sendProgress: (params: ProgressParams) =>
      quiet(request.notify("notifications/progress", {
        ...params,
        _meta: relatedTaskMeta(taskId, params._meta),
      })),
    sendLog: (params: LogMessage) =>
      quiet(request.notify("notifications/message", {
        ...params,
        _meta: relatedTaskMeta(taskId, undefined),
      })),
  }, { ...observed, taskId });

  void outcome.then(async ({ result }) => {
    // A cancelled task already has its terminal status, which it keeps (spec); what the tool
    // left is reported by tasks/result from the job and its outputs.
    if (running.signal.aborted) return;
    // Straight to the durable store: the SDK's per-request wrapper would also notify, and fail
    // once the client is gone, although the result was stored.
    await tasks.store.storeTaskResult(
      taskId,
      result.isError ? "failed" : "completed",
      result,
      extra.sessionId,
    );
    const final = await tasks.store.getTask(taskId, extra.sessionId);
    if (final) await quiet(request.notify("notifications/tasks/status", final));
  }).catch((error: unknown) => {
    // Cancelled while its result was being stored: the cancellation stands (spec).
    if (running.signal.aborted) return;
    request.report(
      `task ${taskId} could not store its result`,
      messageOf(error),
    );
  }).finally(running.done);
  return { task };
}

/** The result a task-augmented call gets when the Gate denies it: a JSON-RPC error. */
export function denyTask(record: ReturnType<typeof errorRecord>): never {
  throw refusal(ErrorCode.InvalidRequest, record);
}
