/**
 * The gated MCP host: an MCP client that stands between an agent (or a person at the `host`
 * command) and one MCP server, and lets through only what its policy allows.
 *
 * - Outbound: each `tools/call` passes the outbound gate (tool in policy, path arguments
 *   canonical and inside the roots by whole segments, confirmation when marked) before anything
 *   is sent, and carries the host's job and capability ids in `_meta["dev.cobre/job"]` (plus a
 *   W3C `traceparent`). Each call has a time budget and an idle limit, so a hung server never
 *   hangs the agent.
 * - Inbound: server requests are answered only for declared capabilities (see
 *   `inbound_gate.ts`); progress for tokens the host never issued is a `progress_token_mismatch`
 *   (recorded, ignored); malformed traffic, unknown response ids and claimed ids that disagree
 *   with the host's are recorded, with floods summarised.
 * - Results: references screened (only this server's `ref://`), then redacted before the agent
 *   sees them; every firing is recorded without the secret.
 * - Durability and audit: the host's own `ai_jobs` rows (`src/jobs`) and its own Flight
 *   Recorder (`src/recorder`) in its own state dir, with the server's event kinds.
 * - Connections end only when asked (`disconnect`, `close`) or when the server goes away; a new
 *   one is made only by an explicit `reconnect()`, which is recorded.
 *
 * @module
 */
import { CobreError, type ErrorRecord, errorRecord, type JsonValue } from "../common/mod.ts";
import { type Job, type JobStore, openJobStore, randomId128 } from "../jobs/mod.ts";
import {
  clientClaimsFrom,
  type FlightEvent,
  type FlightRecorder,
  openFlightRecorder,
} from "../recorder/mod.ts";
import { Sandbox } from "../security/mod.ts";
import { type Confirmer, nonInteractiveConfirmer } from "./confirm.ts";
import { FloodGuard } from "./flood_guard.ts";
import { loadOrCreateHostId } from "./host_id.ts";
import { answerServerRequest, declaredCapabilities, type InboundRequest } from "./inbound_gate.ts";
import {
  afterConfirmation,
  decideOutbound,
  type OutboundDecision,
  pathArgumentsOf,
  pathOutsideRoots,
} from "./outbound_gate.ts";
import type { HostPolicy } from "./policy.ts";
import { type RedactionFiring, Redactor } from "./redact.ts";
import { checkReferenceUri, shownUri } from "./references.ts";
import {
  type AgentResult,
  errorResult,
  recordOf,
  type ReferenceLink,
  screenReferences,
} from "./results.ts";
import type { SamplingProvider } from "./sampling.ts";
import {
  Client,
  ErrorCode,
  type JSONRPCMessage,
  McpError,
  type ReadResourceResult,
  StreamableHTTPClientTransport,
  type Tool,
  type Transport,
} from "./sdk.ts";
import { MalformedMessageError, type ServerExit, StdioServerTransport } from "./stdio_client.ts";
import { permissionFlags, type ServerTarget } from "./targets.ts";
import { TappedTransport } from "./wire.ts";

/** `_meta` key of the host's job ids on every outbound call. */
export const JOB_META_KEY = "dev.cobre/job";
/** `_meta` key of the Cobre progress payload the server sends. */
const UPDATE_META_KEY = "dev.cobre/update";
/** The notification that tells a server a reference may be deleted. */
export const RESOURCE_RELEASED = "notifications/resource_released";
/** Sampling requests answered per connection at most (each may cost a model call). */
const MAX_SAMPLING_PER_CONNECTION = 16;
/** Longest `setTimeout` delay that does not overflow (about 23 days). */
const FOREVER_MS = 2_000_000_000;

/** How the host is set up. */
export interface HostOptions {
  readonly policy: HostPolicy;
  /** The host's own state dir: jobs and recorder (never the server's, never an allowed dir). */
  readonly stateDir: string;
  /** Asks a person about calls marked `confirm` (default: no one is asked, they are denied). */
  readonly confirm?: Confirmer;
  /** The model for sampling; without it sampling is never declared. */
  readonly sampling?: SamplingProvider | null;
  /** Messages for the operator (stderr in the CLI); never shown to the agent. */
  readonly notice?: (line: string) => void;
  /** Each stderr line of a launched server. */
  readonly onServerStderr?: (line: string) => void;
  /** Longest wait for `initialize` (default 30 s). */
  readonly connectTimeoutMs?: number;
  /** Client name sent in `initialize`. */
  readonly clientName?: string;
  /**
   * Revoke this process's FFI permission once the recorder's Worker holds it (default true).
   * Tests that open several hosts in one process turn it off.
   */
  readonly revokeFfi?: boolean;
}

/** What the host learned when it connected. */
export interface SessionInfo {
  readonly connectionId: string;
  readonly attempt: number;
  readonly transport: "stdio" | "http";
  readonly label: string;
  readonly serverId: string | null;
  readonly serverName: string | null;
  readonly serverVersion: string | null;
  readonly pid: number | null;
  readonly declaredCapabilities: Record<string, unknown>;
}

/** One progress step as the host hands it on. */
export interface HostProgress {
  readonly jobId: string;
  readonly progress: number;
  readonly total: number | null;
  readonly message: string | null;
  /** The Cobre payload (`iteration`, `lower_bound`, …) when the server sent one. */
  readonly update: Record<string, JsonValue> | null;
}

