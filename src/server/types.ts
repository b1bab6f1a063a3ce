/**
 * The shapes a tool is written against: its definition, the context its handler receives, and the
 * small sandbox surface it may touch. Kept free of SDK types so tools stay plain TypeScript.
 *
 * @module
 */
import type { FileAccess, JsonValue } from "../common/mod.ts";
import type { JobActivity } from "../jobs/mod.ts";
import type { RefLink } from "../refs/mod.ts";
import type { Logger } from "./logger.ts";

/** Whether the runtime grants write permission to the allowed directories. */
export type ServerMode = "read-only" | "read-write";

/** What a tool does to the filesystem; `write` tools are refused in read-only mode. */
export type ToolAccess = "read" | "write";

/** A JSON Schema whose root is an object, as MCP requires for tool input and output schemas. */
export interface JsonObjectSchema {
  type: "object";
  properties?: Record<string, object>;
  required?: string[];
  [keyword: string]: unknown;
}

/** MCP tool annotations (hints for clients; never trusted for security decisions). */
export interface ToolHints {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/**
 * The part of the security sandbox a tool needs: map an agent-supplied path to a canonical path
 * inside the allowed directories (or throw a `CobreError` that does not reveal them), and do all
 * I/O through the checked file access.
 */
export interface ToolSandbox {
  /** Canonical path of an existing entry (of the expected kind) inside the allowed directories. */
  resolve(path: string, expect?: "any" | "file" | "dir"): Promise<string>;
  /** Canonical path inside the allowed directories, or null when nothing exists there. */
  locate(path: string): Promise<string | null>;
  /**
   * Canonical path for an entry a tool will create (it may not exist yet): inside the allowed
   * directories, with no symbolic link below them. Absent in test sandboxes.
   */
  resolveForWrite?(path: string): Promise<string>;
  readonly access: FileAccess;
  /** The canonical allowed directories, offered as path completions (never in error messages). */
  readonly roots?: readonly string[];
}

/** Bytes a tool hands to the client by reference (`ref://`) instead of inline. */
export interface SharedArtifact {
  bytes: Uint8Array;
  mimeType: string;
  /** A display name (e.g. `hydros.arrow`), never a path. */
  name: string;
  description?: string;
}

/** The `resource_link` content block that points at a shared artifact: its `ref://` link. */
export type ArtifactLink = RefLink;

/** One progress step of a long request; `metadata` is the Cobre-specific payload (spec SS6.2). */
export interface ProgressUpdate {
  progress: number;
  total?: number | null;
  message?: string;
  metadata?: Record<string, JsonValue>;
}

/**
 * Where a long call reads and writes, as a handler reports it once the sandbox resolved the paths
 * (canonical, inside the allowed directories). It lands on the call's job row (`ai_jobs`).
 */
export interface JobDescription {
  case_dir?: string;
  output_dir?: string;
}

/** Everything a handler may use; it gets nothing else (no raw paths, no server internals). */
export interface ToolContext {
  readonly sandbox: ToolSandbox;
  readonly mode: ServerMode;
  /** Logs to stderr and, filtered by `logging/setLevel`, to the client as related to this call. */
  readonly logger: Logger;
  /** Sends `notifications/progress` when the caller asked for it; a no-op otherwise. */
  sendProgress(update: ProgressUpdate): Promise<void>;
  /**
   * Registers `artifact` as a `ref://` resource readable by this session only and appends its
   * `resource_link` to the call's result; null when the server keeps no references.
   */
  shareArtifact(artifact: SharedArtifact): Promise<ArtifactLink | null>;
  /** Aborted when the client cancels, the connection closes or the tool's timeout passes. */
  readonly signal: AbortSignal;
  /** Tells the observers (the job store) the call's directories; a no-op for calls without a job. */
  describeJob(description: JobDescription): void;
  /** The call's job (its `ai_jobs` row, or its task), or null for a call without one. */
  readonly jobId: string | null;
  /**
   * Whether a job of this server's job store may still be writing (`active`), will write nothing
   * more (`ended`), or is not one the store knows (`unknown`, always so without a job store).
   */
  jobActivity(jobId: string): JobActivity;
  readonly requestId: string | number;
  readonly progressToken: string | number | null;
  readonly sessionId: string;
  readonly serverId: string;
}

/**
 * One MCP tool: spec name, schemas copied from the Cobre MCP spec SS2, spec timeout and the
 * handler. Arguments reach the handler only after they validated against `inputSchema`.
 */
export interface ToolDefinition<Args = Record<string, unknown>, Result extends object = object> {
  /** Spec name, e.g. `cobre/validate`; `--tool-names portable` serves it as `cobre_validate`. */
  name: string;
  title: string;
  description: string;
  inputSchema: JsonObjectSchema;
  /** Must resolve `#/$defs/ErrorRecord` itself when it refers to it (see `withErrorRecordDefs`). */
  outputSchema: JsonObjectSchema;
  annotations: ToolHints;
  /** Spec default timeout in milliseconds; null for none (`cobre/run`). */
  timeoutMs: number | null;
  access: ToolAccess;
  /**
   * MCP Tasks (2025-11-25): "optional" lets a client run the call as a task (`params.task`) and
   * follow it with `tasks/get`/`tasks/result`; absent means task-augmented calls are refused.
   */
  taskSupport?: "optional";
  // A method, not a property, so a definition with narrower `Args` still fits the registry type.
  handler(args: Args, ctx: ToolContext): Promise<Result>;
}

/**
 * A tool as the registry stores it. `never` accepts every argument type; the framework passes the
 * arguments only after they validated against the tool's own `inputSchema`.
 */
export type AnyToolDefinition = ToolDefinition<never, object>;
