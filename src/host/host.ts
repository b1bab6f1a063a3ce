/**
 * The gated MCP host: an MCP client that stands between an agent (or a person at the `host`
 * command) and one MCP server, and lets through only what its policy allows.
 *
 * - Outbound: each `tools/call` passes the outbound gate (tool in policy, path arguments
 *   canonical and inside the roots by whole segments, confirmation when marked) before anything
 *   is sent, and carries the host's job and capability ids in `_meta["dev.cobre/job"]` (plus a
 *   W3C `traceparent`). Each call has a time budget and an idle limit (`call_limits.ts`), so a
 *   hung server never hangs the agent.
 * - Inbound (`traffic.ts`): server requests are answered only for declared capabilities;
 *   progress for tokens the host never issued is a `progress_token_mismatch` (recorded,
 *   ignored); malformed traffic, unknown response ids and claimed ids that disagree with the
 *   host's are recorded, floods summarised.
 * - Results: references screened (only this server's `ref://`), then redacted before the agent
 *   sees them; every firing is recorded without the secret.
 * - Durability and audit: the host's own `ai_jobs` rows (`src/jobs`) and its own Flight
 *   Recorder (`src/recorder`) in its own state dir, with the server's event kinds.
 * - Connections end only when asked (`disconnect`, `close`) or when the server goes away; a new
 *   one is made only by an explicit `reconnect()`, which is recorded.
 *
 * @module
 */
import {
  CobreError,
  type ErrorRecord,
  errorRecord,
  isObject,
  type JsonValue,
} from "../common/mod.ts";
import { type Job, type JobStore, openJobStore, randomId128 } from "../jobs/mod.ts";
import { type FlightRecorder, openFlightRecorder } from "../recorder/mod.ts";
import { Sandbox } from "../security/mod.ts";
import { HostAudit } from "./audit.ts";
import { callFailure } from "./call_failure.ts";
import { CallLimits } from "./call_limits.ts";
import { nonInteractiveConfirmer } from "./confirm.ts";
import { FloodGuard } from "./flood_guard.ts";
import { loadOrCreateHostId } from "./host_id.ts";
import { declaredCapabilities } from "./inbound_gate.ts";
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
import {
  Client,
  type ReadResourceResult,
  StreamableHTTPClientTransport,
  type Tool,
  type Transport,
} from "./sdk.ts";
import {
  bounded,
  CallRegistry,
  type Connection,
  describeExit,
  exitWithin,
  messageOf,
  type PendingCall,
} from "./session.ts";
import { StdioServerTransport } from "./stdio_client.ts";
import { permissionFlags, type ServerTarget } from "./targets.ts";
import { callIds, Traffic } from "./traffic.ts";
import {
  type CallOptions,
  type CallOutcome,
  type HostCallResult,
  type HostOptions,
  JOB_META_KEY,
  type ResolvedReference,
  RESOURCE_RELEASED,
  SERVER_META_KEY,
  type SessionInfo,
} from "./types.ts";
import { TappedTransport } from "./wire.ts";