/** Options of one call. */
export interface CallOptions {
  readonly onProgress?: (progress: HostProgress) => void;
  /** Aborting cancels the call (`notifications/cancelled` is sent). */
  readonly signal?: AbortSignal;
  /** Groups several calls of one workflow in the audit trail (minted when absent). */
  readonly workflowRunId?: string;
}

/** How a call ended. */
export type CallOutcome =
  | "ok"
  | "tool-error"
  | "denied"
  | "timeout"
  | "cancelled"
  | "disconnected"
  | "protocol-error";

/** What the agent gets back from a call, and what the host kept about it. */
export interface HostCallResult {
  /** The result as the agent sees it (screened and redacted). */
  readonly result: AgentResult;
  readonly outcome: CallOutcome;
  readonly error: ErrorRecord | null;
  /** The host-side job row, for calls that left the host. */
  readonly job: Job | null;
  readonly decision: OutboundDecision;
  readonly redactions: readonly RedactionFiring[];
  /** The connected server's own references in the result. */
  readonly links: readonly ReferenceLink[];
  readonly durationMs: number;
}

/** A resolved reference. */
export interface ResolvedReference {
  readonly uri: string;
  readonly mimeType: string | null;
  readonly bytes: Uint8Array;
}

interface PendingCall {
  readonly jobId: string;
  readonly workflowRunId: string;
  readonly traceId: string;
  readonly token: string;
  readonly toolName: string;
  readonly caseDir: string | null;
  readonly outputDir: string | null;
  readonly onProgress?: (progress: HostProgress) => void;
  messageId: string | number | null;
  jobCreated: boolean;
  touch(): void;
}

interface Connection {
  readonly info: SessionInfo;
  readonly client: Client;
  readonly wire: TappedTransport;
  readonly inner: Transport;
  readonly guard: FloodGuard;
  /** The event kind each flood-guarded anomaly is recorded as. */
  readonly floodKinds: Map<string, FlightEvent["kind"]>;
  open: boolean;
  closing: boolean;
  samplingAnswered: number;
}

