/**
 * What the host does with each message crossing the wire (see `wire.ts`): server requests go
 * to the inbound gate, progress is matched against the tokens the host issued (and persisted in
 * its job store), outbound calls become job rows, and everything odd (malformed lines,
 * responses to nothing, ids a server claims, a connection that drops) is recorded, floods
 * summarised.
 *
 * @module
 */
import { isObject, type JsonValue } from "../common/mod.ts";
import type { JobStore } from "../jobs/mod.ts";
import { clientClaimsFrom } from "../recorder/mod.ts";
import type { HostAudit } from "./audit.ts";
import { claimMismatches } from "./claims.ts";
import {
  answerServerRequest,
  type InboundAnswer,
  type InboundRequest,
  INTERNAL_ERROR,
  METHOD_NOT_FOUND,
  refuse,
} from "./inbound_gate.ts";
import type { HostPolicy } from "./policy.ts";
import type { Redactor } from "./redact.ts";
import type { SamplingProvider } from "./sampling.ts";
import type { JSONRPCMessage } from "./sdk.ts";
import {
  bounded,
  type CallRegistry,
  type Connection,
  describeExit,
  exitWithin,
  messageOf,
  type PendingCall,
} from "./session.ts";
import { MalformedMessageError, StdioServerTransport } from "./stdio_client.ts";
import { UPDATE_META_KEY } from "./types.ts";

/** Sampling requests answered per connection at most (each may cost a model call). */
export const MAX_SAMPLING_PER_CONNECTION = 16;

/** What the traffic handlers work with. */
export interface TrafficDeps {
  readonly audit: HostAudit;
  readonly calls: CallRegistry;
  readonly jobs: JobStore;
  readonly policy: HostPolicy;
  readonly sampling: SamplingProvider | null;
  readonly redactor: Redactor;
  readonly notice: (line: string) => void;
}

/** The id stored as `mcp_server_id`: the server's own id, else the connection's label. */
export function serverKey(connection: Connection): string {
  return connection.info.serverId ?? connection.info.label;
}

/** The trusted correlation ids of a call, for its events. */
export function callIds(call: PendingCall) {
  return { jobId: call.jobId, workflowRunId: call.workflowRunId, traceId: call.traceId };
}

/** The inbound and outbound handlers of one host. */
export class Traffic {
  readonly #deps: TrafficDeps;

  constructor(deps: TrafficDeps) {
    this.#deps = deps;
  }

