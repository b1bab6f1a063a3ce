/**
 * The HTTP server lifecycle on `Deno.serve`: refuse unsafe configurations before binding
 * (beyond loopback only with a bearer token; a wildcard bind only with named hosts), open the
 * event store in the state dir, serve `/mcp`, sweep idle sessions and old events, and on
 * SIGTERM/SIGINT let in-flight requests answer before closing every session.
 *
 * @module
 */
import { join } from "node:path";
import { CobreError, errorRecord } from "../../common/mod.ts";
import type { FlightEvent } from "../../recorder/mod.ts";
import { type ServerLog, ServerLog as Log, type ServerLogOptions } from "../logger.ts";
import { type CobreServerOptions, createCobreServer } from "../server.ts";
import type { BearerToken } from "./bearer_token.ts";
import { SqliteEventStore } from "./event_store.ts";
import { createMcpHttpHandler, type HttpStats, MCP_PATH, type McpHttpHandler } from "./handler.ts";
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from "./limits.ts";
import { isLoopbackHost, isWildcardHost, originPolicy } from "./origin_policy.ts";
import { HTTP_TOKEN_ENV_VAR, selectProfile } from "../../security/mod.ts";
import {
  reconnectionTool,
  type StreamCloser,
  withReconnectionTool,
} from "./conformance_fixture.ts";
import { assertNarrower, chooseProfile, type SessionProfiles } from "./session_profiles.ts";

/** How long in-flight requests may take to answer at shutdown. */
const DEFAULT_DRAIN_GRACE_MS = 10_000;
/** How often idle sessions and expired events are swept. */
const SWEEP_INTERVAL_MS = 30_000;

/** Options of an HTTP server: the per-session server options plus the transport's own. */
export interface HttpServeOptions
  extends Omit<CobreServerOptions, "shutdownSignal" | "sessionId" | "log"> {
  /** Bind address (default 127.0.0.1). */
  host?: string;
  /** Port (default 3000; 0 picks a free one, see `HttpServerHandle.port`). */
  port?: number;
  /** Extra names clients reach the server by (`Host` allowlist). */
  allowedHosts?: readonly string[];
  /** Browser origins allowed to call the server (they, and only they, get CORS headers). */
  allowedOrigins?: readonly string[];
  /** Null: no authentication, which only a loopback bind without `requireAuth` accepts. */
  token: BearerToken | null;
  /** Demand the token even on loopback. */
  requireAuth?: boolean;
  limits?: Partial<HttpLimits>;
  /** Where the event store lives; null disables resumability (tests of the rest). */
  stateDir: string | null;
  /** Options for the operator log and for every session's log. */
  logOptions?: ServerLogOptions;
  /** Flight Recorder sink for session and refusal events. */
  record?: (event: FlightEvent) => void;
  /**
   * Per-session capability profiles and their observer chains (default: every session under
   * the mode's profile with `observers`).
   */
  profiles?: SessionProfiles;
  /** Serve the conformance suite's `test_reconnection` fixture (the conformance task only). */
  conformanceFixtures?: boolean;
  drainGraceMs?: number;
  /** SSE `retry:` hint in ms (default 1000). */
  retryIntervalMs?: number;
  keepAliveMs?: number;
}

/** A running server. */
export interface HttpServerHandle {
  /** `http://host:port/mcp`. */
  readonly url: string;
  readonly port: number;
  readonly log: ServerLog;
  stats(): HttpStats & { storedEvents: number; storedEventBytes: number };
  /** Closes idle sessions and expired events now (an interval does it every 30 s). */
  sweepIdleSessions(): Promise<number>;
  /** Answers in-flight requests (up to the grace), closes every session, stops listening. */
  shutdown(): Promise<void>;
  /** Resolves once the server has stopped. */
  readonly finished: Promise<void>;
}

function refuseToStart(message: string, suggestion: string): CobreError {
  return new CobreError(errorRecord("InvalidArgument", message, {}, suggestion));
}

