/**
 * `cobre/export-results` (Cobre MCP spec SS2.9): writes simulation results (or the convergence
 * log) as CSV, JSON or an Arrow IPC file under `output_dir/exports/`, atomically, through the
 * sandboxed access. A write tool: a read-only server refuses it before anything runs.
 *
 * Besides the spec's `{file_path, rows, size_bytes}`, binary and large exports are handed back as
 * a `resource_link` to a `ref://` URI (Arrow always; CSV and JSON above
 * `EXPORT_LINK_THRESHOLD_BYTES`), so a client can fetch the bytes with `resources/read` without
 * reading the filesystem or pasting a large file into the model's context.
 *
 * @module
 */
import { posix } from "node:path";
import { isCobreError } from "../../common/mod.ts";
import {
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportResult,
  exportResults,
} from "../../output/mod.ts";
import type { ToolContext, ToolDefinition } from "../types.ts";
import { existingOutputPath } from "./output_paths.ts";

type ExportArgs = {
  output_dir: string;
  format: ExportFormat;
  entity_type: string;
  filters?: {
    entity_id?: string | (string | number)[];
    stage_range?: number[];
    scenario_range?: number[];
  };
};

/** CSV and JSON exports larger than this (bytes) also come back as a `ref://` link. */
export const EXPORT_LINK_THRESHOLD_BYTES = 64 * 1024;

/** MIME type of each export format. */
export const EXPORT_MIME_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: "text/csv",
  json: "application/json",
  arrow: "application/vnd.apache.arrow.file",
};

/** Shares the written file as a `ref://` artifact when it is binary or large. */
async function shareExport(result: ExportResult, format: ExportFormat, ctx: ToolContext) {
  if (format !== "arrow" && result.size_bytes <= EXPORT_LINK_THRESHOLD_BYTES) return;
  const name = posix.basename(result.file_path);
  const bytes = await ctx.sandbox.access.readFile(result.file_path);
  try {
    await ctx.shareArtifact({
      bytes,
      mimeType: EXPORT_MIME_TYPES[format],
      name,
      description: `${result.rows} rows exported as ${format}`,
    });
  } catch (error) {
    // Too large for the ref store: the file is written and its path returned all the same.
    if (!isCobreError(error) || error.record.kind !== "InvalidArgument") throw error;
    ctx.logger.warning(`${name} is not shared as a ref:// link: ${error.record.message}`);
  }
}

/** The `cobre/export-results` tool. */
export const exportResultsTool: ToolDefinition<ExportArgs, ExportResult> = {
  name: "cobre/export-results",
  title: "Export results",
  description: "Writes simulation results (hydros, thermals, buses, lines, costs) or the " +
    "training convergence log as CSV, JSON or Arrow IPC under output_dir/exports/, with the " +
    "same filters as cobre/query-results (entity_id, stage_range, scenario_range). Returns the " +
    "file's path, rows and size; Arrow files and large exports also come back as a ref:// " +
    "resource_link readable with resources/read. Needs a server started with write permission.",
  inputSchema: {
    type: "object",
    properties: {
      output_dir: { type: "string", description: "Absolute path to the output directory" },
      format: {
        type: "string",
        enum: [...EXPORT_FORMATS],
        description: "Target export format",
      },
      entity_type: {
        type: "string",
        enum: ["hydros", "thermals", "buses", "lines", "costs", "convergence"],
        description: "Entity type to export",
      },
      filters: {
        type: "object",
        description: "Optional filters (same schema as cobre/query-results filters)",
        properties: {
          entity_id: { type: ["string", "array"] },
          stage_range: {
            type: "array",
            items: { type: "integer" },
            minItems: 2,
            maxItems: 2,
          },
          scenario_range: {
            type: "array",
            items: { type: "integer" },
            minItems: 2,
            maxItems: 2,
          },
        },
        additionalProperties: false,
      },
    },
    required: ["output_dir", "format", "entity_type"],
    additionalProperties: false,
  },
  outputSchema: {
    type: "object",
    properties: {
      file_path: { type: "string", description: "Absolute path to the exported file" },
      rows: { type: "integer", description: "Number of rows exported" },
      size_bytes: { type: "integer", description: "File size in bytes" },
    },
    required: ["file_path", "rows", "size_bytes"],
  },
  // Re-running with the same arguments replaces the same file with the same content.
  annotations: {
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: false,
  },
  timeoutMs: 60_000,
  access: "write",
  async handler(args, ctx) {
    const outputDir = await existingOutputPath(
      ctx.sandbox,
      args.output_dir,
      "Cobre output directory with simulation/ or training/",
    );
    const result = await exportResults(
      {
        outputDir,
        format: args.format,
        entity_type: args.entity_type,
        ...(args.filters !== undefined ? { filters: args.filters } : {}),
      },
      ctx.sandbox.access,
    );
    await shareExport(result, args.format, ctx);
    return result;
  },
};
