/**
 * `cobre/get-config-schema` (Cobre MCP spec SS2.10): the JSON Schema of `config.json`, so an
 * agent can write or check a configuration before calling `cobre/validate`.
 *
 * @module
 */
import { configJsonSchema } from "../../case/mod.ts";
import type { ToolDefinition } from "../types.ts";

/** The `cobre/get-config-schema` tool. */
export const getConfigSchemaTool: ToolDefinition<
  Record<string, never>,
  { schema: Record<string, unknown> }
> = {
  name: "cobre/get-config-schema",
  title: "Get the config.json schema",
  description:
    "Returns the complete JSON Schema (draft 2020-12) of a Cobre case's config.json: training, " +
    "stopping rules, simulation, modeling and output settings with their types, ranges and " +
    "defaults. Use it to write or fix a config.json, then check the case with cobre/validate.",
  inputSchema: { type: "object", properties: {}, additionalProperties: false },
  outputSchema: {
    type: "object",
    properties: {
      schema: { type: "object", description: "Complete JSON Schema for config.json" },
    },
    required: ["schema"],
  },
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  timeoutMs: 5_000,
  access: "read",
  handler: () => Promise.resolve({ schema: configJsonSchema() }),
};
