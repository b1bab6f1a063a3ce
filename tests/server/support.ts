/**
 * Test helpers for the server: a linked in-memory client/server pair, a small path sandbox over a
 * temp directory, and captured stderr lines.
 *
 * @module
 */
import { posix } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client";
// @ts-types="@modelcontextprotocol/sdk/inMemory"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { CobreError, directFileAccess, errorRecord } from "../../src/common/mod.ts";
import {
  type AnyToolDefinition,
  type CobreServer,
  type CobreServerOptions,
  createCobreServer,
  ServerLog,
  type ToolSandbox,
} from "../../src/server/mod.ts";

export { Client, InMemoryTransport };
// @ts-types="@modelcontextprotocol/sdk/types"
export {
  CallToolResultSchema,
  ErrorCode,
  InitializeResultSchema,
  LoggingMessageNotificationSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";

/**
 * A sandbox good enough for framework tests: absolute paths only, symlinks resolved, inside
 * `root` by whole segments. The real one lives in `src/security` and has its own attack tests.
 */
export function testSandbox(root: string): ToolSandbox {
  const sandbox: ToolSandbox = {
    access: directFileAccess,
    async locate(path: string): Promise<string | null> {
      try {
        return await sandbox.resolve(path);
      } catch (error) {
        if (await Deno.lstat(path).then(() => true, () => false)) throw error;
        return null;
      }
    },
    async resolve(path: string, expect: "any" | "file" | "dir" = "any"): Promise<string> {
      const refuse = () =>
        new CobreError(
          errorRecord("PermissionDenied", `Path '${path}' is not within the allowed directories`, {
            path,
          }),
        );
      if (!posix.isAbsolute(path)) throw refuse();
      let canonical: string;
      try {
        canonical = await Deno.realPath(path);
      } catch {
        throw refuse();
      }
      if (canonical !== root && !canonical.startsWith(`${root}/`)) throw refuse();
      const info = await Deno.stat(canonical);
      if ((expect === "dir" && !info.isDirectory) || (expect === "file" && !info.isFile)) {
        throw new CobreError(
          errorRecord("MissingFile", `Path '${path}' is not a ${expect}`, { path }),
        );
      }
      return canonical;
    },
  };
  return sandbox;
}

/** What a test gets back from `connect`. */
export interface Connected extends AsyncDisposable {
  client: Client;
  server: CobreServer;
  stderr: string[];
  close(): Promise<void>;
}

/** Options for `connect`: server options minus what tests rarely care about. */
export type ConnectOptions = Partial<CobreServerOptions> & {
  tools: AnyToolDefinition[];
  /** The transport's session id (Streamable HTTP has one; stdio and the default have none). */
  transportSessionId?: string;
};

/** Builds a server with `options`, links an SDK client to it in memory and initializes. */
export async function connect(options: ConnectOptions): Promise<Connected> {
  const stderr: string[] = [];
  const { transportSessionId, ...rest } = options;
  const server = createCobreServer({
    sandbox: testSandbox("/nonexistent-root"),
    mode: "read-only",
    log: new ServerLog({ writeLine: (line) => stderr.push(line), stderrLevel: "debug" }),
    ...rest,
  });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  if (transportSessionId !== undefined) serverTransport.sessionId = transportSessionId;
  await server.connect(serverTransport);
  const client = new Client({ name: "cobre-test-client", version: "0.0.0" });
  await client.connect(clientTransport);
  const close = async () => {
    await client.close();
    await server.close();
  };
  return { client, server, stderr, close, [Symbol.asyncDispose]: close };
}

/** The text of the single text block of a tool result, parsed as JSON. */
export function parsedText(result: object): unknown {
  const content = (result as { content?: unknown }).content;
  if (!Array.isArray(content) || content.length !== 1) {
    throw new Error(`expected exactly one content block, got ${JSON.stringify(content)}`);
  }
  const [block] = content as { type: string; text?: string }[];
  if (block?.type !== "text" || typeof block.text !== "string") {
    throw new Error(`expected a text block, got ${JSON.stringify(block)}`);
  }
  return JSON.parse(block.text);
}
