/**
 * The protocol's own requests as observed requests: `initialize` and `ping` (which the SDK
 * answers by itself) and every method nothing else handles, so the Gate decides each request the
 * session receives and the Flight Recorder hears how it ended. Unknown methods still get -32601
 * (Method not found), whether the Gate denies them (it denies what it does not list) or not.
 * Notifications nobody handles are reported to observers as refused.
 *
 * @module
 */
import {
  ErrorCode,
  type InitializeRequest,
  InitializeRequestSchema,
  type InitializeResult,
  McpError,
  PingRequestSchema,
} from "./sdk.ts";
import type { RequestCompletion } from "./observer.ts";
import type { ServerFeature } from "./server.ts";

/** The SDK's own `initialize` logic (version negotiation, client capabilities), kept private. */
type SdkInitialize = (request: InitializeRequest) => Promise<InitializeResult>;

function ok(receivedAtMs: number): RequestCompletion {
  return { outcome: "ok", error: null, durationMs: Date.now() - receivedAtMs };
}

function methodNotFound(method: string): McpError {
  return new McpError(ErrorCode.MethodNotFound, `Method not found: ${method.slice(0, 100)}`);
}

/**
 * `_meta` key of the `initialize` result naming this server's id: a host learns from it which
 * `ref://<server_id>/…` references are this server's, over HTTP as over stdio.
 */
export const SERVER_META_KEY = "dev.cobre/server";

/**
 * Observed `initialize`, `ping`, unknown requests and unhandled notifications. `onUnhandled`
 * hears each notification no handler took.
 */
export function protocolFeature(onUnhandled: (method: string) => void): ServerFeature {
  return {
    capabilities: {},
    register(core) {
      // The SDK keeps its initialize logic private; reusing it beats re-implementing the
      // negotiation (and the client capabilities it records for later checks).
      const internals = core.sdk as unknown as { _oninitialize?: SdkInitialize };
      if (typeof internals._oninitialize !== "function") {
        throw new Error(
          "The MCP SDK's Server has no _oninitialize: the initialize hook needs updating",
        );
      }
      const initialize = internals._oninitialize.bind(core.sdk);
      core.sdk.setRequestHandler(
        InitializeRequestSchema,
        (request, extra) =>
          core.observe("initialize", extra, null, async (observed) => ({
            value: {
              ...await initialize(request),
              _meta: { [SERVER_META_KEY]: { server_id: core.env.serverId } },
            },
            completion: ok(observed.receivedAtMs),
          })),
      );
      core.sdk.setRequestHandler(
        PingRequestSchema,
        (_request, extra) =>
          core.observe(
            "ping",
            extra,
            null,
            (observed) => Promise.resolve({ value: {}, completion: ok(observed.receivedAtMs) }),
          ),
      );
      core.sdk.fallbackRequestHandler = (request, extra) => {
        // Bounded: the method is the client's text and ends up in audit records.
        const method = request.method.slice(0, 200);
        return core.observe(
          method,
          extra,
          null,
          () => Promise.reject(methodNotFound(method)),
          () => {
            throw methodNotFound(method);
          },
        );
      };
      core.sdk.fallbackNotificationHandler = (notification) => {
        onUnhandled(notification.method.slice(0, 200));
        return Promise.resolve();
      };
    },
  };
}
