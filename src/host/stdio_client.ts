/**
 * The client end of a stdio MCP connection to a server the host launched itself: newline-
 * delimited JSON-RPC on the child's stdin/stdout, the child's stderr kept (last lines) for crash
 * reports, and the child's exit noticed at once, so a crashed server fails the calls waiting on
 * it instead of leaving them to hang.
 *
 * Written on `Deno.Command` rather than the SDK's Node transport: the host needs the exit code,
 * a bounded line length, and each malformed line reported on its own.
 *
 * @module
 */
import { readEnv } from "../common/mod.ts";
import { type JSONRPCMessage, JSONRPCMessageSchema, type Transport } from "./sdk.ts";

/** What to start. */
export interface ProcessLine {
  readonly command: string;
  readonly args: readonly string[];
  /**
   * The server's environment: these variables plus the few a runtime needs to find its cache
   * and temp dirs (`SERVER_ENV_PASSTHROUGH`). Nothing else of the host's environment (tokens,
   * cloud credentials) reaches the server. Absent: the host's whole environment is inherited.
   */
  readonly env?: Readonly<Record<string, string>>;
}

/** Host variables a launched server still gets: where Deno finds its cache, temp and locale. */
export const SERVER_ENV_PASSTHROUGH = [
  "HOME",
  "PATH",
  "TMPDIR",
  "DENO_DIR",
  "XDG_CACHE_HOME",
  "LANG",
  "TZ",
  "NO_COLOR",
] as const;

