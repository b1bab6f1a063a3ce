/**
 * Where the host connects: a Cobre server it launches itself over stdio, with the least-privilege
 * Deno flags computed from the allowed dirs and the read/write choice (`src/security`
 * `launchLine`), or a Streamable HTTP endpoint reached with a bearer token.
 *
 * The server id matters for references: the host resolves only `ref://<server_id>/…` URIs of
 * the server it is connected to. A launched server takes its id from its state dir, which the
 * host prepares before the launch, so the host knows it without asking the server.
 *
 * @module
 */
import { CobreError, errorRecord } from "../common/mod.ts";
import { loadOrCreateServerId } from "../jobs/mod.ts";
import { launchLine } from "../security/mod.ts";

/** A server process started from a command line. */
export interface StdioTarget {
  readonly transport: "stdio";
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** The id its `ref://` URIs carry; null when unknown. */
  readonly serverId: string | null;
  /** For people and the audit trail. */
  readonly label: string;
}

/** A Streamable HTTP endpoint. */
export interface HttpTarget {
  readonly transport: "http";
  readonly url: string;
  /** Sent as `Authorization: Bearer …`; never recorded. */
  readonly bearerToken: string | null;
  readonly serverId: string | null;
  readonly label: string;
}

export type ServerTarget = StdioTarget | HttpTarget;

/** What a launched Cobre server serves. */
export interface CobreLaunchOptions {
  readonly allowedDirs: readonly string[];
  /** The server's state dir (outside the allowed dirs, and not the host's). */
  readonly stateDir: string;
  readonly write: boolean;
  readonly toolNames?: "spec" | "portable";
  readonly extraServerArgs?: readonly string[];
}

/** The least-privilege launch of our server for these directories. */
export async function launchCobreServer(options: CobreLaunchOptions): Promise<StdioTarget> {
  const line = await launchLine({
    allowedDirs: options.allowedDirs,
    stateDir: options.stateDir,
    write: options.write,
    ...(options.toolNames ? { toolNames: options.toolNames } : {}),
    ...(options.extraServerArgs ? { extraServerArgs: options.extraServerArgs } : {}),
  });
  // launchLine created the state dir; the server will read this same id when it starts.
  const serverId = await loadOrCreateServerId(options.stateDir);
  return {
    transport: "stdio",
    command: line.command,
    args: line.args,
    // A cleared environment (see `serverEnvironment`): the host's tokens and credentials have
    // no business in the server's process, whatever its --allow-env says.
    env: {},
    serverId,
    label: `cobre-mcp ${options.write ? "read-write" : "read-only"} (stdio)`,
  };
}

/** An HTTP target; refuses anything but an http(s) URL. */
export function httpTarget(
  url: string,
  options: { bearerToken?: string | null; serverId?: string | null } = {},
): HttpTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CobreError(errorRecord("InvalidArgument", `"${url}" is not a URL`, { url }));
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new CobreError(errorRecord(
      "InvalidArgument",
      `The server URL must be http or https, not ${parsed.protocol}`,
      { url },
    ));
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw new CobreError(errorRecord(
      "InvalidArgument",
      "Credentials do not belong in the server URL",
      {},
      "Pass the token through the environment (COBRE_MCP_TOKEN) instead.",
    ));
  }
  return {
    transport: "http",
    url: parsed.href,
    bearerToken: options.bearerToken ?? null,
    serverId: options.serverId ?? null,
    label: `${parsed.host} (http)`,
  };
}

/** The permission flags of a launch (what the audit trail and the demo show). */
export function permissionFlags(target: ServerTarget): string[] {
  if (target.transport !== "stdio") return [];
  return target.args.filter((arg) => arg.startsWith("--allow-") || arg === "--no-prompt");
}
