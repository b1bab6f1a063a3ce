/**
 * The MCP server core on the SDK's low-level `Server` (the high-level `McpServer` warns on every
 * tool name containing `/`). Each feature contributes its capabilities and its request handlers;
 * capabilities are declared only for features actually registered, so adding resources or
 * prompts later is one more entry in `features`.
 *
 * Every request the session receives passes the observers (Gate, Flight Recorder) before and
 * after: the features' own, the protocol's (`initialize`, `ping`, unknown methods) and the task
 * requests alike. Client notifications are reported to them too (`notified`); a cancellation that
 * names no running request of the session is refused and dropped (`audited_transport.ts`).
 *
 * Shutdown: `drain` lets in-flight requests answer within the transport's grace; a call that stops
 * at a boundary rather than at once (`cobre/run` finishing its iteration, then writing it) gets up
 * to `stopGraceMs` in all, so its partial answer still arrives.
 *
 * @module
 */
import {
  CallToolRequestSchema,
  type CallToolResult,
  type CreateTaskResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type RequestHandlerExtra,
  Server,
  type ServerCapabilities,
  type ServerNotification,
  type ServerRequest,
  SetLevelRequestSchema,
  type Transport,
} from "./sdk.ts";
import type { ErrorRecord } from "../common/mod.ts";
import { type LogMessage, ServerLog } from "./logger.ts";
import {
  type Admission,
  admitRequest,
  type ObservedRequest,
  type ObservedTool,
  reportFinished,
  reportNotified,
  type RequestCompletion,
  type RequestObserver,
} from "./observer.ts";
import { executeToolCall, type ToolCallEnvironment } from "./tool_call.ts";
import { buildToolRegistry, type RegisteredTool } from "./tool_registry.ts";
import { toolFailure } from "./tool_results.ts";
import { PendingRequests, TrackedTransport } from "./pending_requests.ts";
import { AuditedTransport } from "./audited_transport.ts";
import { protocolFeature } from "./protocol_requests.ts";
import { taskRequestsFeature } from "./task_requests.ts";
import type { ToolNaming } from "./tool_names.ts";
import { servedToolName } from "./tool_names.ts";
import type { AnyToolDefinition, ServerMode, ToolSandbox } from "./types.ts";
import { COBRE_MCP_VERSION } from "./version.ts";
import type { RefRegistry } from "../refs/mod.ts";
import { resourcesFeature, type ResourceTemplateDefinition, sessionRefs } from "./resources/mod.ts";
import { type PromptDefinition, promptsFeature } from "./prompts/mod.ts";
import { completionsFeature } from "./completions/mod.ts";
import { denyTask, type ServerTaskStore, SessionTasks, startToolTask } from "./tasks.ts";

/** What the SDK passes a request handler. */
export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type Admitted = Extract<Admission, { allow: true }>;
/** A handler's answer and how observers should hear it ended. */
export type Handled<T> = { value: T; completion: RequestCompletion };

/**
 * How long `drain` may wait in all for a call that stops at a boundary to answer: a `cobre/run`
 * asked to stop finishes its current iteration, publishes it and answers `partial`, and one
 * iteration of a large case can take well over the usual drain grace.
 */
export const DEFAULT_STOP_GRACE_MS = 60_000;

/** What observers may see of a request beyond its method, tool and `_meta`. */
export type RequestDetails = Pick<
  ObservedRequest,
  "resourcePaths" | "promptName" | "taskAugmented" | "taskId"
>;

/** How to build one server (one per session). */
export interface CobreServerOptions {
  tools: readonly AnyToolDefinition[];
  sandbox: ToolSandbox;
  mode: ServerMode;
  toolNaming?: ToolNaming;
  /** Gate, Flight Recorder, job store: asked and told about every request, in this order. */
  observers?: readonly RequestObserver[];
  log?: ServerLog;
  /** Identifies this server process in audit records; random when omitted. */
  serverId?: string;
  /** Identifies this session; random when omitted (stdio has one session per process). */
  sessionId?: string;
  /** Aborted on shutdown: handlers stop, and may still answer within the drain grace. */
  shutdownSignal?: AbortSignal;
  /** `cobre://` resource templates to serve (none: no resources capability unless `refs`). */
  resources?: readonly ResourceTemplateDefinition[];
  /** Prompts to serve (none: no prompts capability). */
  prompts?: readonly PromptDefinition[];
  /** Where tools share `ref://` artifacts; served through `resources/read` when given. */
  refs?: RefRegistry | null;
  /**
   * The durable MCP task store (the job store's); when given and a tool supports tasks, the
   * server declares the `tasks` capability and serves `tasks/get|result|list|cancel`.
   */
  tasks?: ServerTaskStore | null;
  /**
   * Upper bound in ms on how long `drain` waits for an in-flight call without a timeout (a run)
   * or a running task to answer once stopped (default `DEFAULT_STOP_GRACE_MS`). Never shorter
   * than the grace `drain` is given.
   */
  stopGraceMs?: number;
}

