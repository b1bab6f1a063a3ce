/**
 * Tools that exist only in tests, each exercising one part of the framework.
 *
 * @module
 */
import { CobreError, errorRecord } from "../../src/common/mod.ts";
import {
  type AnyToolDefinition,
  type ToolDefinition,
  withErrorRecordDefs,
} from "../../src/server/mod.ts";

type EchoArgs = { message: string; repeat: number };

/** Echoes its message `repeat` times (default 1, from the schema). */
export const echoTool: ToolDefinition<EchoArgs, { echoed: string[] }> = {
  name: "test/echo",
  title: "Echo",
  description: "Returns the message, repeated.",
  inputSchema: {
    type: "object",
    properties: {
      message: { type: "string" },
      repeat: { type: "integer", minimum: 1, maximum: 5, default: 1 },
      mode: { type: "string", enum: ["plain", "loud"] },
    },
    required: ["message"],
    additionalProperties: false,
  },
  outputSchema: {
    type: "object",
    properties: { echoed: { type: "array", items: { type: "string" } } },
    required: ["echoed"],
  },
  annotations: { readOnlyHint: true, idempotentHint: true },
  timeoutMs: 5_000,
  access: "read",
  handler: (args) => Promise.resolve({ echoed: Array(args.repeat).fill(args.message) }),
};

/** Records how often it ran; a stand-in for `cobre/run` in the write-mode tests. */
export function writeTool(calls: { count: number }): ToolDefinition<Record<string, never>, object> {
  return {
    name: "test/write",
    title: "Write",
    description: "Pretends to write outputs.",
    inputSchema: { type: "object", properties: {}, additionalProperties: false },
    outputSchema: {
      type: "object",
      properties: { wrote: { type: "boolean" } },
      required: ["wrote"],
    },
    annotations: { destructiveHint: false },
    timeoutMs: null,
    access: "write",
    handler: () => {
      calls.count += 1;
      return Promise.resolve({ wrote: true });
    },
  };
}

/** Throws what `kind` says: a CobreError, a plain Error with a host path, or a bad result. */
export const failingTool: ToolDefinition<{ kind: string }, object> = {
  name: "test/fail",
  title: "Fail",
  description: "Fails in the requested way.",
  inputSchema: {
    type: "object",
    properties: { kind: { type: "string", enum: ["cobre", "crash", "bad-result"] } },
    required: ["kind"],
    additionalProperties: false,
  },
  outputSchema: withErrorRecordDefs({
    type: "object",
    properties: {
      ok: { type: "boolean" },
      warnings: { type: "array", items: { $ref: "#/$defs/ErrorRecord" } },
    },
    required: ["ok", "warnings"],
  }),
  annotations: {},
  timeoutMs: 5_000,
  access: "read",
  handler: (args) => {
    if (args.kind === "cobre") {
      throw new CobreError(
        errorRecord("MissingFile", "Case directory has no config.json", { file: "config.json" }),
      );
    }
    if (args.kind === "crash") {
      throw new TypeError("cannot read /srv/secret/host/path/config.json");
    }
    return Promise.resolve({ ok: "yes" });
  },
};

/**
 * Waits until its signal aborts (or `ms` passes) and reports what it saw into `seen`. Its spec
 * timeout is short so the timeout path is quick to test.
 */
export function slowTool(
  seen: { aborted: boolean; reason: unknown },
  timeoutMs: number | null,
): ToolDefinition<{ ms: number }, object> {
  return {
    name: "test/slow",
    title: "Slow",
    description: "Sleeps.",
    inputSchema: {
      type: "object",
      properties: { ms: { type: "integer", minimum: 0 } },
      required: ["ms"],
    },
    outputSchema: { type: "object", properties: { slept_ms: { type: "integer" } } },
    annotations: {},
    timeoutMs,
    access: "read",
    handler: (args, ctx) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve({ slept_ms: args.ms }), args.ms);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          seen.aborted = true;
          seen.reason = ctx.signal.reason;
          resolve({ slept_ms: 0 });
        }, { once: true });
      }),
  };
}

/** Reports `steps` progress updates with Cobre metadata, then returns. */
export const progressTool: ToolDefinition<{ steps: number }, { steps: number }> = {
  name: "test/progress",
  title: "Progress",
  description: "Reports progress like a training run.",
  inputSchema: {
    type: "object",
    properties: { steps: { type: "integer", minimum: 1 } },
    required: ["steps"],
  },
  outputSchema: {
    type: "object",
    properties: { steps: { type: "integer" } },
    required: ["steps"],
  },
  annotations: {},
  timeoutMs: 5_000,
  access: "read",
  handler: async (args, ctx) => {
    for (let iteration = 1; iteration <= args.steps; iteration++) {
      await ctx.sendProgress({
        progress: iteration,
        total: null,
        message: `iteration ${iteration}`,
        metadata: { iteration, lower_bound: 100 * iteration, gap: 1 / iteration },
      });
    }
    return { steps: args.steps };
  },
};

/** Logs one message at each of debug, info, warning and error. */
export const loggingTool: ToolDefinition<Record<string, never>, { logged: number }> = {
  name: "test/log",
  title: "Log",
  description: "Logs at four levels.",
  inputSchema: { type: "object", properties: {} },
  outputSchema: { type: "object", properties: { logged: { type: "integer" } } },
  annotations: {},
  timeoutMs: 5_000,
  access: "read",
  handler: (_args, ctx) => {
    ctx.logger.debug("debug from tool");
    ctx.logger.info("info from tool", { stage: 3 });
    ctx.logger.warning("warning from tool");
    ctx.logger.error("error from tool");
    return Promise.resolve({ logged: 4 });
  },
};

/** Resolves `case_dir` through the sandbox and lists what is there. */
export const listDirTool: ToolDefinition<{ case_dir: string }, { entries: string[] }> = {
  name: "test/list-dir",
  title: "List directory",
  description: "Lists a directory inside the sandbox.",
  inputSchema: {
    type: "object",
    properties: { case_dir: { type: "string" } },
    required: ["case_dir"],
    additionalProperties: false,
  },
  outputSchema: {
    type: "object",
    properties: { entries: { type: "array", items: { type: "string" } } },
    required: ["entries"],
  },
  annotations: { readOnlyHint: true },
  timeoutMs: 5_000,
  access: "read",
  handler: async (args, ctx) => {
    const dir = await ctx.sandbox.resolve(args.case_dir);
    return { entries: await ctx.sandbox.access.readDir(dir) };
  },
};

/** Every test tool that needs no per-test state. */
export const plainTools: AnyToolDefinition[] = [echoTool, failingTool, progressTool, loggingTool];
