/**
 * The MCP SDK client pieces the server's own commands use (`validate-cases`), imported in one
 * place with `@ts-types` for the same reason as `sdk.ts`.
 *
 * @module
 */
export { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
export { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