/** The environment of a server given `extra`: the passthrough variables the host has, then `extra`. */
export function serverEnvironment(
  read: (name: string) => string | undefined,
  extra: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of SERVER_ENV_PASSTHROUGH) {
    const value = read(name);
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/** How the server process ended. */
export interface ServerExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** A line that was not a JSON-RPC message; carries its size and a short excerpt. */
export class MalformedMessageError extends Error {
  override name = "MalformedMessageError";
  readonly bytes: number;
  readonly excerpt: string;

  constructor(reason: string, bytes: number, excerpt: string) {
    super(`The server sent a line that is not a JSON-RPC message (${reason})`);
    this.bytes = bytes;
    this.excerpt = excerpt;
  }
}

/** Longest line accepted from a server. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
const STDERR_LINES_KEPT = 40;

/** Options of `spawnStdioServer`. */
export interface SpawnOptions {
  /** Each stderr line of the server (default: kept, not shown). */
  readonly onStderrLine?: (line: string) => void;
  /** How long `close` waits for the child to exit after closing its stdin (default 3 s). */
  readonly closeGraceMs?: number;
}

/** A transport to a launched server process, and what the host knows about that process. */
export class StdioServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly pid: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ServerExit>;

  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #stderr: string[] = [];
  readonly #graceMs: number;
  readonly #encoder = new TextEncoder();
  #exit: ServerExit | null = null;
  #stdoutDone: Promise<void> = Promise.resolve();
  #closed = false;
  #started = false;

  constructor(line: ProcessLine, options: SpawnOptions = {}) {
    this.#child = new Deno.Command(line.command, {
      args: [...line.args],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      ...(line.env ? { env: serverEnvironment(readEnv, line.env), clearEnv: true } : {}),
    }).spawn();
    this.pid = this.#child.pid;
    this.#writer = this.#child.stdin.getWriter();
    this.#graceMs = options.closeGraceMs ?? 3_000;
    this.exited = this.#child.status.then((status) => {
      this.#exit = { code: status.signal === null ? status.code : null, signal: status.signal };
      return this.#exit;
    });
    void this.#readStderr(options.onStderrLine);
    // A process that dies ends the connection once what it wrote is read, or shortly after if
    // something else (a grandchild) still holds its stdout open.
    void this.exited.then(async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, 500)));
      await Promise.race([this.#stdoutDone, grace]);
      clearTimeout(timer);
      await this.#finish();
    });
  }

  /** How the process ended, or null while it runs. */
  get exit(): ServerExit | null {
    return this.#exit;
  }

  /** The last lines the server wrote to stderr (for the operator, never for the agent). */
  stderrTail(): string[] {
    return [...this.#stderr];
  }

  start(): Promise<void> {
    if (this.#started) throw new Error("StdioServerTransport already started");
    this.#started = true;
    this.#stdoutDone = this.#readStdout();
    return Promise.resolve();
  }

  async #readStdout(): Promise<void> {
    const decoder = new TextDecoder();
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let overflow = false;
    try {
      for await (const chunk of this.#child.stdout) {
        let start = 0;
        let newline = chunk.indexOf(0x0a, start);
        while (newline !== -1) {
          const part = chunk.subarray(start, newline);
          if (!overflow && pendingBytes + part.length <= MAX_LINE_BYTES) {
            this.#dispatch(decoder.decode(join(pending, part)));
          } else {
            this.onerror?.(
              new MalformedMessageError("line too long", pendingBytes + part.length, ""),
            );
          }
          pending = [];
          pendingBytes = 0;
          overflow = false;
          start = newline + 1;
          newline = chunk.indexOf(0x0a, start);
        }
        const rest = chunk.subarray(start);
        if (rest.length > 0 && !overflow) {
          if (pendingBytes + rest.length > MAX_LINE_BYTES) {
            overflow = true;
            pending = [];
            pendingBytes = 0;
          } else {
            pending.push(rest.slice());
            pendingBytes += rest.length;
          }
        }
      }
    } catch (error) {
      if (!this.#closed) this.onerror?.(error instanceof Error ? error : new Error(String(error)));
    }
    await this.#finish();
  }

  #dispatch(text: string): void {
    const line = text.replace(/\r$/, "");
    if (line.trim() === "") return;
    let message: JSONRPCMessage;
    try {
      message = JSONRPCMessageSchema.parse(JSON.parse(line));
    } catch (error) {
      const reason = error instanceof SyntaxError ? "invalid JSON" : "not a JSON-RPC 2.0 message";
      this.onerror?.(new MalformedMessageError(reason, line.length, line.slice(0, 120)));
      return;
    }
    this.onmessage?.(message);
  }

  async #readStderr(onLine?: (line: string) => void): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of this.#child.stderr) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline = buffer.indexOf("\n");
        while (newline !== -1) {
          this.#keepStderr(buffer.slice(0, newline), onLine);
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf("\n");
        }
        if (buffer.length > 8_192) {
          this.#keepStderr(buffer, onLine);
          buffer = "";
        }
      }
    } catch {
      // The process is gone; what it wrote so far is kept.
    }
    if (buffer !== "") this.#keepStderr(buffer, onLine);
  }

  #keepStderr(line: string, onLine?: (line: string) => void): void {
    const bounded = line.length > 1_000 ? `${line.slice(0, 999)}…` : line;
    this.#stderr.push(bounded);
    if (this.#stderr.length > STDERR_LINES_KEPT) this.#stderr.shift();
    onLine?.(bounded);
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("The server connection is closed"));
    return this.#writer.write(this.#encoder.encode(`${JSON.stringify(message)}\n`));
  }

  /** Ends the session: closes stdin, waits for the exit, then SIGTERM and finally SIGKILL. */
  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    if (await this.exitWithin(this.#graceMs) === null) {
      this.kill("SIGTERM");
      if (await this.exitWithin(2_000) === null) this.kill("SIGKILL");
    }
    await this.exited;
    await this.#finish();
  }

  /** Sends `signal` to the server process if it still runs. */
  kill(signal: Deno.Signal): void {
    if (this.#exit !== null) return;
    try {
      this.#child.kill(signal);
    } catch {
      // Already gone.
    }
  }

  /** How the process ended, waiting at most `ms`; null when it still runs. */
  async exitWithin(ms: number): Promise<ServerExit | null> {
    if (this.#exit !== null) return this.#exit;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #finish(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writer.close().catch(() => {});
    this.onclose?.();
  }
}

function join(parts: Uint8Array[], tail: Uint8Array): Uint8Array {
  if (parts.length === 0) return tail;
  const total = parts.reduce((sum, part) => sum + part.length, tail.length);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  out.set(tail, offset);
  return out;
}
