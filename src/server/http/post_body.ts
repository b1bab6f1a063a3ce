/**
 * Reads and classifies a POST body before any session work: media types (415, 406), size
 * (413, without reading more than the bound), JSON syntax (400). The parsed body is then handed
 * to the SDK transport, which validates the JSON-RPC shapes itself.
 *
 * @module
 */
import {
  isInitializeRequest,
  isJSONRPCRequest,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "./sdk_http.ts";
import { type Refusal, RPC_CODES } from "./responses.ts";

/** A POST body that passed the transport's checks. */
export interface PostBody {
  parsed: unknown;
  /** True when it is (or, in a batch, contains) an `initialize` request. */
  initialize: boolean;
  /** True when at least one message expects a response (so an SSE stream will be held open). */
  hasRequests: boolean;
  /** The id of the one request in the body, for refusals that answer it. */
  requestId: string | number | null;
  /** For `initialize`: the protocol version the session will speak (as the SDK negotiates it). */
  protocolVersion: string | null;
}

/** The version the SDK server answers an `initialize` with: the client's if supported, else latest. */
export function negotiatedVersion(requested: string): string {
  return SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION;
}

/** True for `application/json` with any parameters, as a parsed media type (not a substring). */
export function isJsonMediaType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const [type] = contentType.split(";");
  return type?.trim().toLowerCase() === "application/json";
}

/** True when `Accept` lists both media types a Streamable HTTP POST may be answered with. */
export function acceptsMcpResponses(accept: string | null): boolean {
  if (accept === null) return false;
  const types = accept.split(",").map((part) => part.split(";")[0]?.trim().toLowerCase());
  // The spec requires both, listed; the SDK transport checks the same, so no wildcards here.
  return types.includes("application/json") && types.includes("text/event-stream");
}

function messages(parsed: unknown): unknown[] {
  return Array.isArray(parsed) ? parsed : [parsed];
}

async function readBounded(request: Request, maxBytes: number): Promise<string | null> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) return null;
  if (request.body === null) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > maxBytes) {
        await reader.cancel().catch(() => {});
        return null;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** Checks and parses a POST; a `Refusal` says what to answer instead. */
export async function readPostBody(
  request: Request,
  maxBytes: number,
): Promise<PostBody | Refusal> {
  if (!isJsonMediaType(request.headers.get("content-type"))) {
    return {
      status: 415,
      code: RPC_CODES.refused,
      kind: "InvalidArgument",
      message: "Unsupported Media Type: Content-Type must be application/json",
      suggestion: "Send JSON-RPC messages with Content-Type: application/json.",
    };
  }
  if (!acceptsMcpResponses(request.headers.get("accept"))) {
    return {
      status: 406,
      code: RPC_CODES.refused,
      kind: "InvalidArgument",
      message: "Not Acceptable: Client must accept both application/json and text/event-stream",
      suggestion: "Send Accept: application/json, text/event-stream.",
    };
  }
  let text: string | null;
  try {
    text = await readBounded(request, maxBytes);
  } catch {
    text = "";
  }
  if (text === null) {
    return {
      status: 413,
      code: RPC_CODES.refused,
      kind: "InvalidArgument",
      message: `Payload Too Large: Request body must not exceed ${maxBytes} bytes`,
      suggestion: "Send smaller requests; pass large data as file paths inside the allowed dirs.",
      context: { max_body_bytes: maxBytes },
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {
      status: 400,
      code: RPC_CODES.parseError,
      kind: "InvalidArgument",
      message: "Parse error: Invalid JSON",
      suggestion: "Send one JSON-RPC message (or a batch array) as the body.",
    };
  }
  const all = messages(parsed);
  const requests = all.filter((message) => isJSONRPCRequest(message));
  const only = requests.length === 1 ? requests[0] : undefined;
  const initialize = all.find((message) => isInitializeRequest(message));
  return {
    parsed,
    initialize: initialize !== undefined,
    hasRequests: requests.length > 0,
    requestId: only !== undefined && isJSONRPCRequest(only) ? only.id : null,
    protocolVersion: initialize !== undefined && isInitializeRequest(initialize)
      ? negotiatedVersion(initialize.params.protocolVersion)
      : null,
  };
}
