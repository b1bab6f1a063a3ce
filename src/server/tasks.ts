/**
 * MCP Tasks (protocol 2025-11-25) for tools that declare `taskSupport`: a task-augmented
 * `tools/call` creates a durable task, answers `CreateTaskResult` at once and runs the tool in the
 * background; `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel` are the SDK's own
 * handlers over the server's durable task store (the job store), so tasks survive a restart and
 * a task whose process died reads as failed with its reason.
 *
 * While the task runs, progress keeps the original request's progress token and carries the
 * related-task metadata, as the tasks spec requires; it stops before the task's terminal status
 * is stored. `tasks/cancel` reaches the running tool through the store's status listener.
 *
 * @module
 */
import { errorRecord } from "../common/mod.ts";
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
import { executeToolCall, type ToolCallEnvironment } from "./tool_call.ts";
import { type RegisteredTool, WRITE_DISABLED_MESSAGE } from "./tool_registry.ts";
import type { LogMessage } from "./logger.ts";
import type { Extra } from "./server.ts";

/** A durable task store the server can also listen to (`DurableTaskStore` from `src/jobs`). */
export interface ServerTaskStore extends TaskStore {
  /** Calls `listener` on every status change made through the store; returns the unsubscribe. */
  onStatusChange(listener: (taskId: string, status: Task["status"]) => void): () => void;
}

/** What the server declares: task listing, cancellation and task-augmented `tools/call`. */
export const TASKS_CAPABILITY: NonNullable<ServerCapabilities["tasks"]> = {
  list: {},
  cancel: {},
  requests: { tools: { call: {} } },
};

/** The session's running tasks, so that `tasks/cancel` stops them. */
export class SessionTasks {
  readonly #running = new Map<string, AbortController>();
  readonly #unsubscribe: () => void;

  constructor(readonly store: ServerTaskStore) {
    this.#unsubscribe = store.onStatusChange((taskId, status) => {
      if (status === "cancelled") {
        this.#running.get(taskId)?.abort(new Error("the task was cancelled"));
      }
    });
  }

  /** Registers a running task; returns its signal and the function that forgets it. */
  track(taskId: string): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    this.#running.set(taskId, controller);
    return { signal: controller.signal, done: () => this.#running.delete(taskId) };
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
 */
export async function startToolTask(
  env: ToolCallEnvironment,
  tasks: SessionTasks,
  tool: RegisteredTool,
  extra: Extra,
  request: ToolTaskRequest,
  observed: ObservedRequest,
): Promise<CreateTaskResult> {
  const { definition } = tool;
  if (definition.access === "write" && env.mode === "read-only") {
    throw refusal(
      ErrorCode.InvalidRequest,
      errorRecord("WriteDisabled", WRITE_DISABLED_MESSAGE, { tool: definition.name }),
    );
  }
  const checked = tool.validators.checkArguments(request.arguments);
  if (!checked.ok) throw refusal(ErrorCode.InvalidParams, checked.error);
  const store = extra.taskStore;
  if (!store) throw new McpError(ErrorCode.InternalError, "Tasks are not available");

  const task = await store.createTask({
    ...(request.task.ttl !== undefined ? { ttl: request.task.ttl } : {}),
  });
  const taskId = task.taskId;
  const running = tasks.track(taskId);
  const quiet = (send: Promise<void>) => send.catch(() => {}); // the client may be gone
  const outcome = executeToolCall(env, tool, {
    arguments: request.arguments,
    signal: running.signal,
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

  void outcome.then(async ({ result, outcome: how }) => {
    running.done();
    // A cancelled task already has its terminal status; there is no result to store.
    if (how === "cancelled" && running.signal.aborted) return;
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
    running.done();
    request.report(
      `task ${taskId} could not store its result`,
      error instanceof Error ? error.message : String(error),
    );
  });
  return { task };
}

/** The result a task-augmented call gets when the Gate denies it: a JSON-RPC error. */
export function denyTask(record: ReturnType<typeof errorRecord>): never {
  throw refusal(ErrorCode.InvalidRequest, record);
}
