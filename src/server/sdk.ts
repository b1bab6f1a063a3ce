/**
 * The MCP SDK pieces the server uses, imported in one place. The SDK's wildcard `exports` entry
 * maps `…/types.js` to a declaration file that does not exist, which silently types every import
 * as `any`; `@ts-types` points the checker at the real declarations.
 *
 * @module
 */
export { Server } from "@modelcontextprotocol/sdk/server";
// @ts-types="@modelcontextprotocol/sdk/types"
export {
  CallToolRequestSchema,
  ErrorCode,
  JSONRPCMessageSchema,
  LATEST_PROTOCOL_VERSION,
  ListToolsRequestSchema,
  McpError,
  SetLevelRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
export type {
  CallToolResult,
  JSONRPCMessage,
  ServerCapabilities,
  ServerNotification,
  ServerRequest,
  Tool,
} from "@modelcontextprotocol/sdk/types";
export type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport";
export type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol";