/** A server ready to connect to one transport. */
export interface CobreServer {
  /** The SDK server, for transports and tests. */
  readonly sdk: Server;
  readonly serverId: string;
  readonly sessionId: string;
  readonly log: ServerLog;
  connect(transport: Transport): Promise<void>;
  /** Requests received and not yet answered. */
  inFlight(): number;
  /**
   * Resolves once every request received has been answered, or after `graceMs`; when a stopping
   * run or task is still in flight then, waits for it up to `stopGraceMs` in all.
   */
  drain(graceMs: number): Promise<void>;
  /** Closes the transport; in-flight handlers see their signal aborted. */
  close(): Promise<void>;
  /** Resolves when the connection has closed, from either side. */
  readonly closed: Promise<void>;
}

/** The state features share while registering handlers. */
export interface ServerCore {
  readonly sdk: Server;
  readonly log: ServerLog;
  readonly naming: ToolNaming;
  readonly observers: readonly RequestObserver[];
  readonly env: ToolCallEnvironment;
  readonly registry: Map<string, RegisteredTool>;
  /** The session's running tasks; null when the server keeps no tasks. */
  readonly tasks: SessionTasks | null;
  /**
   * Runs `handle` as an observed request: observers admit it first (a
   * denial is answered by `deny`, a JSON-RPC error unless given), and hear how it ended.
   */
  observe<T>(
    method: string,
    extra: Extra,
    tool: ObservedTool | null,
    handle: (request: ObservedRequest, admission: Admitted) => Promise<Handled<T>>,
    deny?: (error: ErrorRecord) => T,
    details?: RequestDetails,
  ): Promise<T>;
  /** Counts `work` as a call that stops at a boundary (see `drain`) until it settles. */
  untimed<T>(work: Promise<T>): Promise<T>;
  /** Answers a request with a protocol error without admitting it; observers hear of it. */
  refuse(method: string, extra: Extra, error: McpError): Promise<never>;
}

/** One capability of the server: what it declares and the handlers that serve it. */
export interface ServerFeature {
  capabilities: ServerCapabilities;
  register(core: ServerCore): void;
}

