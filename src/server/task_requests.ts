/**
 * `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel` (MCP 2025-11-25) over the durable
 * task store, each an observed request like every other one: the Gate decides it and the Flight
 * Recorder hears how it ended (the SDK's built-in handlers skip both).
 *
 * - A session sees only its own tasks (the store's rule): another session's task id reads as
 *   unknown, never as "not yours".
 * - An unknown task id, a bad cursor and cancelling a task that already ended are -32602 with an
 *   `InvalidArgument` record in `data` (the spec's protocol errors).
 * - `tasks/result` blocks until the task is terminal and answers the stored result with the
 *   related-task `_meta`. For a cancelled task it answers what the cancelled request leaves: a
 *   `Cancelled` record which, when the run published its last completed iteration, says where
 *   (`context.status: "partial"`, `context.output_dir`); it first waits for that run to settle.
 *
 * @module
 */
import { type ErrorRecord, errorRecord, type JsonValue } from "../common/mod.ts";
import type { ObservedRequest, RequestCompletion } from "./observer.ts";
import { RecordError } from "./resources/mod.ts";
import { NO_STOPPED_OUTPUT, readStoppedOutput, type StoppedOutput } from "./run/stopped_output.ts";
import {
  type CallToolResult,
  CancelTaskRequestSchema,
  type CancelTaskResult,
  ErrorCode,
  GetTaskPayloadRequestSchema,
  GetTaskRequestSchema,
  type GetTaskResult,
  ListTasksRequestSchema,
  type ListTasksResult,
  RELATED_TASK_META_KEY,
} from "./sdk.ts";
import type { Extra, ServerCore, ServerFeature } from "./server.ts";
import { isTerminalStatus, type SessionTasks, TASKS_CAPABILITY } from "./tasks.ts";

/** A refusal carried out of the observed section as a value. */
class Refused {
  constructor(readonly code: number, readonly record: ErrorRecord) {}
}

/** Task ids come from the client: quoted, and cut short, in messages. */
function shown(taskId: string): string {
  return JSON.stringify(taskId.length > 100 ? `${taskId.slice(0, 100)}…` : taskId);
}

function unknownTask(taskId: string): Refused {
  return new Refused(
    ErrorCode.InvalidParams,
    errorRecord(
      "InvalidArgument",
      `Task ${shown(taskId)} not found`,
      { task_id: taskId.slice(0, 256) },
      "Use a task id from this session's tasks/list; finished tasks expire after their ttl.",
    ),
  );
}

function ended(request: ObservedRequest, error: ErrorRecord | null): RequestCompletion {
  return {
    outcome: error === null ? "ok" : "tool-error",
    error,
    durationMs: Date.now() - request.receivedAtMs,
  };
}

/**
 * Runs `run` as the observed request `method` for `taskId`. The task id is put on the observed
 * request (for the recorder's correlation) only when this session can see the task.
 */
async function observeTask<T>(
  core: ServerCore,
  tasks: SessionTasks,
  method: string,
  extra: Extra,
  taskId: string | null,
  run: () => Promise<T | Refused>,
): Promise<T> {
  const visible = taskId !== null && (await tasks.store.getTask(taskId, extra.sessionId)) !== null;
  const result = await core.observe<T | Refused>(
    method,
    extra,
    null,
    async (request) => {
      const value = await run();
      return { value, completion: ended(request, value instanceof Refused ? value.record : null) };
    },
    (record) => new Refused(ErrorCode.InvalidRequest, record),
    visible && taskId !== null ? { taskId } : {},
  );
  if (result instanceof Refused) throw new RecordError(result.code, result.record);
  return result;
}

/** The record `tasks/result` answers for a cancelled task (see the module doc). */
export function cancelledTaskRecord(
  taskId: string,
  outputDir: string | null,
  output: StoppedOutput,
): ErrorRecord {
  if (outputDir === null || output.status === "none") {
    return errorRecord(
      "Cancelled",
      `Task ${shown(taskId)} was cancelled before it produced a result`,
      { task_id: taskId, status: "cancelled" },
      null,
    );
  }
  const simulation: JsonValue = output.simulation === null ? null : { ...output.simulation };
  const context = {
    task_id: taskId,
    status: output.status === "partial" ? "partial" : "completed",
    output_dir: outputDir,
    iterations_completed: output.iterations_completed,
    termination_reason: output.termination_reason,
    training_success_marker: output.training_success,
    simulation,
  };
  if (output.status === "partial") {
    return errorRecord(
      "Cancelled",
      `Task ${shown(taskId)} was cancelled; its run stopped at an iteration boundary and ` +
        `published the last completed iteration as a partial output in ${outputDir}`,
      context,
      "The partial policy and convergence history are in output_dir (not marked complete: no " +
        "_SUCCESS); inspect them with cobre/query-convergence or cobre/inspect-policy, or call " +
        "cobre/run again for a complete run.",
    );
  }
  return errorRecord(
    "Cancelled",
    `Task ${shown(taskId)} was cancelled after its run had finished; its output in ${outputDir} ` +
      "is complete",
    context,
    "The outputs in output_dir are complete and can be queried as usual.",
  );
}

