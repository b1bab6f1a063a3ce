/**
 * The Streamable HTTP transport (MCP 2025-11-25) on `Deno.serve` with the SDK's web-standard
 * transport at `/mcp`: one MCP server per session, SSE responses with progress, resumption with
 * `Last-Event-ID` from a SQLite event store in the state dir, and the remote-access defences
 * (Host/Origin allowlist, bearer token beyond loopback, body, rate and concurrency limits,
 * bounded SSE buffering).
 *
 * @example
 * ```ts
 * import { serveHttp } from "./src/server/http/mod.ts";
 * await serveHttp({ tools, sandbox, mode, token: null, stateDir, port: 3000 });
 * ```
 *
 * @module
 */
export {
  checkExposure,
  type HttpServeOptions,
  type HttpServerHandle,
  type HttpServeUntilSignalOptions,
  serveHttp,
  startHttpServer,
} from "./serve_http.ts";
export { createMcpHttpHandler, type HttpStats, MCP_PATH, type McpHttpHandler } from "./handler.ts";
export {
  type AuthFailure,
  BearerToken,
  loadBearerToken,
  MIN_TOKEN_LENGTH,
  type TokenSources,
} from "./bearer_token.ts";
export { DEFAULT_HTTP_LIMITS, type HttpLimits, SessionBudget, TokenBucket } from "./limits.ts";
export {
  checkOrigin,
  hostAllowed,
  isLoopbackHost,
  isWildcardHost,
  type OriginPolicy,
  originPolicy,
  type OriginVerdict,
} from "./origin_policy.ts";
export { SqliteEventStore } from "./event_store.ts";
export { boundedSseBody, type SseStreamReport } from "./bounded_sse.ts";