/** Longest `setTimeout` delay that does not overflow (about 23 days). */
const FOREVER_MS = 2_000_000_000;

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
  readonly #audit: HostAudit;
  readonly #calls = new CallRegistry();
  readonly #traffic: Traffic;
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
    const notice = options.notice ?? (() => {});
    this.#options = options;
    this.policy = options.policy;
    this.stateDir = options.stateDir;
    this.hostId = hostId;
    this.#sandbox = sandbox;
    this.jobs = jobs;
    this.recorder = recorder;
    this.#redactor = new Redactor(options.policy.redaction, options.policy.roots);
    this.#audit = new HostAudit(recorder, options.policy.id, notice);
    this.#traffic = new Traffic({
      audit: this.#audit,
      calls: this.#calls,
      jobs,
      policy: options.policy,
      sampling: options.sampling ?? null,
      redactor: this.#redactor,
      notice,
    });
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

  #transportFor(target: ServerTarget): Transport {
    if (target.transport === "stdio") {
      const stderr = this.#options.onServerStderr;
      return new StdioServerTransport(target, stderr ? { onStderrLine: stderr } : {});
    }
    const headers: Record<string, string> = {};
    if (target.bearerToken) headers.Authorization = `Bearer ${target.bearerToken}`;
    return new StreamableHTTPClientTransport(new URL(target.url), { requestInit: { headers } });
  }

  async #connect(target: ServerTarget, reconnectReason: string | null): Promise<SessionInfo> {
    const attempt = ++this.#attempts;
    const declared = declaredCapabilities(this.policy, this.#options.sampling ?? null);
    const inner = this.#transportFor(target);
    // The hooks see the connection through this holder, filled in before any traffic.
    const holder: { connection: Connection | null } = { connection: null };
    let announcedServerId: string | null = null;
    const traffic = this.#traffic;
    const wire = new TappedTransport(inner, {
      serverRequest: (request) => traffic.serverRequest(holder.connection, request),
      progress: (params) => traffic.progress(holder.connection, params),
      notification: (method, params) => traffic.notification(holder.connection, method, params),
      response: (id, message) => {
        announcedServerId ??= announcedId(message);
        traffic.response(holder.connection, id, message);
      },
      outbound: (message) => traffic.outbound(holder.connection, message),
      problem: (error) => traffic.problem(holder.connection, error),
    });
    const client = new Client(
      { name: this.#options.clientName ?? "cobre-mcp-host", version: "0.1.0" },
      { capabilities: declared },
    );
    client.onerror = (error) => traffic.problem(holder.connection, error);
    const connection: Connection = {
      info: {
        connectionId: randomId128(),
        attempt,
        transport: target.transport,
        label: target.label,
        serverId: target.serverId,
        serverName: null,
        serverVersion: null,
        pid: inner instanceof StdioServerTransport ? inner.pid : null,
        declaredCapabilities: declared as Record<string, unknown>,
      },
      client,
      wire,
      inner,
      guard: new FloodGuard(),
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
      const exit = await exitWithin(inner, 1_000);
      const record = errorRecord(
        "InternalError",
        `Could not connect to ${target.label}: ${
          exit ? `the server exited (${describeExit(exit)})` : bounded(messageOf(error))
        }`,
        { transport: target.transport, attempt, ...(exit ? { exit: describeExit(exit) } : {}) },
        "Check the server's command line or URL; the host's stderr shows the server's last lines.",
      );
      this.#audit.record(connection, {
        kind: "mcp.session_open",
        level: "error",
        message: record.message,
        errorCode: record.kind,
        payload: { attempt, transport: target.transport, reconnect: reconnectReason },
      });
      throw new CobreError(record);
    }
    const version = client.getServerVersion();
    connection.info = {
      ...connection.info,
      serverId: target.serverId ?? announcedServerId,
      serverName: version?.name ?? null,
      serverVersion: version?.version ?? null,
    };
    connection.open = true;
    this.#connection = connection;
    client.onclose = () => void traffic.closed(connection);
    this.#audit.record(connection, {
      kind: "mcp.session_open",
      message: `${reconnectReason === null ? "Connected" : "Reconnected"} to ${target.label}` +
        (version ? ` (${version.name} ${version.version})` : ""),
      payload: {
        attempt,
        transport: target.transport,
        reconnect: reconnectReason,
        server: version ? { name: version.name, version: version.version } : null,
        server_id: connection.info.serverId,
        server_capabilities: (client.getServerCapabilities() ?? null) as JsonValue,
        declared_capabilities: declared as JsonValue,
        permission_flags: permissionFlags(target),
        pid: connection.info.pid,
      },
    });
    // Listing tools lets the SDK check each result against its tool's output schema.
    await client.listTools(undefined, { timeout: timeoutMs }).catch(() => {});
    return connection.info;
  }

  /** The tools the server lists (names as the server serves them). */
  async listTools(): Promise<Tool[]> {
    const result = await this.#requireConnection().client.listTools(undefined, { timeout: 30_000 });
    return result.tools;
  }

  /**
   * The outbound gate for one call: path arguments canonicalised inside the roots (and put back
   * in canonical form so host and server judge the same string), the policy, and a person's
   * confirmation when the tool needs one.
   */
  async #gate(
    toolName: string,
    args: Record<string, unknown>,
    connection: Connection | null,
  ): Promise<{ decision: OutboundDecision; args: Record<string, unknown>; paths: string[] }> {
    const canonicalArgs: Record<string, unknown> = { ...args };
    const paths: string[] = [];
    for (const { key, index, value } of pathArgumentsOf(args)) {
      let canonical: string;
      try {
        canonical = await this.#sandbox.resolveForCreate(value);
      } catch {
        return { decision: pathOutsideRoots(this.policy, toolName, value), args, paths };
      }
      paths.push(canonical);
      if (index === null) canonicalArgs[key] = canonical;
      else {
        const list = [...(canonicalArgs[key] as unknown[])];
        list[index] = canonical;
        canonicalArgs[key] = list;
      }
    }
    let decision = decideOutbound(this.policy, toolName, paths);
    if (decision.verdict === "confirm") {
      const confirm = this.#options.confirm ?? nonInteractiveConfirmer;
      const answer = await confirm({
        toolName,
        paths,
        policyId: this.policy.id,
        serverLabel: connection?.info.label ?? "no server",
      }).catch(() => "no" as const);
      decision = afterConfirmation(decision, answer);
    }
    if (decision.verdict === "allow" && (connection === null || !connection.open)) {
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
    return { decision, args: canonicalArgs, paths };
  }

  /** Calls `toolName` through both gates; never throws for the agent's mistakes or the server's. */
  async callTool(
    toolName: string,
    args: Record<string, unknown>,
    options: CallOptions = {},
  ): Promise<HostCallResult> {
    const started = performance.now();
    const connection = this.#connection;
    const gated = await this.#gate(toolName, args, connection);
    const { decision } = gated;
    this.#audit.decision(connection, decision, gated.paths);
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
        durationMs: Math.round(performance.now() - started),
      };
    }

    const limits = new CallLimits(decision.timeoutMs, this.policy.idleTimeoutMs, options.signal);
    const call: PendingCall = {
      jobId: randomId128(),
      workflowRunId: options.workflowRunId ?? randomId128(),
      traceId: randomId128(),
      // A token the host can recognise, and that no server can guess.
      token: `host-${randomId128()}`,
      toolName,
      caseDir: typeof gated.args.case_dir === "string" ? gated.args.case_dir : null,
      outputDir: typeof gated.args.output_dir === "string" ? gated.args.output_dir : null,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      messageId: null,
      jobCreated: false,
      touch: () => limits.touch(),
    };
    this.#calls.add(call);
    const meta = {
      progressToken: call.token,
      [JOB_META_KEY]: {
        job_id: call.jobId,
        workflow_run_id: call.workflowRunId,
        trace_id: call.traceId,
        capability_profile_id: this.policy.id,
      },
      traceparent: `00-${call.traceId}-${randomId128().slice(0, 16)}-01`,
    };

    let outcome: CallOutcome;
    let result: AgentResult;
    let error: ErrorRecord | null;
    let redactions: readonly RedactionFiring[] = [];
    let links: readonly ReferenceLink[] = [];
    try {
      if (limits.signal.aborted) throw new Error("stopped before sending");
      const raw = await connection.client.callTool(
        { name: toolName, arguments: gated.args, _meta: meta },
        undefined,
        { signal: limits.signal, timeout: FOREVER_MS },
      );
      this.#traffic.checkClaims(connection, call, (raw as { _meta?: unknown })._meta, "result");
      const screened = screenReferences(
        raw as Parameters<typeof screenReferences>[0],
        connection.info.serverId,
      );
      for (const refusal of screened.refused) {
        this.#audit.record(connection, {
          kind: "mcp.ref_refused",
          level: "warning",
          message: `Refused a ${refusal.refusal} reference in the ${toolName} result`,
          errorCode: "invalid_reference_uri",
          toolName,
          ...callIds(call),
          payload: { uri: refusal.uri, refusal: refusal.refusal },
        });
      }
      const redacted = this.#redactor.redact(screened.result);
      result = redacted.value;
      redactions = redacted.firings;
      links = screened.links;
      error = recordOf(result);
      outcome = result.isError ? "tool-error" : "ok";
    } catch (thrown) {
      const failure = callFailure({
        tool: toolName,
        thrown,
        ended: limits.ended,
        overallMs: limits.overallMs,
        idleMs: limits.idleMs,
        connected: connection.open,
        exit: connection.open ? null : await exitWithin(connection.inner, 1_000),
        redact: (text) => this.#redactor.redactText(text).value,
      });
      ({ outcome, error } = failure);
      result = errorResult(failure.error);
      if (outcome === "timeout") this.#recordTimeout(connection, call, failure.error);
    } finally {
      limits.dispose();
      this.#calls.remove(call);
    }

    const durationMs = Math.round(performance.now() - started);
    this.#recordResponse(connection, call, { outcome, error, redactions, links, durationMs });
    let job: Job | null = null;
    if (call.jobCreated) {
      const status = outcome === "ok"
        ? "completed"
        : outcome === "cancelled"
        ? "cancelled"
        : "failed";
      this.jobs.setStatus(call.jobId, status, { error });
      job = this.jobs.get(call.jobId);
    }
    return { result, outcome, error, job, decision, redactions, links, durationMs };
  }

  #recordTimeout(connection: Connection, call: PendingCall, error: ErrorRecord): void {
    this.#audit.record(connection, {
      kind: "mcp.gate_decision",
      level: "warning",
      gateDecision: "timeout",
      message: error.message,
      toolName: call.toolName,
      errorCode: "Timeout",
      ...callIds(call),
      payload: { reason: error.context.limit === "idle" ? "idle_timeout" : "timeout" },
    });
    this.#options.notice?.(`host: ${error.message}`);
  }

  #recordResponse(
    connection: Connection,
    call: PendingCall,
    done: {
      outcome: CallOutcome;
      error: ErrorRecord | null;
      redactions: readonly RedactionFiring[];
      links: readonly ReferenceLink[];
      durationMs: number;
    },
  ): void {
    const tool = call.toolName;
    if (done.redactions.length > 0) {
      const count = done.redactions.reduce((n, f) => n + f.count, 0);
      this.#audit.record(connection, {
        kind: "host.response",
        level: "notice",
        message: `Redacted ${count} item(s) from the ${tool} result (rules: ${
          done.redactions.map((f) => f.rule).join(", ")
        })`,
        toolName: tool,
        ...callIds(call),
        payload: { redactions: done.redactions as unknown as JsonValue },
      });
    }
    this.#audit.record(connection, {
      kind: "host.response",
      level: done.outcome === "ok" ? "info" : "warning",
      message: done.error
        ? `${tool} ${done.outcome}: ${bounded(done.error.message)}`
        : `${tool} ok`,
      toolName: tool,
      durationMs: done.durationMs,
      errorCode: done.error?.kind ?? null,
      ...callIds(call),
      payload: {
        outcome: done.outcome,
        request_id: call.messageId,
        redactions: done.redactions.length,
        links: done.links.length,
      },
    });
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
      this.#audit.record(connection, {
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
      const detail = this.#redactor.redactText(messageOf(error)).value;
      const record = errorRecord(
        "OutputNotFound",
        `Reference ${shownUri(uri)} could not be read: ${bounded(detail)}`,
        { uri: shownUri(uri) },
        "Run the tool again for a fresh reference.",
      );
      this.#audit.record(connection, {
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
    const bytes = typeof first?.blob === "string"
      ? Uint8Array.from(atob(first.blob), (c) => c.charCodeAt(0))
      : new TextEncoder().encode(this.#redactor.redactText(first?.text ?? "").value);
    this.#audit.record(connection, {
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
      this.#audit.record(connection, {
        kind: "mcp.ref_released",
        message: `Released ${uri}`,
        payload: { uri },
      });
    } catch (error) {
      this.#audit.record(connection, {
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
    this.#audit.summariseFloods(connection);
    // A round trip first: the server reads in order, so notifications sent just before (a
    // release) reach it before the end of input does.
    await connection.client.ping({ timeout: 2_000 }).catch(() => {});
    // An HTTP session is ended explicitly (DELETE), so the server frees it at once.
    if (connection.inner instanceof StreamableHTTPClientTransport) {
      await connection.inner.terminateSession().catch(() => {});
    }
    await connection.client.close().catch(() => {});
    connection.open = false;
    const exit = connection.inner instanceof StdioServerTransport ? connection.inner.exit : null;
    this.#audit.record(connection, {
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
}

/** A server id the `initialize` result announces under `_meta["dev.cobre/server"]`. */
function announcedId(message: unknown): string | null {
  const result = (message as { result?: unknown }).result;
  if (!isObject(result) || typeof result.protocolVersion !== "string" || !isObject(result._meta)) {
    return null;
  }
  const announced = (result._meta[SERVER_META_KEY] as { server_id?: unknown } | undefined)
    ?.server_id;
  return typeof announced === "string" ? announced : null;
}
