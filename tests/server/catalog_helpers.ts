/**
 * Helpers for the resources, prompts, completions and export tests: a workspace on disk (copies
 * of the repository's fixtures inside an allowed dir, a secret outside it), a server with the
 * full catalog over the real `Sandbox`, and clients linked in memory with a chosen transport
 * session id (as Streamable HTTP would give).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { FileAccess } from "../../src/common/mod.ts";
import { Sandbox } from "../../src/security/mod.ts";
import {
  cobrePrompts,
  cobreResourceTemplates,
  cobreTools,
  type ToolSandbox,
} from "../../src/server/mod.ts";
import { copyTree } from "../output/helpers.ts";
import { expandTemplate } from "../../src/server/resources/mod.ts";
import { connect, type Connected, type ConnectOptions } from "./support.ts";

export { copyTree };

/** The repository's two-hydro cascade case (`fixtures/case/two_bus_cascade`). */
export const FIXTURE_CASE = fileURLToPath(
  new URL("../../fixtures/case/two_bus_cascade", import.meta.url),
);
/** An output in the real `cobre` CLI layout (`fixtures/output/cobre-cli`). */
export const FIXTURE_OUTPUT = fileURLToPath(
  new URL("../../fixtures/output/cobre-cli", import.meta.url),
);

/** Directories of one test. */
export interface Workspace {
  root: string;
  /** The only allowed dir: holds `case/` and `output/` (copies of the fixtures). */
  allowed: string;
  /** Outside the sandbox: holds `output/` and `case/` copies too. */
  outside: string;
  sandbox: Sandbox;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A fresh workspace; paths are canonical. */
export async function makeWorkspace(): Promise<Workspace> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-catalog-" }));
  const allowed = `${root}/allowed`;
  const outside = `${root}/outside`;
  await copyTree(FIXTURE_CASE, `${allowed}/case`);
  await copyTree(FIXTURE_OUTPUT, `${allowed}/output`);
  await copyTree(FIXTURE_CASE, `${outside}/case`);
  await copyTree(FIXTURE_OUTPUT, `${outside}/output`);
  return {
    root,
    allowed,
    outside,
    sandbox: await Sandbox.create([allowed]),
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

/** A client session on a server, and what the server logged. */
export type Session = Connected;

/** Options: server options minus the ones every test sets the same way. */
export type SessionOptions = Omit<ConnectOptions, "tools"> & { sandbox: ToolSandbox };

/** A server with every tool, the six templates and the four prompts, linked to a client. */
export function openSession(options: SessionOptions): Promise<Session> {
  return connect({
    tools: cobreTools(),
    resources: cobreResourceTemplates(),
    prompts: cobrePrompts(),
    ...options,
  });
}

/** A sandbox whose file access records every path it is asked to touch. */
export function recordingSandbox(sandbox: Sandbox): ToolSandbox & { touched: string[] } {
  const touched: string[] = [];
  const inner = sandbox.access;
  const access: FileAccess = {
    readFile: (path) => (touched.push(path), inner.readFile(path)),
    openFile: (path) => (touched.push(path), inner.openFile(path)),
    stat: (path) => (touched.push(path), inner.stat(path)),
    readDir: (path) => (touched.push(path), inner.readDir(path)),
    writeNewFile: (path, data) => (touched.push(path), inner.writeNewFile(path, data)),
    makeDir: (path) => (touched.push(path), inner.makeDir(path)),
    rename: (from, to) => (touched.push(from), inner.rename(from, to)),
    remove: (path) => (touched.push(path), inner.remove(path)),
  };
  return {
    touched,
    access,
    roots: sandbox.roots,
    resolve: (path, expect) => sandbox.resolve(path, expect),
    locate: (path) => sandbox.locate(path),
  };
}

/** The JSON-RPC error a rejected client request carries. */
export interface RpcError {
  code: number;
  message: string;
  data?: { kind: string; message: string; context: Record<string, unknown> };
}

/** Awaits `promise`, which must reject with a JSON-RPC error; returns that error. */
export async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    const { code, message, data } = error as RpcError;
    if (typeof code !== "number") throw error;
    return { code, message, ...(data === undefined ? {} : { data }) };
  }
  throw new Error("expected the request to fail");
}

/** `cobre://` URI of a template with each variable percent-encoded once (the server's own). */
export { expandTemplate as resourceUri };

/** Parses the JSON text of a single-content resource read. */
export function resourceJson(result: { contents: unknown[] }): unknown {
  const [content] = result.contents as { text?: string; mimeType?: string }[];
  if (content?.mimeType !== "application/json" || typeof content.text !== "string") {
    throw new Error(`expected one application/json text content, got ${JSON.stringify(content)}`);
  }
  return JSON.parse(content.text);
}
