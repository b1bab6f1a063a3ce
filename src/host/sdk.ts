/**
 * The MCP SDK client pieces the host uses, imported in one place. The SDK's wildcard `exports`
 * entry maps `…/x.js` to a declaration file that does not exist, which would type every import
 * as `any`; `@ts-types` points the checker at the real declarations.
 *
 * @module
 */
export { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
export { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
export {
  CallToolResultSchema,
  ErrorCode,
  JSONRPCMessageSchema,
  McpError,
  ReadResourceResultSchema,
} from "@modelcontextprotocol/sdk/types.js";
export type {
  CallToolResult,
  JSONRPCMessage,
  ReadResourceResult,
  Tool,
} from "@modelcontextprotocol/sdk/types";
export type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport";
