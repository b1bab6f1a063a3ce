/**
 * The front door of the HTTP transport: every request to `/mcp` passes, in order,
 * Host/Origin (403, DNS rebinding), CORS preflight (only for origins the operator listed),
 * bearer token (401), method (405), session lookup (404), the session's rate (429), body checks
 * (415, 406, 413, 400) and the session's open-exchange budget (429); only then does the SDK's
 * web-standard transport of that session see it. SSE answers are wrapped so a client that does
 * not read cannot make the server queue without bound.
 *
 * @module
 */
import type { FlightEvent } from "../../recorder/mod.ts";
import type { CapabilityProfile } from "../../security/mod.ts";
import type { ServerLog } from "../logger.ts";
import type { BearerToken } from "./bearer_token.ts";
import { boundedSseBody, type SseStreamReport } from "./bounded_sse.ts";
import type { SqliteEventStore } from "./event_store.ts";
import type { Clock, HttpLimits } from "./limits.ts";
import { checkOrigin, hostAllowed, type OriginPolicy } from "./origin_policy.ts";
import { readPostBody } from "./post_body.ts";
import { type Refusal, refusalResponse, retryAfter, RPC_CODES } from "./responses.ts";
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from "./sdk_http.ts";
import { PROFILE_HEADER } from "./session_profiles.ts";
import { type LiveSession, SessionRegistry, type SessionRegistryOptions } from "./sessions.ts";

/** The one path the server answers on. */
export const MCP_PATH = "/mcp";

/** Everything the front door needs. */
export interface McpHttpHandlerOptions {
  policy: OriginPolicy;
  /** Null: no authentication (loopback only, enforced by `startHttpServer`). */
  token: BearerToken | null;
  limits: HttpLimits;
  eventStore: SqliteEventStore | null;
  createServer: SessionRegistryOptions["createServer"];
  /** The profile for a new session that asked for `requested` (null: none); null refuses. */
  chooseProfile(requested: string | null): CapabilityProfile | null;
  log: ServerLog;
  /** Receives session and refusal events for the Flight Recorder (never a token or session id). */
  record?: (event: FlightEvent) => void;
  retryIntervalMs?: number;
  keepAliveMs?: number;
  clock?: Clock;
}

/** Counters of the transport since it started. */
export interface HttpStats {
  sessions: number;
  openExchanges: number;
  sessionsOpened: number;
  sessionsClosed: number;
  /** Refusals by HTTP status. */
  refusals: Record<number, number>;
  /** SSE streams closed because their client did not read. */
  sseStreamsCut: number;
  progressDropped: number;
  /** Most bytes any one SSE response had queued. */
  peakQueuedSseBytes: number;
}

/** The request handler plus its session registry. */
export interface McpHttpHandler {
  handle(request: Request, remote?: string): Promise<Response>;
  stats(): HttpStats;
  readonly sessions: SessionRegistry;
}

const ALLOWED_METHODS = "GET, POST, DELETE";
const CORS_REQUEST_HEADERS =
  "Content-Type, Accept, Authorization, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID, " +
  "Cobre-Profile";
const CORS_EXPOSED_HEADERS = "Mcp-Session-Id, WWW-Authenticate, Retry-After";

function clipped(value: string | null): string {
  return value === null ? "(none)" : value.slice(0, 100);
}