const toolsFeature: ServerFeature = {
  capabilities: { tools: { listChanged: false } },
  register(core) {
    const listings = [...core.registry.values()].map((tool) => tool.listing);
    core.sdk.setRequestHandler(
      ListToolsRequestSchema,
      (_request, extra) =>
        core.observe("tools/list", extra, null, (request) =>
          Promise.resolve({
            value: { tools: listings },
            completion: completion("ok", null, request),
          })),
    );
    core.sdk.setRequestHandler(CallToolRequestSchema, (call, extra) => {
      const name = call.params.name;
      const tool = core.registry.get(name);
      if (!tool) {
        // A protocol error per MCP: the caller named something that was never listed. There is
        // nothing to admit; observers only hear that it was refused.
        return core.refuse(
          "tools/call",
          extra,
          new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name.slice(0, 100)}`),
        );
      }
      const observedTool: ObservedTool = {
        name: tool.definition.name,
        servedName: tool.servedName,
        access: tool.definition.access,
        timeoutMs: tool.definition.timeoutMs,
        arguments: call.params.arguments,
      };
      // The Gate's timeout for the call, when it set one, replaces the tool's own.
      const timeoutFor = (admission: Admitted) =>
        admission.timeoutMs !== undefined ? admission.timeoutMs : tool.definition.timeoutMs;
      if (call.params.task !== undefined) {
        const tasks = core.tasks;
        if (tasks === null || tool.definition.taskSupport === undefined) {
          // MCP Tasks: a tool that does not support tasks answers task-augmented calls -32601.
          // (Without the tasks capability, as on a read-only server, the SDK refuses them first.)
          return core.refuse(
            "tools/call",
            extra,
            new McpError(
              ErrorCode.MethodNotFound,
              `Tool ${name.slice(0, 100)} does not support task-augmented calls`,
            ),
          );
        }
        const task = call.params.task;
        return core.observe<CreateTaskResult>(
          "tools/call",
          extra,
          observedTool,
          async (request, admission) => ({
            value: await startToolTask(core.env, tasks, tool, extra, {
              params: call.params,
              arguments: call.params.arguments,
              task: { ttl: task.ttl },
              timeoutMs: timeoutFor(admission),
              notify: (method, params) =>
                core.sdk.notification({ method, params } as ServerNotification),
              report: (message, detail) => core.log.operator("error", message, { detail }),
            }, request),
            completion: completion("ok", null, request),
          }),
          denyTask,
          { taskAugmented: true },
        );
      }
      return core.observe<CallToolResult>(
        "tools/call",
        extra,
        observedTool,
        async (request, admission) => {
          const timeoutMs = timeoutFor(admission);
          const running = executeToolCall(core.env, tool, {
            arguments: call.params.arguments,
            signal: extra.signal,
            timeoutMs,
            sendProgress: (params) =>
              extra.sendNotification({ method: "notifications/progress", params }),
            sendLog: (params) =>
              extra.sendNotification({ method: "notifications/message", params }),
          }, request);
          // Without a timeout a call ends only when done or stopped: shutdown waits longer for it.
          const outcome = await (timeoutMs === null ? core.untimed(running) : running);
          return {
            value: outcome.result,
            completion: completion(outcome.outcome, outcome.error, request),
          };
        },
        // Tool execution errors, denials included, reach the agent as records it can read.
        toolFailure,
      );
    });
  },
};

const loggingFeature: ServerFeature = {
  capabilities: { logging: {} },
  register(core) {
    // Replaces the SDK's own handler so one threshold governs both session-wide and
    // request-related messages.
    core.sdk.setRequestHandler(
      SetLevelRequestSchema,
      (request, extra) =>
        core.observe("logging/setLevel", extra, null, (observed) => {
          core.log.setClientLevel(request.params.level);
          return Promise.resolve({ value: {}, completion: completion("ok", null, observed) });
        }),
    );
    core.sdk.oninitialized = () => {
      core.log.attachClient((message: LogMessage) => core.sdk.sendLoggingMessage(message));
    };
  },
};

function completion(
  outcome: RequestCompletion["outcome"],
  error: RequestCompletion["error"],
  request: ObservedRequest,
): RequestCompletion {
  return { outcome, error, durationMs: Date.now() - request.receivedAtMs };
}

function denyWithProtocolError(error: ErrorRecord): never {
  throw new McpError(ErrorCode.InvalidRequest, error.message);
}

function reportObserverFailure(log: ServerLog) {
  return (hook: string, error: unknown) =>
    log.operator("error", `request observer hook "${hook}" failed`, {
      detail: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
}

function instructionsFor(
  registry: Map<string, RegisteredTool>,
  mode: ServerMode,
  naming: ToolNaming,
  capabilities: ServerCapabilities,
) {
  const name = (spec: string) => servedToolName(spec, naming);
  const has = (spec: string) => registry.has(name(spec));
  const flow = ["cobre/inspect-case", "cobre/validate", "cobre/get-config-schema"]
    .filter(has).map(name).join(", ");
  return [
    "Cobre hydrothermal dispatch studies (SDDP) for agents.",
    "Every path argument must be an absolute path inside the directories this server was started",
    "with; other paths are refused.",
    flow ? `Start with: ${flow}.` : "",
    "Failures come back as JSON records {kind, message, context, suggestion}: follow the suggestion.",
    capabilities.resources && capabilities.prompts
      ? "Case and output data are also resources (resources/templates/list, path variables " +
        "URL-encoded); prompts guide study setup, convergence diagnosis, run comparison and " +
        "result explanation."
      : "",
    mode === "read-only"
      ? "This server is read-only: tools that write (training, export) are disabled."
      : "This server may write outputs inside its allowed directories.",
  ].filter((line) => line !== "").join(" ");
}

/** Builds a server for one session. Throws if two tools end up with the same served name. */
export function createCobreServer(options: CobreServerOptions): CobreServer {
  const serverId = options.serverId ?? crypto.randomUUID();
  const sessionId = options.sessionId ?? crypto.randomUUID();
  const log = options.log ?? new ServerLog();
  const naming = options.toolNaming ?? "spec";
  const observers = options.observers ?? [];
  // Tasks are served only when some tool can run as one here (a read-only server cannot run the
  // write tools, so it declares no tasks).
  const taskStore =
    options.tools.some((tool) =>
        tool.taskSupport !== undefined && (tool.access === "read" || options.mode === "read-write")
      )
      ? options.tasks ?? null
      : null;
  const servesTasks = taskStore !== null;
  const registry = buildToolRegistry(options.tools, naming, options.mode, servesTasks);
  const tasks = taskStore !== null ? new SessionTasks(taskStore) : null;
  const templates = options.resources ?? [];
  const prompts = options.prompts ?? [];
  // Refs belong to the transport's session (null on stdio), as src/refs expects.
  const refs = options.refs
    ? sessionRefs(options.refs, () => sdk.transport?.sessionId ?? null)
    : null;
  const reportUnhandled = (method: string) =>
    reportNotified(observers, {
      method,
      sessionId,
      serverId,
      verdict: "refused",
      reason: "unhandled_method",
    }, reportObserverFailure(log));
  const features: ServerFeature[] = [
    protocolFeature(reportUnhandled),
    toolsFeature,
    loggingFeature,
  ];
  if (tasks !== null) features.push(taskRequestsFeature(tasks));
  if (templates.length > 0 || refs !== null) features.push(resourcesFeature(templates));
  if (prompts.length > 0) features.push(promptsFeature(prompts));
  if (templates.length > 0 || prompts.length > 0) {
    features.push(completionsFeature(templates, prompts));
  }

  const capabilities = features.reduce<ServerCapabilities>(
    (all, feature) => ({ ...all, ...feature.capabilities }),
    {},
  );
  const sdk = new Server(
    { name: "cobre-mcp", title: "Cobre MCP server", version: COBRE_MCP_VERSION },
    {
      capabilities,
      // No `taskStore` for the SDK: its built-in task handlers would bypass the observers;
      // task_requests.ts serves tasks/get|result|list|cancel over the same store instead.
      instructions: instructionsFor(registry, options.mode, naming, capabilities),
    },
  );

  const pending = new PendingRequests();
  const untimedCalls = new Set<Promise<unknown>>();
  const stopGraceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;

  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  sdk.onclose = () => {
    log.attachClient(null);
    tasks?.close();
    markClosed();
  };
  sdk.onerror = (error) => log.operator("warning", "protocol error", { detail: error.message });

  const observed = (
    method: string,
    extra: Extra,
    tool: ObservedTool | null,
    details: RequestDetails = {},
  ): ObservedRequest => ({
    ...details,
    method,
    requestId: extra.requestId,
    sessionId,
    serverId,
    mode: options.mode,
    progressToken: extra._meta?.progressToken ?? null,
    ...(extra._meta === undefined ? {} : { meta: extra._meta }),
    receivedAtMs: Date.now(),
    tool,
  });

  const core: ServerCore = {
    sdk,
    log,
    naming,
    observers,
    registry,
    tasks,
    env: {
      sandbox: options.sandbox,
      mode: options.mode,
      log,
      observers,
      sessionId,
      serverId,
      shutdownSignal: options.shutdownSignal ?? new AbortController().signal,
      refs,
    },
    async untimed(work) {
      untimedCalls.add(work);
      try {
        return await work;
      } finally {
        untimedCalls.delete(work);
      }
    },
    async refuse(method, extra, error) {
      const request = observed(method, extra, null);
      const report = reportObserverFailure(log);
      await reportFinished(observers, request, completion("protocol-error", null, request), report);
      throw error;
    },
    async observe(method, extra, tool, handle, deny = denyWithProtocolError, details = {}) {
      const request = observed(method, extra, tool, details);
      const report = reportObserverFailure(log);
      const admission = await admitRequest(observers, request, report);
      if (!admission.allow) {
        await reportFinished(
          observers,
          request,
          completion("denied", admission.error, request),
          report,
        );
        return deny(admission.error);
      }
      let handled: Awaited<ReturnType<typeof handle>>;
      try {
        handled = await handle(request, admission);
      } catch (error) {
        // A handler that gave up because the client cancelled it (a blocking tasks/result) was
        // cancelled, not refused.
        const outcome = extra.signal.aborted ? "cancelled" : "protocol-error";
        await reportFinished(observers, request, completion(outcome, null, request), report);
        throw error;
      }
      await reportFinished(observers, request, handled.completion, report);
      // An access log for the operator (stderr, debug level): method, tool, outcome, duration.
      log.operator(
        "debug",
        `${method}${tool ? ` ${tool.name}` : ""} ${handled.completion.outcome}`,
        {
          request_id: request.requestId,
          duration_ms: handled.completion.durationMs,
        },
      );
      return handled.value;
    },
  };
  for (const feature of features) feature.register(core);

  return {
    sdk,
    serverId,
    sessionId,
    log,
    closed,
    connect: (transport) =>
      sdk.connect(
        new AuditedTransport(new TrackedTransport(transport, pending), (cancellation) =>
          reportNotified(observers, {
            method: "notifications/cancelled",
            sessionId,
            serverId,
            verdict: cancellation.running ? "accepted" : "refused",
            reason: cancellation.running ? null : "unknown_request",
            ...(cancellation.requestId === undefined ? {} : { requestId: cancellation.requestId }),
            ...(cancellation.reason === undefined ? {} : { clientReason: cancellation.reason }),
          }, reportObserverFailure(log))),
      ),
    inFlight: () => pending.size,
    async drain(graceMs) {
      await pending.idle(graceMs);
      const stopping = untimedCalls.size + (tasks?.runningCount ?? 0);
      if (pending.size === 0 || stopping === 0) return;
      const moreMs = Math.max(0, stopGraceMs - graceMs);
      log.operator(
        "warning",
        `a stopped run is still finishing its iteration; waiting up to ${moreMs} ms more for its answer`,
        { in_flight: pending.size },
      );
      await pending.idle(moreMs);
    },
    close: () => sdk.close(),
  };
}
