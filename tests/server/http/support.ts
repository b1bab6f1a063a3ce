/**
 * Helpers for HTTP transport tests: an in-process server on a free loopback port (real sockets,
 * real SQLite event store in a temp state dir), SDK clients over Streamable HTTP, and raw
 * requests for the refusals an SDK client never sends.
 *
 * @module
 */
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  type HttpServeOptions,
  type HttpServerHandle,
  startHttpServer,
} from "../../../src/server/http/mod.ts";
import { testSandbox } from "../support.ts";
import { plainTools } from "../test_tools.ts";

export { Client, StreamableHTTPClientTransport };

/** A running test server and what it logged. */
export interface TestServer {
  handle: HttpServerHandle;
  url: string;
  stateDir: string;
  stderr: string[];
}

/** Starts a server (test tools, read-only, temp state dir) and stops it after `run`. */
export async function withHttpServer(
  overrides: Partial<HttpServeOptions>,
  run: (server: TestServer) => Promise<void>,
): Promise<void> {
  const stateDir = await Deno.makeTempDir({ prefix: "cobre-http-" });
  const stderr: string[] = [];
  const handle = startHttpServer(testServerOptions({
    stateDir,
    drainGraceMs: 2_000,
    logOptions: { stderrLevel: "debug", writeLine: (line) => stderr.push(line) },
    ...overrides,
  }));
  try {
    await run({ handle, url: handle.url, stateDir, stderr });
  } finally {
    await handle.shutdown();
    await Deno.remove(stateDir, { recursive: true });
  }
}

/** Test tools, read-only, no token, no state dir, a free port: what every test server starts from. */
export function testServerOptions(overrides: Partial<HttpServeOptions> = {}): HttpServeOptions {
  return {
    tools: plainTools,
    sandbox: testSandbox("/nonexistent-root"),
    mode: "read-only",
    token: null,
    stateDir: null,
    port: 0,
    ...overrides,
  };
}

/** Connects an SDK client over Streamable HTTP. */
export async function connectClient(
  url: string,
  options: ConstructorParameters<typeof StreamableHTTPClientTransport>[1] = {},
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), options);
  const client = new Client({ name: "cobre-http-test", version: "0.0.0" });
  await client.connect(transport);
  return { client, transport };
}

/** Headers of a well-formed MCP POST. */
export const MCP_POST_HEADERS = {
  "Content-Type": "application/json",
  Accept: "application/json, text/event-stream",
} as const;

/** The body of an initialize request. */
export function initializeBody(id = 1): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "raw-test", version: "0" },
    },
  });
}

/** Sends a raw request and reads the whole answer. */
export async function send(
  url: string,
  init: RequestInit,
): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // SSE or empty
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Opens a session with a raw initialize; returns its id (the SSE answer is read fully). */
export async function openRawSession(url: string, headers: Record<string, string> = {}) {
  const response = await send(url, {
    method: "POST",
    headers: { ...MCP_POST_HEADERS, ...headers },
    body: initializeBody(),
  });
  const id = response.headers.get("mcp-session-id");
  if (response.status !== 200 || id === null) {
    throw new Error(`initialize failed: ${response.status} ${response.text}`);
  }
  await send(url, {
    method: "POST",
    headers: { ...MCP_POST_HEADERS, ...headers, "mcp-session-id": id },
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  return id;
}

/** The `error.data` record of a JSON-RPC error body. */
export function errorRecordOf(json: unknown): { kind: string; message: string } {
  const data = (json as { error?: { data?: { kind: string; message: string } } }).error?.data;
  if (!data) throw new Error(`not a JSON-RPC error with a record: ${JSON.stringify(json)}`);
  return data;
}

/** Polls `check` every 10 ms until it holds (or fails after `ms`). */
export async function eventually(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The port of a server URL. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}

/**
 * Sends one HTTP/1.1 request over a raw socket (fetch cannot set `Host`) and reads the answer
 * until the server closes: status, lower-case headers and body.
 */
export async function rawHttp(
  port: number,
  head: { method: string; headers: Record<string, string> },
  body = "",
): Promise<{ status: number; headers: Map<string, string>; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const lines = [`${head.method} /mcp HTTP/1.1`, "Connection: close"];
  for (const [name, value] of Object.entries(head.headers)) lines.push(`${name}: ${value}`);
  if (body !== "") lines.push(`Content-Length: ${new TextEncoder().encode(body).length}`);
  await conn.write(new TextEncoder().encode(`${lines.join("\r\n")}\r\n\r\n${body}`));
  const text = await new Response(conn.readable).text();
  const [headText = "", ...rest] = text.split("\r\n\r\n");
  const [statusLine = "", ...headerLines] = headText.split("\r\n");
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const at = line.indexOf(":");
    headers.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
  }
  return { status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") };
}