/** Builds the handler `Deno.serve` calls for every request. */
export function createMcpHttpHandler(options: McpHttpHandlerOptions): McpHttpHandler {
  const { policy, token, limits, log } = options;
  const clock = options.clock ?? (() => performance.now());
  const counters: HttpStats = {
    sessions: 0,
    openExchanges: 0,
    sessionsOpened: 0,
    sessionsClosed: 0,
    refusals: {},
    sseStreamsCut: 0,
    progressDropped: 0,
    peakQueuedSseBytes: 0,
  };
  const record = (event: FlightEvent) => options.record?.(event);
  let opening = 0;

  const sessions = new SessionRegistry({
    limits,
    eventStore: options.eventStore,
    createServer: options.createServer,
    clock,
    ...(options.retryIntervalMs !== undefined ? { retryIntervalMs: options.retryIntervalMs } : {}),
    ...(options.keepAliveMs !== undefined ? { keepAliveMs: options.keepAliveMs } : {}),
    onOpen(session) {
      counters.sessionsOpened++;
      log.operator("info", "http session opened", {
        session: session.auditId,
        profile: session.profile.id,
      });
      record({
        kind: "mcp.session_open",
        source: "server",
        message: "HTTP session opened",
        sessionId: session.auditId,
        capabilityProfileId: session.profile.id,
        payload: { transport: "http", protocol_version: session.protocolVersion },
      });
    },
    onClose(session, reason) {
      counters.sessionsClosed++;
      log.operator("info", "http session closed", { session: session.auditId, reason });
      record({
        kind: "mcp.session_close",
        source: "server",
        message: `HTTP session closed (${reason})`,
        sessionId: session.auditId,
        payload: { transport: "http", reason },
      });
    },
  });

  const refuse = (refusal: Refusal, remote: string, session?: LiveSession): Response => {
    counters.refusals[refusal.status] = (counters.refusals[refusal.status] ?? 0) + 1;
    // Security refusals are worth an operator's attention; the rest are client mistakes.
    const level = refusal.status === 401 || refusal.status === 403 ? "warning" : "debug";
    log.operator(level, `http ${refusal.status}: ${refusal.message}`, {
      remote,
      ...(session ? { session: session.auditId } : {}),
    });
    if (refusal.status === 401 || refusal.status === 403 || refusal.status === 429) {
      record({
        kind: "mcp.request_refused",
        source: "server",
        level: "warning",
        message: `HTTP ${refusal.status}: ${refusal.message}`,
        sessionId: session?.auditId ?? null,
        errorCode: refusal.kind,
        payload: { status: refusal.status, transport: "http" },
      });
    }
    return refusalResponse(refusal);
  };

  /** Wraps an SSE answer so it is bounded and releases its exchange when it ends. */
  const bounded = (response: Response, session: LiveSession, release: () => void): Response => {
    const finish = () => {
      release();
      session.lastActiveMs = clock();
    };
    const type = response.headers.get("content-type") ?? "";
    if (response.body === null || !type.startsWith("text/event-stream")) {
      finish();
      return response;
    }
    const body = boundedSseBody(response.body, {
      maxQueuedBytes: limits.maxQueuedSseBytes,
      onEnd(report: SseStreamReport) {
        finish();
        counters.progressDropped += report.droppedProgress;
        counters.peakQueuedSseBytes = Math.max(counters.peakQueuedSseBytes, report.peakQueuedBytes);
        if (report.cut) {
          counters.sseStreamsCut++;
          log.operator("warning", "closed an SSE stream whose client stopped reading", {
            session: session.auditId,
            queued_bytes_limit: limits.maxQueuedSseBytes,
          });
        }
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };

  const tooBusy = (reason: string, retryAfterS: number, id: string | number | null): Refusal => ({
    status: 429,
    code: RPC_CODES.refused,
    kind: "Busy",
    message: `Too Many Requests: this session sent ${reason}`,
    suggestion: `Wait ${retryAfterS} s (Retry-After) and send fewer requests at once.`,
    context: { retry_after_s: retryAfterS },
    headers: retryAfter(retryAfterS),
    id,
  });

  async function handleInSession(
    request: Request,
    session: LiveSession,
    remote: string,
  ): Promise<Response> {
    const rate = session.budget.admitRequest();
    if (!rate.ok) return refuse(tooBusy(rate.reason, rate.retryAfterS, null), remote, session);
    session.lastActiveMs = clock();
    // The SDK reads only headers from this one: POST bodies are read below and handed parsed.
    const forSdk = speakingSessionVersion(request, session);
    if (request.method === "DELETE") return await session.transport.handleRequest(forSdk);

    if (request.method === "POST") {
      const body = await readPostBody(request, limits.maxBodyBytes);
      if ("status" in body) return refuse(body, remote, session);
      if (body.initialize) {
        return refuse(
          {
            status: 400,
            code: RPC_CODES.invalidRequest,
            kind: "InvalidArgument",
            message: "Invalid Request: Server already initialized",
            suggestion: "Send initialize without Mcp-Session-Id to start a new session.",
            id: body.requestId,
          },
          remote,
          session,
        );
      }
      const parsedBody = body.parsed;
      // Notifications and responses only: answered 202 at once, nothing is held open.
      if (!body.hasRequests) return await session.transport.handleRequest(forSdk, { parsedBody });
      return await inExchange(
        session,
        remote,
        body.requestId,
        () => session.transport.handleRequest(forSdk, { parsedBody }),
      );
    }
    // GET: the standalone stream, or a resumption with Last-Event-ID.
    return await inExchange(session, remote, null, () => session.transport.handleRequest(forSdk));
  }

  /** Answers with `answer()` inside one of the session's open exchanges (429 when none is free). */
  async function inExchange(
    session: LiveSession,
    remote: string,
    id: string | number | null,
    answer: () => Promise<Response>,
  ): Promise<Response> {
    const exchange = session.budget.openExchange();
    if (!exchange.ok) {
      return refuse(tooBusy(exchange.reason, exchange.retryAfterS, id), remote, session);
    }
    return bounded(await released(answer(), exchange.release), session, exchange.release);
  }

  async function openSession(request: Request, remote: string): Promise<Response> {
    if (request.method !== "POST") {
      return refuse(missingSession(), remote);
    }
    const body = await readPostBody(request, limits.maxBodyBytes);
    if ("status" in body) return refuse(body, remote);
    if (!body.initialize) return refuse(missingSession(), remote);
    // Sessions being opened count too: concurrent initializes must not overshoot the limit.
    if (sessions.size + opening >= limits.maxSessions) {
      return refuse({
        status: 503,
        code: RPC_CODES.refused,
        kind: "Busy",
        message: `Service Unavailable: the server already has ${limits.maxSessions} sessions`,
        suggestion: "Retry later, or end unused sessions with DELETE.",
        headers: retryAfter(30),
        id: body.requestId,
      }, remote);
    }
    const requested = request.headers.get(PROFILE_HEADER);
    const profile = options.chooseProfile(requested);
    if (profile === null) {
      return refuse(
        forbidden(
          `capability profile ${JSON.stringify(clipped(requested))} is not offered by this server`,
        ),
        remote,
      );
    }
    opening++;
    let session: LiveSession;
    try {
      session = await sessions.open({
        profile,
        protocolVersion: body.protocolVersion ?? LATEST_PROTOCOL_VERSION,
      });
    } finally {
      opening--;
    }
    const exchange = session.budget.openExchange();
    if (!exchange.ok) throw new Error("a new session has no open exchanges");
    let response: Response;
    try {
      response = await session.transport.handleRequest(request, { parsedBody: body.parsed });
    } catch (error) {
      exchange.release();
      await sessions.close(session, "failed-initialize");
      throw error;
    }
    if (response.status !== 200) {
      exchange.release();
      await sessions.close(session, "failed-initialize");
      return response;
    }
    return bounded(response, session, exchange.release);
  }

  async function handle(request: Request, remote = "unknown"): Promise<Response> {
    // Host and Origin first: a page an attacker pointed at us learns nothing, not even paths.
    const host = request.headers.get("host");
    if (!hostAllowed(policy, host)) {
      return refuse(
        forbidden(`Host header ${JSON.stringify(clipped(host))} is not allowed`),
        remote,
      );
    }
    const origin = request.headers.get("origin");
    const verdict = checkOrigin(policy, origin);
    if (verdict === "refused") {
      return refuse(forbidden(`Origin ${JSON.stringify(clipped(origin))} is not allowed`), remote);
    }
    if (new URL(request.url).pathname !== MCP_PATH) {
      return refuse({
        status: 404,
        code: RPC_CODES.refused,
        kind: "InvalidArgument",
        message: `Not Found: the MCP endpoint is ${MCP_PATH}`,
        suggestion: `Point the client at ${MCP_PATH}.`,
      }, remote);
    }
    const cors = verdict === "cors" && origin !== null ? corsHeaders(origin) : null;
    if (request.method === "OPTIONS" && cors) {
      return new Response(null, {
        status: 204,
        headers: {
          ...cors,
          "Access-Control-Allow-Methods": ALLOWED_METHODS,
          "Access-Control-Allow-Headers": CORS_REQUEST_HEADERS,
          "Access-Control-Max-Age": "600",
        },
      });
    }
    const response = await authenticatedHandle(request, remote);
    if (cors) {
      for (const [name, value] of Object.entries(cors)) {
        response.headers.set(name, value);
      }
    }
    return response;
  }

  async function authenticatedHandle(request: Request, remote: string): Promise<Response> {
    if (token) {
      const failure = await token.verify(request.headers.get("authorization"));
      if (failure !== null) {
        return refuse({
          status: 401,
          code: RPC_CODES.refused,
          kind: "PermissionDenied",
          message: failure === "missing"
            ? "Unauthorized: this server needs a bearer token"
            : "Unauthorized: the bearer token is not valid",
          suggestion: "Send Authorization: Bearer <token> with the token the operator gave you.",
          headers: {
            "WWW-Authenticate": failure === "missing"
              ? 'Bearer realm="cobre-mcp"'
              : 'Bearer realm="cobre-mcp", error="invalid_token"',
          },
        }, remote);
      }
    }
    if (!["GET", "POST", "DELETE"].includes(request.method)) {
      return refuse({
        status: 405,
        code: RPC_CODES.refused,
        kind: "InvalidArgument",
        message: `Method Not Allowed: ${request.method.slice(0, 16)}`,
        suggestion: `Use ${ALLOWED_METHODS}.`,
        headers: { Allow: ALLOWED_METHODS },
      }, remote);
    }
    const sessionId = request.headers.get("mcp-session-id");
    if (sessionId === null) return await openSession(request, remote);
    const session = sessions.get(sessionId);
    if (!session) {
      return refuse({
        status: 404,
        code: RPC_CODES.sessionNotFound,
        kind: "InvalidArgument",
        message: "Session not found",
        suggestion: "The session ended or expired: start a new one with initialize.",
      }, remote);
    }
    return await handleInSession(request, session, remote);
  }

  return {
    handle,
    sessions,
    stats: () => ({
      ...counters,
      refusals: { ...counters.refusals },
      sessions: sessions.size,
      openExchanges: sessions.all().reduce((sum, session) => sum + session.budget.open, 0),
    }),
  };
}

/**
 * The request as the session's transport should see it: a client that negotiated one protocol
 * version but names another (supported) one in `MCP-Protocol-Version` gets the negotiated one,
 * so the stream format (priming events, polling) follows what both sides agreed at initialize.
 * Unsupported values pass through for the SDK to refuse with 400.
 */
function speakingSessionVersion(request: Request, session: LiveSession): Request {
  const named = request.headers.get("mcp-protocol-version");
  if (
    named === null || named === session.protocolVersion ||
    !SUPPORTED_PROTOCOL_VERSIONS.includes(named)
  ) {
    return request;
  }
  const headers = new Headers(request.headers);
  headers.set("mcp-protocol-version", session.protocolVersion);
  // POST bodies were already read and are handed over parsed; GET and DELETE have none.
  return new Request(request.url, { method: request.method, headers });
}

/** Awaits the transport's answer; if it throws, the exchange it held is released first. */
async function released(answer: Promise<Response>, release: () => void): Promise<Response> {
  try {
    return await answer;
  } catch (error) {
    release();
    throw error;
  }
}

function forbidden(message: string): Refusal {
  return {
    status: 403,
    code: RPC_CODES.refused,
    kind: "PermissionDenied",
    message: `Forbidden: ${message}`,
    suggestion: "Connect with the server's own address; operators can extend --allowed-hosts " +
      "and --allowed-origins.",
  };
}

function missingSession(): Refusal {
  return {
    status: 400,
    code: RPC_CODES.refused,
    kind: "InvalidArgument",
    message: "Bad Request: Mcp-Session-Id header is required",
    suggestion: "Start a session with an initialize POST and send its Mcp-Session-Id after.",
  };
}

function corsHeaders(origin: string): Record<string, string> {
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Expose-Headers": CORS_EXPOSED_HEADERS,
    Vary: "Origin",
  };
}
