/**
 * The MCP SDK pieces the HTTP transport uses, imported in one place with `@ts-types` (see
 * `../sdk.ts` for why the SDK's wildcard export needs it).
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
export { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
export type {
  EventStore,
  WebStandardStreamableHTTPServerTransportOptions,
} from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp";
// @ts-types="@modelcontextprotocol/sdk/types"
export {
  isInitializeRequest,
  isJSONRPCRequest,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@modelcontextprotocol/sdk/types.js";
export type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types";
