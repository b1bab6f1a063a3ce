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
  CancelTaskRequestSchema,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  GetTaskPayloadRequestSchema,
  GetTaskRequestSchema,
  InitializeRequestSchema,
  JSONRPCMessageSchema,
  LATEST_PROTOCOL_VERSION,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListTasksRequestSchema,
  ListToolsRequestSchema,
  McpError,
  PingRequestSchema,
  ReadResourceRequestSchema,
  RELATED_TASK_META_KEY,
  SetLevelRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
export type {
  CallToolResult,
  CancelTaskResult,
  CompleteResult,
  CreateTaskResult,
  GetPromptResult,
  GetTaskResult,
  InitializeRequest,
  InitializeResult,
  JSONRPCMessage,
  ListPromptsResult,
  ListResourcesResult,
  ListResourceTemplatesResult,
  ListTasksResult,
  Notification,
  ReadResourceResult,
  Result,
  ServerCapabilities,
  ServerNotification,
  ServerRequest,
  Task,
  Tool,
} from "@modelcontextprotocol/sdk/types";
export type { CreateTaskOptions, TaskStore } from "@modelcontextprotocol/sdk/experimental/tasks";
export type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport";
export type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol";