  /** Records ids a server claims for one of the host's calls when they disagree. */
  checkClaims(connection: Connection, call: PendingCall, meta: unknown, where: string): void {
    const fields = claimMismatches(meta, {
      ...callIds(call),
      capabilityProfileId: this.#deps.policy.id,
    });
    if (fields.length === 0) return;
    this.#deps.audit.guarded(connection, "spoofed_ids", {
      kind: "host.notification",
      level: "warning",
      message: `The server claimed other ids (${
        fields.join(", ")
      }) in a ${where} of ${call.toolName}; the host kept its own`,
      toolName: call.toolName,
      ...callIds(call),
      payload: { anomaly: "spoofed_ids", fields, where },
      clientClaims: clientClaimsFrom(meta),
    });
  }

  /** A request from the server: the inbound gate answers; every answer is recorded. */
  async serverRequest(
    connection: Connection | null,
    request: InboundRequest,
  ): Promise<InboundAnswer> {
    const method = bounded(request.method, 100);
    if (connection === null) {
      return refuse(method, METHOD_NOT_FOUND, "not_connected", "Method not found");
    }
    const { audit } = this.#deps;
    const claims = clientClaimsFrom((request.params as { _meta?: unknown } | undefined)?._meta);
    if (
      request.method === "sampling/createMessage" &&
      connection.samplingAnswered >= MAX_SAMPLING_PER_CONNECTION
    ) {
      audit.guarded(connection, "sampling_rate", {
        kind: "mcp.request_refused",
        level: "warning",
        message: "Refused sampling/createMessage: this connection used up its sampling requests",
        payload: { method, reason: "rate_limited", direction: "server_to_client" },
        clientClaims: claims,
      });
      return refuse(method, INTERNAL_ERROR, "rate_limited", "Sampling limit reached");
    }
    const answer = await answerServerRequest({
      policy: this.#deps.policy,
      origin: `MCP server "${serverKey(connection)}"`,
      sampling: this.#deps.sampling,
    }, request);
    if (request.method === "sampling/createMessage" && answer.verdict === "answered") {
      connection.samplingAnswered++;
    }
    if (answer.verdict === "refused") {
      audit.guarded(connection, `refused:${method}`, {
        kind: "mcp.request_refused",
        level: "warning",
        message:
          `Refused ${method} from the server (${answer.reason}; JSON-RPC ${answer.error?.code})`,
        errorCode: String(answer.error?.code ?? ""),
        payload: { method, reason: answer.reason, direction: "server_to_client" },
        clientClaims: claims,
      });
    } else {
      audit.guarded(connection, `answered:${method}`, {
        kind: "host.request",
        message: `Answered ${method} from the server (${answer.reason})`,
        payload: { method, reason: answer.reason, direction: "server_to_client" },
        clientClaims: claims,
      });
    }
    return answer;
  }

  /**
   * `notifications/progress`: kept (job row, recorder, listener) only for a token the host
   * issued for a call still in flight; anything else is a `progress_token_mismatch`.
   */
  progress(connection: Connection | null, params: unknown): void {
    if (connection === null) return;
    const p = isObject(params) ? params : {};
    const call = this.#deps.calls.byToken(p.progressToken);
    const progress = typeof p.progress === "number" ? p.progress : NaN;
    const total = typeof p.total === "number" ? p.total : null;
    const meta = isObject(p._meta) ? p._meta : null;
    const update = isObject(meta?.[UPDATE_META_KEY])
      ? meta[UPDATE_META_KEY] as Record<string, JsonValue>
      : isObject(p.metadata)
      ? p.metadata as Record<string, JsonValue>
      : null;
    const report = call === undefined || !Number.isFinite(progress) ? null : this.#deps.jobs
      .reportProgress(
        call.token,
        { progress, total, ...(update ? { lastUpdate: update } : {}) },
        { mcpServerId: serverKey(connection) },
      );
    if (call === undefined || report === null || !report.ok) {
      const token = p.progressToken;
      this.#deps.audit.guarded(connection, "progress_token_mismatch", {
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
    call.touch();
    this.checkClaims(connection, call, meta, "progress");
    const message = typeof p.message === "string" ? bounded(p.message, 300) : null;
    this.#deps.audit.record(connection, {
      kind: "mcp.progress",
      level: "debug",
      message: message ?? `progress ${progress}${total ? `/${total}` : ""}`,
      toolName: call.toolName,
      ...callIds(call),
      payload: { progress, total, update },
    });
    try {
      call.onProgress?.({ jobId: call.jobId, progress, total, message, update });
    } catch (error) {
      this.#deps.notice(`host: progress listener failed: ${messageOf(error)}`);
    }
  }

  /** Any other notification from the server: recorded (logging redacted), floods summarised. */
  notification(connection: Connection | null, method: string, params: unknown): void {
    if (connection === null) return;
    const name = bounded(method, 100);
    if (method === "notifications/message") {
      const p = isObject(params) ? params : {};
      const data = typeof p.data === "string" ? p.data : JSON.stringify(p.data ?? null);
      this.#deps.audit.guarded(connection, "logging", {
        kind: "mcp.logging",
        level: "debug",
        message: bounded(this.#deps.redactor.redactText(data ?? "").value, 500),
        payload: {
          level: typeof p.level === "string" ? p.level : null,
          direction: "server_to_client",
        },
      });
      return;
    }
    this.#deps.audit.guarded(connection, `notification:${name}`, {
      kind: "host.notification",
      level: "debug",
      message: `Notification ${name} from the server`,
      payload: { method: name, direction: "server_to_client" },
      clientClaims: clientClaimsFrom((params as { _meta?: unknown } | undefined)?._meta),
    });
  }

  /** A response: the server is alive for that call (resets its idle limit). */
  response(connection: Connection | null, id: string | number, _message: JSONRPCMessage): void {
    if (connection === null) return;
    this.#deps.calls.byMessage(id)?.touch();
  }

  /** An outbound `tools/call` of the host's: its job row is created with the JSON-RPC id. */
  outbound(connection: Connection | null, message: JSONRPCMessage): void {
    const raw = message as unknown as Record<string, unknown>;
    if (raw.method !== "tools/call" || (typeof raw.id !== "string" && typeof raw.id !== "number")) {
      return;
    }
    const params = isObject(raw.params) ? raw.params : {};
    const meta = isObject(params._meta) ? params._meta : {};
    const call = this.#deps.calls.byToken(meta.progressToken);
    if (call === undefined || connection === null) return;
    this.#deps.calls.bind(call, raw.id);
    try {
      this.#deps.jobs.create({
        jobId: call.jobId,
        workflowRunId: call.workflowRunId,
        traceId: call.traceId,
        toolName: call.toolName,
        mcpServerId: serverKey(connection),
        mcpSessionId: connection.inner.sessionId ?? connection.info.connectionId,
        mcpCallId: raw.id,
        mcpProgressToken: call.token,
        caseDir: call.caseDir,
        outputDir: call.outputDir,
        status: "running",
      });
      call.jobCreated = true;
    } catch (error) {
      this.#deps.notice(`host: could not store the job for ${call.toolName}: ${messageOf(error)}`);
    }
    this.#deps.audit.record(connection, {
      kind: "host.request",
      message: `${call.toolName} sent to ${connection.info.label}`,
      toolName: call.toolName,
      ...callIds(call),
      payload: {
        method: "tools/call",
        request_id: raw.id,
        progress_token: call.token,
        direction: "client_to_server",
        arguments: params.arguments as JsonValue,
      },
    });
  }

  /** Transport and protocol problems: malformed lines, responses to nothing, the rest. */
  problem(connection: Connection | null, error: Error): void {
    if (connection === null || connection.closing) return;
    const malformed = error instanceof MalformedMessageError;
    const unknownResponse = /unknown message ID/i.test(error.message);
    const anomaly = malformed
      ? "malformed_message"
      : unknownResponse
      ? "unknown_response"
      : "protocol_error";
    this.#deps.audit.guarded(connection, anomaly, {
      kind: "host.notification",
      level: "warning",
      message: malformed
        ? `Ignored a malformed message from the server: ${error.message}`
        : unknownResponse
        ? "Ignored a response to a request the host never sent"
        : `Protocol problem: ${bounded(this.#deps.redactor.redactText(error.message).value)}`,
      payload: {
        anomaly,
        ...(malformed
          ? { bytes: error.bytes, excerpt: this.#deps.redactor.redactText(error.excerpt).value }
          : {}),
      },
    });
  }

  /**
   * The connection closed without the host asking: calls still waiting fail (the SDK rejects
   * them); the record waits briefly for a launched server's exit status.
   */
  async closed(connection: Connection): Promise<void> {
    if (!connection.open) return;
    connection.open = false;
    if (connection.closing) return;
    const exit = await exitWithin(connection.inner, 1_000);
    this.#deps.audit.summariseFloods(connection);
    const tail = connection.inner instanceof StdioServerTransport
      ? connection.inner.stderrTail().slice(-5).map((line) =>
        this.#deps.redactor.redactText(line).value
      )
      : [];
    const message = exit
      ? `The MCP server ${connection.info.label} exited unexpectedly (${describeExit(exit)})`
      : `The connection to ${connection.info.label} closed unexpectedly`;
    this.#deps.audit.record(connection, {
      kind: "mcp.session_close",
      level: "error",
      message,
      payload: { reason: "unexpected", exit: exit ? describeExit(exit) : null, stderr_tail: tail },
    });
    this.#deps.notice(
      `host: ${message}${
        tail.length > 0 ? `; its last stderr lines:\n  ${tail.join("\n  ")}` : ""
      }`,
    );
  }
}