/** Checks the bind address against the authentication the operator configured. */
export function checkExposure(
  options: Pick<HttpServeOptions, "host" | "token" | "requireAuth" | "allowedHosts">,
): void {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopbackHost(host) && options.token === null) {
    throw refuseToStart(
      `Listening on ${host} (beyond loopback) needs a bearer token`,
      `Set ${HTTP_TOKEN_ENV_VAR} or pass --token-file (generate one with \`openssl rand -hex 32\`).`,
    );
  }
  if (options.requireAuth && options.token === null) {
    throw refuseToStart(
      "--require-auth was given but no bearer token is configured",
      `Set ${HTTP_TOKEN_ENV_VAR} or pass --token-file.`,
    );
  }
  if (isWildcardHost(host) && (options.allowedHosts ?? []).length === 0) {
    throw refuseToStart(
      `Listening on ${host} needs --allowed-hosts naming the host names clients use`,
      "E.g. --allowed-hosts mcp.example.org (requests with any other Host are refused).",
    );
  }
}

/** Starts serving; returns once the socket is bound. Throws `CobreError` for unsafe options. */
export function startHttpServer(options: HttpServeOptions): HttpServerHandle {
  const host = options.host ?? "127.0.0.1";
  checkExposure({ ...options, host });
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const logOptions = options.logOptions ?? {};
  const log = new Log(logOptions);
  const shutdownController = new AbortController();
  const policyFor = (port: number) =>
    originPolicy({
      host,
      port,
      ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
      ...(options.allowedOrigins ? { allowedOrigins: options.allowedOrigins } : {}),
    });
  const requestedPort = options.port ?? 3000;
  // Validate the allowlist before binding, so a typo never leaves a socket open.
  policyFor(requestedPort);
  const profiles = sessionProfiles(options);
  assertNarrower(profiles);
  const eventStore = options.stateDir === null ? null : SqliteEventStore.open(
    join(options.stateDir, "http-events.sqlite"),
    { maxStoredEventBytes: limits.maxStoredEventBytes, retentionMs: limits.eventRetentionMs },
  );
  // The fixture reaches the session's transport through the registry, built with the handler.
  let closeStream: StreamCloser = () => {};
  const tools = options.conformanceFixtures
    ? [
      ...options.tools,
      reconnectionTool((sessionId, requestId) => closeStream(sessionId, requestId)),
    ]
    : options.tools;
  const handlerFor = (port: number) =>
    createMcpHttpHandler({
      policy: policyFor(port),
      token: options.token,
      limits,
      eventStore,
      log,
      retryIntervalMs: options.retryIntervalMs ?? 1_000,
      ...(options.keepAliveMs !== undefined ? { keepAliveMs: options.keepAliveMs } : {}),
      ...(options.record ? { record: options.record } : {}),
      chooseProfile: (requested) => chooseProfile(profiles, requested),
      createServer: (auditId, profile) =>
        createCobreServer({
          ...options,
          tools,
          observers: profiles.observersFor(profile),
          sessionId: auditId,
          log: new Log(logOptions),
          shutdownSignal: shutdownController.signal,
        }),
    });

  // onListen runs as the socket is bound, before any request can be handled: the handler is
  // built there because the policy needs the actual port (0 asks the OS for a free one).
  let handler: McpHttpHandler | null = null;
  let port = requestedPort;
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = serve();
  } catch (error) {
    eventStore?.close();
    throw bindError(error, host, requestedPort);
  }
  function serve() {
    return Deno.serve({
      hostname: host,
      port: requestedPort,
      onListen: (addr) => {
        port = addr.port;
        handler = handlerFor(port);
      },
      onError: (error) => {
        log.operator("error", "http handler failed", {
          detail: error instanceof Error ? (error.stack ?? error.message) : String(error),
        });
        return new Response(
          JSON.stringify({
            jsonrpc: "2.0",
            error: { code: -32603, message: "Internal error" },
            id: null,
          }),
          { status: 500, headers: { "Content-Type": "application/json" } },
        );
      },
    }, (request, info) => {
      const remote = info.remoteAddr.transport === "tcp"
        ? `${info.remoteAddr.hostname}:${info.remoteAddr.port}`
        : "unknown";
      return ready().handle(request, remote);
    });
  }
  const ready = (): McpHttpHandler => {
    if (handler === null) throw new Error("request before the server was bound");
    return handler;
  };
  const sessions = ready().sessions;
  closeStream = (sessionId, requestId) =>
    sessions.byAuditId(sessionId)?.transport.closeSSEStream(requestId);
  const shownHost = host.includes(":") ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}${MCP_PATH}`;
  log.operator("info", `serving over http at ${url}`, {
    mode: options.mode,
    tools: options.tools.length,
    auth: options.token ? "bearer" : "none",
    resumable: eventStore !== null,
  });

  const sweep = () => {
    try {
      eventStore?.sweep();
    } catch (error) {
      log.operator("warning", "event store sweep failed", { detail: String(error) });
    }
    return sessions.closeIdle();
  };
  const sweeper = setInterval(() => void sweep(), SWEEP_INTERVAL_MS);

  let stopping: Promise<void> | null = null;
  const shutdown = () =>
    stopping ??= (async () => {
      clearInterval(sweeper);
      shutdownController.abort(new Error("server shutting down"));
      log.operator("info", "http server stopping", { sessions: sessions.size });
      await sessions.closeAll(options.drainGraceMs ?? DEFAULT_DRAIN_GRACE_MS);
      await server.shutdown();
      eventStore?.close();
    })();

  return {
    url,
    port,
    log,
    stats() {
      const stored = eventStore?.stats() ?? { events: 0, bytes: 0 };
      return { ...ready().stats(), storedEvents: stored.events, storedEventBytes: stored.bytes };
    },
    sweepIdleSessions: sweep,
    shutdown,
    finished: server.finished.then(() => stopping ?? undefined),
  };
}

/** A bind failure as the operator should read it. */
function bindError(error: unknown, host: string, port: number): unknown {
  if (error instanceof Deno.errors.AddrInUse) {
    return refuseToStart(`Port ${port} on ${host} is already in use`, "Pick another --port.");
  }
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return refuseToStart(
      `Listening on ${host}:${port} is not permitted`,
      "Start the server through its launch line (task serve / launch-line), which grants " +
        "--allow-net on exactly that address.",
    );
  }
  return error;
}

/** The profiles sessions get: as configured, or the mode's for all; plus the fixture if asked. */
function sessionProfiles(options: HttpServeOptions): SessionProfiles {
  const base: SessionProfiles = options.profiles ?? {
    default: selectProfile(options.mode, options.mode),
    selectable: [],
    observersFor: () => options.observers ?? [],
  };
  if (!options.conformanceFixtures) return base;
  return { ...base, default: withReconnectionTool(base.default) };
}

/** Options of `serveHttp`: a server that runs until a signal. */
export interface HttpServeUntilSignalOptions extends HttpServeOptions {
  /** Listen for SIGTERM/SIGINT (default true). */
  handleSignals?: boolean;
}

const SIGNALS: Deno.Signal[] = ["SIGTERM", "SIGINT"];

/** Serves until SIGTERM/SIGINT, then shuts down gracefully; resolves when stopped. */
export async function serveHttp(options: HttpServeUntilSignalOptions): Promise<void> {
  const handle = startHttpServer(options);
  const listeners = (options.handleSignals ?? true)
    ? SIGNALS.map((signal) => ({
      signal,
      listener: () => {
        handle.log.operator("info", `received ${signal}`);
        void handle.shutdown();
      },
    }))
    : [];
  for (const { signal, listener } of listeners) Deno.addSignalListener(signal, listener);
  try {
    await handle.finished;
  } finally {
    for (const { signal, listener } of listeners) Deno.removeSignalListener(signal, listener);
  }
}