async function taskResult(
  core: ServerCore,
  tasks: SessionTasks,
  taskId: string,
  extra: Extra,
): Promise<CallToolResult | Refused> {
  const task = await tasks.untilTerminal(taskId, extra.sessionId, extra.signal);
  if (task === null) return unknownTask(taskId);
  let result: CallToolResult;
  if (task.status === "cancelled") {
    // The run stops at its next iteration boundary and publishes that iteration first.
    await tasks.settled(taskId, extra.signal);
    const outputDir = tasks.store.jobForTask(taskId, extra.sessionId)?.outputDir ?? null;
    const output = outputDir === null
      ? NO_STOPPED_OUTPUT
      : await readStoppedOutput(outputDir, core.env.sandbox.access);
    const record = cancelledTaskRecord(taskId, outputDir, output);
    result = { content: [{ type: "text", text: JSON.stringify(record) }], isError: true };
  } else {
    result = await tasks.store.getTaskResult(taskId, extra.sessionId) as CallToolResult;
  }
  return {
    ...result,
    _meta: { ...(result._meta ?? {}), [RELATED_TASK_META_KEY]: { taskId } },
  };
}

async function cancelTask(
  tasks: SessionTasks,
  taskId: string,
  sessionId: string | undefined,
): Promise<CancelTaskResult | Refused> {
  const alreadyEnded = (status: string) =>
    new Refused(
      ErrorCode.InvalidParams,
      errorRecord(
        "InvalidArgument",
        `Task ${shown(taskId)} cannot be cancelled: it already ended (${status})`,
        { task_id: taskId, status },
        "Read its result with tasks/result.",
      ),
    );
  const task = await tasks.store.getTask(taskId, sessionId);
  if (task === null) return unknownTask(taskId);
  if (isTerminalStatus(task.status)) return alreadyEnded(task.status);
  try {
    await tasks.store.updateTaskStatus(taskId, "cancelled", "Cancelled by the client", sessionId);
  } catch {
    // It ended between the read and the update (the store refuses to move a terminal task).
    const now = await tasks.store.getTask(taskId, sessionId);
    return now === null ? unknownTask(taskId) : alreadyEnded(now.status);
  }
  const cancelled = await tasks.store.getTask(taskId, sessionId);
  return cancelled === null ? unknownTask(taskId) : cancelled;
}

/** The task requests over `tasks` (the capability is declared by the server). */
export function taskRequestsFeature(tasks: SessionTasks): ServerFeature {
  return {
    capabilities: { tasks: TASKS_CAPABILITY },
    register(core) {
      core.sdk.setRequestHandler(GetTaskRequestSchema, (request, extra) => {
        const taskId = request.params.taskId;
        return observeTask<GetTaskResult>(core, tasks, "tasks/get", extra, taskId, async () => {
          const task = await tasks.store.getTask(taskId, extra.sessionId);
          return task === null ? unknownTask(taskId) : task;
        });
      });
      core.sdk.setRequestHandler(GetTaskPayloadRequestSchema, (request, extra) => {
        const taskId = request.params.taskId;
        return observeTask(
          core,
          tasks,
          "tasks/result",
          extra,
          taskId,
          () => taskResult(core, tasks, taskId, extra),
        );
      });
      core.sdk.setRequestHandler(ListTasksRequestSchema, (request, extra) => {
        const cursor = request.params?.cursor;
        return observeTask<ListTasksResult>(core, tasks, "tasks/list", extra, null, async () => {
          try {
            const page = await tasks.store.listTasks(cursor, extra.sessionId);
            return {
              tasks: page.tasks,
              ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }),
            };
          } catch {
            return new Refused(
              ErrorCode.InvalidParams,
              errorRecord(
                "InvalidArgument",
                "Invalid tasks/list cursor",
                { cursor: String(cursor).slice(0, 256) },
                "Use the nextCursor of a previous tasks/list answer, or omit it.",
              ),
            );
          }
        });
      });
      core.sdk.setRequestHandler(CancelTaskRequestSchema, (request, extra) => {
        const taskId = request.params.taskId;
        return observeTask(
          core,
          tasks,
          "tasks/cancel",
          extra,
          taskId,
          () => cancelTask(tasks, taskId, extra.sessionId),
        );
      });
    },
  };
}