class Disconnected extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function bounded(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The gated host; see the module doc. Create with `GatedHost.open`. */
export class GatedHost {
  readonly hostId: string;
  readonly policy: HostPolicy;
  readonly jobs: JobStore;
  readonly recorder: FlightRecorder;
  readonly stateDir: string;

  readonly #options: HostOptions;
  readonly #sandbox: Sandbox;
  readonly #redactor: Redactor;
  readonly #pendingByToken = new Map<string, PendingCall>();
  readonly #pendingByMessage = new Map<string, PendingCall>();
  #connection: Connection | null = null;
  #target: ServerTarget | null = null;
  #attempts = 0;
  #closed = false;

  private constructor(
    options: HostOptions,
    hostId: string,
    sandbox: Sandbox,
    jobs: JobStore,
    recorder: FlightRecorder,
  ) {
    this.#options = options;
    this.policy = options.policy;
    this.stateDir = options.stateDir;
    this.hostId = hostId;
    this.#sandbox = sandbox;
    this.jobs = jobs;
    this.recorder = recorder;
    this.#redactor = new Redactor(options.policy.redaction, options.policy.roots);
  }

  /** Opens the host's job store and Flight Recorder in `options.stateDir`. */
  static async open(options: HostOptions): Promise<GatedHost> {
    const sandbox = await Sandbox.create(options.policy.roots);
    const hostId = await loadOrCreateHostId(options.stateDir);
    const jobs = openJobStore({ stateDir: options.stateDir });
    let recorder: FlightRecorder;
    try {
      recorder = await openFlightRecorder({
        stateDir: options.stateDir,
        serverId: hostId,
        revokeFfi: options.revokeFfi ?? true,
        onWriteError: (message, dropped) =>
          options.notice?.(`host flight recorder dropped ${dropped} events: ${message}`),
      });
    } catch (error) {
      jobs.close();
      throw error;
    }
    return new GatedHost(options, hostId, sandbox, jobs, recorder);
  }

  /** The current connection, or null. */
  get session(): SessionInfo | null {
    return this.#connection?.open ? this.#connection.info : null;
  }

  /** Connects to `target` (launching it when it is a stdio target). */
  async connect(target: ServerTarget): Promise<SessionInfo> {
    if (this.#closed) throw new Error("The host is closed");
    if (this.#connection?.open) await this.disconnect("connecting elsewhere");
    this.#target = target;
    return await this.#connect(target, null);
  }

  /**
   * Makes a new connection to the last target, after closing the current one if any. Never
   * happens on its own: the caller decides, and the reason is recorded.
   */
  async reconnect(reason = "requested by the caller"): Promise<SessionInfo> {
    if (this.#target === null) throw new Error("reconnect() needs an earlier connect()");
    if (this.#connection?.open) await this.disconnect(`reconnecting: ${reason}`);
    return await this.#connect(this.#target, reason);
  }

  async #connect(target: ServerTarget, reconnectReason: string | null): Promise<SessionInfo> {
    const attempt = ++this.#attempts;
    const connectionId = randomId128();
    const declared = declaredCapabilities(this.policy, this.#options.sampling ?? null);
    let inner: Transport;
    let pid: number | null = null;
    if (target.transport === "stdio") {
      const stdio = new StdioServerTransport(target, {
        ...(this.#options.onServerStderr ? { onStderrLine: this.#options.onServerStderr } : {}),
      });
      pid = stdio.pid;
      inner = stdio;
    } else {
      const headers: Record<string, string> = {};
      if (target.bearerToken) headers.Authorization = `Bearer ${target.bearerToken}`;
      inner = new StreamableHTTPClientTransport(new URL(target.url), { requestInit: { headers } });
    }
    let announcedServerId: string | null = null;
    const guard = new FloodGuard();
    // The connection object is filled in before the wire carries anything.
    const holder: { connection: Connection | null } = { connection: null };
    const wire = new TappedTransport(inner, {
      serverRequest: (request) => this.#onServerRequest(holder.connection, request),
      progress: (params) => this.#onProgress(holder.connection, params),
      notification: (method, params) => this.#onNotification(holder.connection, method, params),
      response: (id, message) => {
        const result = (message as { result?: unknown }).result;
        if (
          isObject(result) && typeof result.protocolVersion === "string" && isObject(result._meta)
        ) {
          const announced =
            (result._meta["dev.cobre/server"] as { server_id?: unknown } | undefined)
              ?.server_id;
          if (typeof announced === "string") announcedServerId = announced;
        }
        this.#onResponse(holder.connection, id, message);
      },
      outbound: (message) => this.#onOutbound(holder.connection, message),
      problem: (error) => this.#onProblem(holder.connection, error),
    });
    const client = new Client(
      { name: this.#options.clientName ?? "cobre-mcp-host", version: "0.1.0" },
      { capabilities: declared },
    );
    client.onerror = (error) => this.#onProblem(holder.connection, error);
    const info: SessionInfo = {
      connectionId,
      attempt,
      transport: target.transport,
      label: target.label,
      serverId: target.serverId,
      serverName: null,
      serverVersion: null,
      pid,
      declaredCapabilities: declared as Record<string, unknown>,
    };
    const connection: Connection = {
      info,
      client,
      wire,
      inner,
      guard,
      floodKinds: new Map(),
      open: false,
      closing: false,
      samplingAnswered: 0,
    };
    holder.connection = connection;
    const timeoutMs = this.#options.connectTimeoutMs ?? 30_000;
    try {
      await client.connect(wire, { timeout: timeoutMs });
    } catch (error) {
      connection.closing = true;
      await wire.close().catch(() => {});
      const exit = inner instanceof StdioServerTransport ? await exitWithin(inner, 1_000) : null;
      const record = errorRecord(
        "InternalError",
        `Could not connect to ${target.label}: ${
          exit ? `the server exited (${describeExit(exit)})` : bounded(messageOf(error))
        }`,
        { transport: target.transport, attempt, ...(exit ? { exit: describeExit(exit) } : {}) },
        "Check the server's command line or URL; the host's stderr shows the server's last lines.",
      );
      this.#record(connection, {
        kind: "mcp.session_open",
        level: "error",
        message: record.message,
        errorCode: record.kind,
        payload: { attempt, transport: target.transport, reconnect: reconnectReason !== null },
      });
      throw new CobreError(record);
    }
    const version = client.getServerVersion();
    const serverId = target.serverId ?? announcedServerId;
    const opened: SessionInfo = {
      ...info,
      serverId,
      serverName: version?.name ?? null,
      serverVersion: version?.version ?? null,
    };
    const ready: Connection = { ...connection, info: opened, open: true };
    holder.connection = ready;
    this.#connection = ready;
    client.onclose = () => this.#onClosed(ready);
    this.#record(ready, {
      kind: "mcp.session_open",
      message: `${reconnectReason === null ? "Connected" : "Reconnected"} to ${target.label}` +
        (version ? ` (${version.name} ${version.version})` : ""),
      payload: {
        attempt,
        transport: target.transport,
        reconnect: reconnectReason,
        server: version ? { name: version.name, version: version.version } : null,
        server_id: serverId,
        server_capabilities: (client.getServerCapabilities() ?? null) as JsonValue,
        declared_capabilities: declared as JsonValue,
        permission_flags: permissionFlags(target),
        pid,
      },
    });
    // Listing tools lets the SDK check each result against its tool's output schema.
    await client.listTools(undefined, { timeout: timeoutMs }).catch(() => {});
    return opened;
  }

  /** The tools the server lists (names as the server serves them). */
  async listTools(): Promise<Tool[]> {
    const connection = this.#requireConnection();
    const result = await connection.client.listTools(undefined, { timeout: 30_000 });
    return result.tools;
  }

  /** Calls `toolName` through both gates; never throws for the agent's mistakes or the server's. */
  async callTool(
    toolName: string,
    args: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<HostCallResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const connection = this.#connection;
    const label = connection?.info.label ?? "no server";

    // 1. Paths: canonical, inside the roots by whole segments (the sandbox decides), and put
    //    back into the arguments in canonical form so host and server judge the same string.
    const canonicalArgs: Record<string, unknown> = { ...args };
    const canonicalPaths: string[] = [];
    let decision: OutboundDecision | null = null;
    for (const { key, index, value } of pathArgumentsOf(args)) {
      let canonical: string;
      try {
        canonical = await this.#sandbox.resolveForCreate(value);
      } catch {
        decision = pathOutsideRoots(this.policy, toolName, value);
        break;
      }
      canonicalPaths.push(canonical);
      if (index === null) canonicalArgs[key] = canonical;
      else {
        const list = [...(canonicalArgs[key] as unknown[])];
        list[index] = canonical;
        canonicalArgs[key] = list;
      }
    }
    // 2. The policy.
    decision ??= decideOutbound(this.policy, toolName, canonicalPaths);
    if (decision.verdict === "confirm") {
      const confirm = this.#options.confirm ?? nonInteractiveConfirmer;
      const answer = await confirm({
        toolName,
        paths: canonicalPaths,
        policyId: this.policy.id,
        serverLabel: label,
      }).catch(() => "no" as const);
      decision = afterConfirmation(decision, answer);
    }
    if (connection === null || !connection.open) {
      if (decision.verdict === "allow") {
        decision = {
          ...decision,
          verdict: "deny",
          error: errorRecord(
            "InternalError",
            `The host is not connected to an MCP server, so ${toolName} cannot run`,
            { tool: toolName },
            "The operator can reconnect the host (reconnect()).",
          ),
        };
      }
    }
    this.#recordDecision(connection, decision, canonicalPaths);
    if (decision.verdict !== "allow" || connection === null || !connection.open) {
      const error = decision.error!;
      return {
        result: errorResult(error),
        outcome: "denied",
        error,
        job: null,
        decision,
        redactions: [],
        links: [],
        durationMs: elapsed(),
      };
    }

    // 3. The call, with the host's ids and a progress token the host can recognise.
    const jobId = randomId128();
    const traceId = randomId128();
    const workflowRunId = options.workflowRunId ?? randomId128();
    const token = `host-${randomId128()}`;
    const controller = new AbortController();
    let ended: "timeout" | "idle" | "cancelled" | null = null;
    const overallMs = decision.timeoutMs;
    const idleMs = this.policy.idleTimeoutMs;
    const overall = overallMs === null ? undefined : setTimeout(() => {
      ended ??= "timeout";
      controller.abort();
    }, overallMs);
    let idle: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        ended ??= "idle";
        controller.abort();
      }, idleMs);
    };
    touch();
    const onCallerAbort = () => {
      ended ??= "cancelled";
      controller.abort();
    };
    options.signal?.addEventListener("abort", onCallerAbort, { once: true });
    if (options.signal?.aborted) onCallerAbort();

    const pending: PendingCall = {
      jobId,
      workflowRunId,
      traceId,
      token,
      toolName,
      caseDir: typeof canonicalArgs.case_dir === "string" ? canonicalArgs.case_dir : null,
      outputDir: typeof canonicalArgs.output_dir === "string" ? canonicalArgs.output_dir : null,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      messageId: null,
      jobCreated: false,
      touch,
    };
    this.#pendingByToken.set(token, pending);
    const meta = {
      progressToken: token,
      [JOB_META_KEY]: {
        job_id: jobId,
        workflow_run_id: workflowRunId,
        trace_id: traceId,
        capability_profile_id: this.policy.id,
      },
      traceparent: `00-${traceId}-${randomId128().slice(0, 16)}-01`,
    };

    let outcome: CallOutcome;
    let agentResult: AgentResult;
    let error: ErrorRecord | null = null;
    let redactions: readonly RedactionFiring[] = [];
    let links: readonly ReferenceLink[] = [];
    try {
      if (controller.signal.aborted) throw new McpError(ErrorCode.RequestTimeout, "aborted");
      const raw = await connection.client.callTool(
        { name: toolName, arguments: canonicalArgs, _meta: meta },
        undefined,
        { signal: controller.signal, timeout: FOREVER_MS },
      );
      const screened = screenReferences(
        raw as Parameters<typeof screenReferences>[0],
        connection.info.serverId,
      );
      for (const refusal of screened.refused) {
        this.#record(connection, {
          kind: "mcp.ref_refused",
          level: "warning",
          message: `Refused a ${refusal.refusal} reference in the ${toolName} result`,
          errorCode: "invalid_reference_uri",
          toolName,
          ...this.#ids(pending),
          payload: { uri: refusal.uri, refusal: refusal.refusal },
        });
      }
      const redacted = this.#redactor.redact(screened.result);
      agentResult = redacted.value;
      redactions = redacted.firings;
      links = screened.links;
      error = recordOf(agentResult);
      outcome = agentResult.isError ? "tool-error" : "ok";
      this.#checkClaims(connection, pending, (raw as { _meta?: unknown })._meta, "result");
    } catch (thrown) {
      ({ outcome, error } = await this.#failure(
        connection,
        pending,
        thrown,
        ended,
        overallMs,
        idleMs,
      ));
      agentResult = errorResult(error);
    } finally {
      clearTimeout(overall);
      clearTimeout(idle);
      options.signal?.removeEventListener("abort", onCallerAbort);
      this.#pendingByToken.delete(token);
      if (pending.messageId !== null) this.#pendingByMessage.delete(String(pending.messageId));
    }

    const durationMs = elapsed();
    if (redactions.length > 0) {
      this.#record(connection, {
        kind: "host.response",
        level: "notice",
        message: `Redacted ${
          redactions.reduce((n, f) => n + f.count, 0)
        } item(s) from the ${toolName} result (rules: ${redactions.map((f) => f.rule).join(", ")})`,
        toolName,
        ...this.#ids(pending),
        payload: { redactions: redactions as unknown as JsonValue },
      });
    }
    this.#record(connection, {
      kind: "host.response",
      level: outcome === "ok" ? "info" : "warning",
      message: error ? `${toolName} ${outcome}: ${bounded(error.message)}` : `${toolName} ok`,
      toolName,
      durationMs,
      errorCode: error?.kind ?? null,
      ...this.#ids(pending),
      payload: {
        outcome,
        request_id: pending.messageId,
        redactions: redactions.length,
        links: links.length,
      },
    });
    let job: Job | null = null;
    if (pending.jobCreated) {
      const status = outcome === "ok"
        ? "completed"
        : outcome === "cancelled"
        ? "cancelled"
        : "failed";
      this.jobs.setStatus(jobId, status, { error });
      job = this.jobs.get(jobId);
    }
    return {
      result: agentResult,
      outcome,
      error,
      job,
      decision,
      redactions,
      links,
      durationMs,
    };
  }

  async #failure(
    connection: Connection,
    pending: PendingCall,
    thrown: unknown,
    ended: "timeout" | "idle" | "cancelled" | null,
    overallMs: number | null,
    idleMs: number,
  ): Promise<{ outcome: CallOutcome; error: ErrorRecord }> {
    const tool = pending.toolName;
    if (ended === "timeout" || ended === "idle") {
      const seconds = Math.round((ended === "timeout" ? overallMs! : idleMs) / 100) / 10;
      const error = errorRecord(
        "Timeout",
        ended === "timeout"
          ? `${tool} did not finish within ${seconds} s; the host cancelled it`
          : `${tool} sent neither a result nor progress for ${seconds} s; the host cancelled it`,
        { tool, timeout_s: seconds, limit: ended === "timeout" ? "overall" : "idle" },
        "Try again later; if it keeps happening the server may be stuck (the operator can reconnect).",
      );
      this.#record(connection, {
        kind: "mcp.gate_decision",
        level: "warning",
        gateDecision: "timeout",
        message: error.message,
        toolName: tool,
        errorCode: "Timeout",
        ...this.#ids(pending),
        payload: { reason: ended === "timeout" ? "timeout" : "idle_timeout", timeout_s: seconds },
      });
      this.#options.notice?.(`host: ${error.message}`);
      return { outcome: "timeout", error };
    }
    if (ended === "cancelled") {
      return {
        outcome: "cancelled",
        error: errorRecord("Cancelled", `${tool} was cancelled`, { tool }),
      };
    }
    const closed = thrown instanceof McpError && thrown.code === ErrorCode.ConnectionClosed ||
      thrown instanceof Disconnected || !connection.open;
    if (closed) {
      const exit = connection.inner instanceof StdioServerTransport
        ? await exitWithin(connection.inner, 1_000)
        : null;
      const error = errorRecord(
        "InternalError",
        exit
          ? `The MCP server exited while ${tool} was running (${describeExit(exit)})`
          : `The connection to the MCP server closed while ${tool} was running`,
        { tool, ...(exit ? { exit: describeExit(exit) } : {}) },
        "The operator can reconnect the host and run the call again.",
      );
      return { outcome: "disconnected", error };
    }
    if (thrown instanceof McpError) {
      const kind = thrown.code === ErrorCode.InvalidParams ? "InvalidArgument" : "InternalError";
      const redacted = this.#redactor.redactText(thrown.message.replace(/^MCP error -?\d+: /, ""));
      return {
        outcome: "protocol-error",
        error: errorRecord(kind, `${tool} failed: ${bounded(redacted.value)}`, {
          tool,
          code: thrown.code,
        }),
      };
    }
    return {
      outcome: "protocol-error",
      error: errorRecord(
        "InternalError",
        `${tool} failed in the host: ${bounded(messageOf(thrown))}`,
        {
          tool,
        },
      ),
    };
  }

  /**
   * Resolves a reference of the connected server with `resources/read`, hands it to `use`, and
   * sends `notifications/resource_released` afterwards, whatever `use` did. Anything but this
   * server's `ref://` URIs is refused (`invalid_reference_uri`) without contacting the server.
   */
  async useRef<T>(uri: string, use: (ref: ResolvedReference) => T | Promise<T>): Promise<T> {
    const connection = this.#requireConnection();
    const check = checkReferenceUri(uri, connection.info.serverId);
    if (!check.ok) {
      this.#record(connection, {
        kind: "mcp.ref_refused",
        level: "warning",
        message: check.error.message,
        errorCode: "invalid_reference_uri",
        payload: { uri: shownUri(uri), refusal: check.refusal },
      });
      throw new CobreError(check.error);
    }
    const started = performance.now();
    let read: ReadResourceResult;
    try {
      read = await connection.client.readResource({ uri }, { timeout: 30_000 });
    } catch (error) {
      const record = errorRecord(
        "OutputNotFound",
        `Reference ${shownUri(uri)} could not be read: ${
          bounded(this.#redactor.redactText(messageOf(error)).value)
        }`,
        { uri: shownUri(uri) },
        "Run the tool again for a fresh reference.",
      );
      this.#record(connection, {
        kind: "mcp.resource_read",
        level: "warning",
        message: record.message,
        errorCode: record.kind,
        durationMs: Math.round(performance.now() - started),
        payload: { uri: shownUri(uri) },
      });
      throw new CobreError(record);
    }
    const first = read.contents[0] as
      | { mimeType?: string; blob?: string; text?: string }
      | undefined;
    let bytes: Uint8Array;
    if (typeof first?.blob === "string") {
      bytes = Uint8Array.from(atob(first.blob), (c) => c.charCodeAt(0));
    } else bytes = new TextEncoder().encode(this.#redactor.redactText(first?.text ?? "").value);
    this.#record(connection, {
      kind: "mcp.resource_read",
      message: `Resolved ${uri} (${bytes.length} bytes)`,
      durationMs: Math.round(performance.now() - started),
      payload: { uri, bytes: bytes.length, mime_type: first?.mimeType ?? null },
    });
    try {
      return await use({ uri, mimeType: first?.mimeType ?? null, bytes });
    } finally {
      await this.#release(connection, uri);
    }
  }

  /** Resolves a reference, keeps its bytes and releases it at once. */
  readRef(uri: string): Promise<ResolvedReference> {
    return this.useRef(uri, (ref) => ref);
  }

  async #release(connection: Connection, uri: string): Promise<void> {
    try {
      await connection.wire.notify(RESOURCE_RELEASED, { uri });
      this.#record(connection, {
        kind: "mcp.ref_released",
        message: `Released ${uri}`,
        payload: { uri },
      });
    } catch (error) {
      this.#record(connection, {
        kind: "mcp.ref_released",
        level: "warning",
        message: `Could not release ${uri}: ${bounded(messageOf(error))} (it expires on its own)`,
        payload: { uri },
      });
    }
  }

  /** Ends the connection (stopping a launched server); the stores stay open. */
  async disconnect(reason = "closed by the host"): Promise<void> {
    const connection = this.#connection;
    if (connection === null) return;
    this.#connection = null;
    if (!connection.open) return;
    connection.closing = true;
    this.#summariseFloods(connection);
    await connection.client.close().catch(() => {});
    const exit = connection.inner instanceof StdioServerTransport ? connection.inner.exit : null;
    connection.open = false;
    this.#record(connection, {
      kind: "mcp.session_close",
      message: `Disconnected from ${connection.info.label}: ${reason}` +
        (exit ? ` (server ${describeExit(exit)})` : ""),
      payload: { reason, exit: exit ? describeExit(exit) : null },
    });
  }

  /** Disconnects, then flushes and closes the recorder and the job store. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.disconnect();
    try {
      await this.recorder.close();
    } finally {
      this.jobs.close();
    }
  }

  // ---- inbound traffic -------------------------------------------------------------------

  async #onServerRequest(connection: Connection | null, request: InboundRequest) {
    if (connection === null) {
      return {
        method: request.method,
        verdict: "refused" as const,
        reason: "not_connected",
        error: { code: -32601, message: "Method not found" },
      };
    }
    const claims = clientClaimsFrom((request.params as { _meta?: unknown } | undefined)?._meta);
    if (
      request.method === "sampling/createMessage" &&
      connection.samplingAnswered >= MAX_SAMPLING_PER_CONNECTION
    ) {
      this.#recordGuarded(connection, "sampling_rate", {
        kind: "mcp.request_refused",
        level: "warning",
        message: "Refused sampling/createMessage: this connection used up its sampling requests",
        payload: { method: request.method, reason: "rate_limited" },
        clientClaims: claims,
      });
      return {
        method: request.method,
        verdict: "refused" as const,
        reason: "rate_limited",
        error: { code: -32603, message: "Sampling limit reached" },
      };
    }
    const answer = await answerServerRequest({
      policy: this.policy,
      origin: `MCP server "${connection.info.serverId ?? connection.info.label}"`,
      sampling: this.#options.sampling ?? null,
    }, request);
    if (request.method === "sampling/createMessage" && answer.verdict === "answered") {
      connection.samplingAnswered++;
    }
    const method = bounded(request.method, 100);
    if (answer.verdict === "refused") {
      this.#recordGuarded(connection, `refused:${method}`, {
        kind: "mcp.request_refused",
        level: "warning",
        message:
          `Refused ${method} from the server (${answer.reason}; JSON-RPC ${answer.error?.code})`,
        errorCode: String(answer.error?.code ?? ""),
        payload: { method, reason: answer.reason, direction: "server_to_client" },
        clientClaims: claims,
      });
    } else {
      this.#recordGuarded(connection, `answered:${method}`, {
        kind: "host.request",
        message: `Answered ${method} from the server (${answer.reason})`,
        payload: { method, reason: answer.reason, direction: "server_to_client" },
        clientClaims: claims,
      });
    }
    return answer;
  }

  #onProgress(connection: Connection | null, params: unknown): void {
    if (connection === null) return;
    const p = isObject(params) ? params : {};
    const token = p.progressToken;
    const pending = typeof token === "string" ? this.#pendingByToken.get(token) : undefined;
    const progress = typeof p.progress === "number" ? p.progress : NaN;
    const total = typeof p.total === "number" ? p.total : null;
    const meta = isObject(p._meta) ? p._meta : null;
    const update = isObject(meta?.[UPDATE_META_KEY])
      ? meta[UPDATE_META_KEY] as Record<string, JsonValue>
      : isObject(p.metadata)
      ? p.metadata as Record<string, JsonValue>
      : null;
    const report = pending === undefined || !Number.isFinite(progress)
      ? null
      : this.jobs.reportProgress(
        token as string,
        { progress, total, ...(update ? { lastUpdate: update } : {}) },
        { mcpServerId: this.#serverKey(connection) },
      );
    if (pending === undefined || report === null || !report.ok) {
      this.#recordGuarded(connection, "progress_token_mismatch", {
        kind: "mcp.progress_token_mismatch",
        level: "warning",
        message: "Ignored progress for a token the host did not issue (progress_token_mismatch)",
        errorCode: "progress_token_mismatch",
        payload: {
          token: typeof token === "string" || typeof token === "number"
            ? bounded(String(token), 80)
            : null,
        },
        clientClaims: meta ? clientClaimsFrom(meta) : null,
      });
      return;
    }
    pending.touch();
    this.#checkClaims(connection, pending, meta, "progress");
    const message = typeof p.message === "string" ? bounded(p.message, 300) : null;
    this.#record(connection, {
      kind: "mcp.progress",
      level: "debug",
      message: message ?? `progress ${progress}${total ? `/${total}` : ""}`,
      toolName: pending.toolName,
      ...this.#ids(pending),
      payload: { progress, total, update },
    });
    try {
      pending.onProgress?.({ jobId: pending.jobId, progress, total, message, update });
    } catch (error) {
      this.#options.notice?.(`host: progress listener failed: ${messageOf(error)}`);
    }
  }

  #onNotification(connection: Connection | null, method: string, params: unknown): void {
    if (connection === null) return;
    const name = bounded(method, 100);
    if (method === "notifications/message") {
      const p = isObject(params) ? params : {};
      const data = typeof p.data === "string" ? p.data : JSON.stringify(p.data ?? null);
      this.#recordGuarded(connection, "logging", {
        kind: "mcp.logging",
        level: "debug",
        message: bounded(this.#redactor.redactText(data ?? "").value, 500),
        payload: {
          level: typeof p.level === "string" ? p.level : null,
          direction: "server_to_client",
        },
      });
      return;
    }
    this.#recordGuarded(connection, `notification:${name}`, {
      kind: "host.notification",
      level: "debug",
      message: `Notification ${name} from the server`,
      payload: { method: name, direction: "server_to_client" },
      clientClaims: clientClaimsFrom((params as { _meta?: unknown } | undefined)?._meta),
    });
  }

  #onResponse(connection: Connection | null, id: string | number, message: JSONRPCMessage): void {
    if (connection === null) return;
    const pending = this.#pendingByMessage.get(String(id));
    if (pending) pending.touch();
    if ((message as { error?: unknown }).error !== undefined && pending) {
      this.#checkClaims(connection, pending, null, "result");
    }
  }

  #onOutbound(connection: Connection | null, message: JSONRPCMessage): void {
    const raw = message as unknown as Record<string, unknown>;
    if (raw.method !== "tools/call" || (typeof raw.id !== "string" && typeof raw.id !== "number")) {
      return;
    }
    const params = isObject(raw.params) ? raw.params : {};
    const meta = isObject(params._meta) ? params._meta : {};
    const token = meta.progressToken;
    const pending = typeof token === "string" ? this.#pendingByToken.get(token) : undefined;
    if (pending === undefined || connection === null) return;
    pending.messageId = raw.id;
    this.#pendingByMessage.set(String(raw.id), pending);
    try {
      this.jobs.create({
        jobId: pending.jobId,
        workflowRunId: pending.workflowRunId,
        traceId: pending.traceId,
        toolName: pending.toolName,
        mcpServerId: this.#serverKey(connection),
        mcpSessionId: connection.inner.sessionId ?? connection.info.connectionId,
        mcpCallId: raw.id,
        mcpProgressToken: pending.token,
        caseDir: pending.caseDir,
        outputDir: pending.outputDir,
        status: "running",
      });
      pending.jobCreated = true;
    } catch (error) {
      this.#options.notice?.(
        `host: could not store the job for ${pending.toolName}: ${messageOf(error)}`,
      );
    }
    this.#record(connection, {
      kind: "host.request",
      message: `${pending.toolName} sent to ${connection.info.label}`,
      toolName: pending.toolName,
      ...this.#ids(pending),
      payload: {
        method: "tools/call",
        request_id: raw.id,
        progress_token: pending.token,
        direction: "client_to_server",
        arguments: params.arguments as JsonValue,
      },
    });
  }

  #onProblem(connection: Connection | null, error: Error): void {
    if (connection === null || connection.closing) return;
    const malformed = error instanceof MalformedMessageError;
    const unknownResponse = /unknown message ID/i.test(error.message);
    const kind = malformed
      ? "malformed_message"
      : unknownResponse
      ? "unknown_response"
      : "protocol_error";
    this.#recordGuarded(connection, kind, {
      kind: "host.notification",
      level: "warning",
      message: malformed
        ? `Ignored a malformed message from the server: ${error.message}`
        : unknownResponse
        ? "Ignored a response to a request the host never sent"
        : `Protocol problem: ${bounded(this.#redactor.redactText(error.message).value)}`,
      payload: {
        anomaly: kind,
        ...(malformed
          ? {
            bytes: error.bytes,
            excerpt: this.#redactor.redactText(error.excerpt).value,
          }
          : {}),
      },
    });
  }

  #onClosed(connection: Connection): void {
    if (!connection.open) return;
    connection.open = false;
    if (connection.closing) return;
    // Calls still waiting are failed by the SDK with ConnectionClosed; the record waits for
    // the exit status of a launched server so the operator learns how it ended.
    void (async () => {
      const exit = connection.inner instanceof StdioServerTransport
        ? await exitWithin(connection.inner, 1_000)
        : null;
      this.#summariseFloods(connection);
      const tail = connection.inner instanceof StdioServerTransport
        ? connection.inner.stderrTail().slice(-5).map((line) =>
          this.#redactor.redactText(line).value
        )
        : [];
      const message = exit
        ? `The MCP server ${connection.info.label} exited unexpectedly (${describeExit(exit)})`
        : `The connection to ${connection.info.label} closed unexpectedly`;
      this.#record(connection, {
        kind: "mcp.session_close",
        level: "error",
        message,
        payload: {
          reason: "unexpected",
          exit: exit ? describeExit(exit) : null,
          stderr_tail: tail,
        },
      });
      this.#options.notice?.(
        `host: ${message}${
          tail.length > 0 ? `; its last stderr lines:\n  ${tail.join("\n  ")}` : ""
        }`,
      );
    })();
  }

  // ---- helpers -------------------------------------------------------------------------------

  #requireConnection(): Connection {
    const connection = this.#connection;
    if (connection === null || !connection.open) {
      throw new CobreError(errorRecord(
        "InternalError",
        "The host is not connected to an MCP server",
        {},
        "The operator can reconnect the host (reconnect()).",
      ));
    }
    return connection;
  }

  /** The id stored as `mcp_server_id`: the server's own id, else the connection's label. */
  #serverKey(connection: Connection): string {
    return connection.info.serverId ?? connection.info.label;
  }

  #ids(pending: PendingCall) {
    return { jobId: pending.jobId, workflowRunId: pending.workflowRunId, traceId: pending.traceId };
  }

  /** Records ids a peer claims for one of the host's jobs when they disagree with the host's. */
  #checkClaims(connection: Connection, pending: PendingCall, meta: unknown, where: string): void {
    if (!isObject(meta)) return;
    const claimed = meta[JOB_META_KEY];
    const traceparent = meta.traceparent;
    const mismatches: string[] = [];
    if (isObject(claimed)) {
      if (claimed.job_id !== undefined && claimed.job_id !== pending.jobId) {
        mismatches.push("job_id");
      }
      if (claimed.trace_id !== undefined && claimed.trace_id !== pending.traceId) {
        mismatches.push("trace_id");
      }
      if (
        claimed.workflow_run_id !== undefined && claimed.workflow_run_id !== pending.workflowRunId
      ) mismatches.push("workflow_run_id");
      if (
        claimed.capability_profile_id !== undefined &&
        claimed.capability_profile_id !== this.policy.id
      ) mismatches.push("capability_profile_id");
    }
    if (typeof traceparent === "string" && !traceparent.includes(pending.traceId)) {
      mismatches.push("traceparent");
    }
    if (mismatches.length === 0) return;
    this.#recordGuarded(connection, "spoofed_ids", {
      kind: "host.notification",
      level: "warning",
      message: `The server claimed other ids (${
        mismatches.join(", ")
      }) in a ${where} of ${pending.toolName}; the host kept its own`,
      toolName: pending.toolName,
      ...this.#ids(pending),
      payload: { anomaly: "spoofed_ids", fields: mismatches, where },
      clientClaims: clientClaimsFrom(meta),
    });
  }

  #recordDecision(
    connection: Connection | null,
    decision: OutboundDecision,
    paths: readonly string[],
  ): void {
    this.#record(connection, {
      kind: "mcp.gate_decision",
      level: decision.verdict === "allow" ? "info" : "warning",
      gateDecision: decision.verdict === "allow" ? "allow" : "deny",
      message: decision.verdict === "allow"
        ? `Outbound ${decision.toolName} allowed (${decision.reason})`
        : decision.error?.message ?? `Outbound ${decision.toolName} denied`,
      toolName: bounded(decision.toolName, 128),
      errorCode: decision.error?.kind ?? null,
      payload: {
        direction: "outbound",
        reason: decision.reason,
        paths: paths as string[],
        timeout_ms: decision.timeoutMs,
      },
    });
  }

  #recordGuarded(
    connection: Connection,
    anomaly: string,
    event: Omit<FlightEvent, "source">,
  ): void {
    const verdict = connection.guard.note(anomaly);
    connection.floodKinds.set(anomaly, event.kind);
    if (verdict === "record") {
      this.#record(connection, event);
      return;
    }
    if (connection.guard.startedFlooding(anomaly)) {
      this.#options.notice?.(
        `host: the server keeps sending ${
          anomaly.replace(/_/g, " ")
        }; recording summaries from now on`,
      );
    }
    if (verdict === "summarise") {
      this.#record(connection, {
        kind: event.kind,
        level: "warning",
        message: `Suppressed ${connection.guard.summarySize} more "${anomaly}" events (flood)`,
        payload: { anomaly, suppressed: connection.guard.summarySize, flood: true },
      });
    }
  }

  #summariseFloods(connection: Connection): void {
    for (const { kind, suppressed } of connection.guard.drain()) {
      this.#record(connection, {
        kind: connection.floodKinds.get(kind) ?? "host.notification",
        level: "warning",
        message: `Suppressed ${suppressed} more "${kind}" events (flood)`,
        payload: { anomaly: kind, suppressed, flood: true, total: connection.guard.total(kind) },
      });
    }
  }

  #record(connection: Connection | null, event: Omit<FlightEvent, "source">): void {
    try {
      this.recorder.record({
        source: "host",
        sessionId: connection?.info.connectionId ?? null,
        capabilityProfileId: this.policy.id,
        ...event,
      });
    } catch (error) {
      this.#options.notice?.(`host: could not record an event: ${messageOf(error)}`);
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** "exit code 3" or "signal SIGKILL". */
export function describeExit(exit: ServerExit): string {
  return exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

async function exitWithin(transport: StdioServerTransport, ms: number): Promise<ServerExit | null> {
  if (transport.exit !== null) return transport.exit;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([transport.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
