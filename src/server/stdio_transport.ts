/**
 * MCP stdio transport on Deno's own streams: newline-delimited JSON-RPC on stdin/stdout.
 *
 * Written for Deno rather than reusing the SDK's Node transport because that one never notices
 * end of input (a client closing stdin must end the session) and copies its whole buffer on every
 * chunk. Reaching end of input calls `oninputend`, so the server can finish in-flight requests
 * before closing; without a handler the transport closes at once.
 *
 * @module
 */
import { type JSONRPCMessage, JSONRPCMessageSchema, type Transport } from "./sdk.ts";

/** Lines longer than this are dropped (and reported) instead of growing memory without bound. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines without re-copying what it has buffered: chunks are kept as
 * they came and joined once per complete line.
 */
export class LineSplitter {
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #overflowed = false;
  readonly maxLineBytes: number;

  constructor(maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    this.maxLineBytes = maxLineBytes;
  }

  /** Feeds one chunk; returns the complete lines it finished (`null` marks a dropped line). */
  push(chunk: Uint8Array): (Uint8Array | null)[] {
    const lines: (Uint8Array | null)[] = [];
    let start = 0;
    let newline = chunk.indexOf(NEWLINE, start);
    while (newline !== -1) {
      lines.push(this.#take(chunk.subarray(start, newline)));
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) this.#keep(chunk.subarray(start));
    return lines;
  }

  /** The unterminated last line at end of input, if any. */
  finish(): Uint8Array | null {
    if (this.#pendingBytes === 0 && !this.#overflowed) return null;
    return this.#take(new Uint8Array(0));
  }

  #keep(part: Uint8Array): void {
    if (this.#overflowed) return;
    if (this.#pendingBytes + part.length > this.maxLineBytes) {
      this.#overflowed = true;
      this.#pending = [];
      this.#pendingBytes = 0;
      return;
    }
    // Copy: the reader may reuse the chunk's buffer.
    this.#pending.push(part.slice());
    this.#pendingBytes += part.length;
  }

  #take(tail: Uint8Array): Uint8Array | null {
    if (this.#overflowed || this.#pendingBytes + tail.length > this.maxLineBytes) {
      this.#overflowed = false;
      this.#pending = [];
      this.#pendingBytes = 0;
      return null;
    }
    if (this.#pending.length === 0) return tail;
    const line = new Uint8Array(this.#pendingBytes + tail.length);
    let offset = 0;
    for (const part of this.#pending) {
      line.set(part, offset);
      offset += part.length;
    }
    line.set(tail, offset);
    this.#pending = [];
    this.#pendingBytes = 0;
    return line;
  }
}

/** Streams the transport uses; stdin/stdout unless tests pass their own. */
export interface StdioStreams {
  input: ReadableStream<Uint8Array>;
  output: WritableStream<Uint8Array>;
}

/** A `Transport` over newline-delimited JSON on a byte stream pair. */
export class DenoStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Called once when the input ends; the default closes the transport. */
  oninputend?: () => void;
  sessionId?: string;

  #streams: StdioStreams | null;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  #lastWrite: Promise<void> = Promise.resolve();
  #splitter: LineSplitter;
  #decoder = new TextDecoder();
  #encoder = new TextEncoder();
  #closed = false;

  constructor(streams?: StdioStreams, maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    this.#streams = streams ?? null;
    this.#splitter = new LineSplitter(maxLineBytes);
  }

  start(): Promise<void> {
    if (this.#reader) throw new Error("DenoStdioTransport already started");
    const streams = this.#streams ?? { input: Deno.stdin.readable, output: Deno.stdout.writable };
    this.#reader = streams.input.getReader();
    this.#writer = streams.output.getWriter();
    // The read loop runs for the life of the session; it reports its own failures.
    this.#readLoop(this.#reader);
    return Promise.resolve();
  }

  async #readLoop(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      while (!this.#closed) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const line of this.#splitter.push(value)) this.#dispatch(line);
      }
      const last = this.#splitter.finish();
      if (last !== null && last.length > 0) this.#dispatch(last);
    } catch (error) {
      if (!this.#closed) this.onerror?.(asError(error));
    }
    if (this.#closed) return;
    if (this.oninputend) this.oninputend();
    else await this.close();
  }

  #dispatch(line: Uint8Array | null): void {
    if (line === null) {
      this.onerror?.(
        new Error(`Dropped an input line longer than ${this.#splitter.maxLineBytes} bytes`),
      );
      return;
    }
    const text = this.#decoder.decode(line).replace(/\r$/, "");
    if (text.trim() === "") return;
    let message: JSONRPCMessage;
    try {
      message = JSONRPCMessageSchema.parse(JSON.parse(text));
    } catch (error) {
      this.onerror?.(
        new Error(
          `Ignored an input line that is not a JSON-RPC message: ${asError(error).message}`,
        ),
      );
      return;
    }
    this.onmessage?.(message);
  }

  send(message: JSONRPCMessage): Promise<void> {
    const writer = this.#writer;
    if (this.#closed || writer === null) return Promise.reject(new Error("Transport is closed"));
    const bytes = this.#encoder.encode(`${JSON.stringify(message)}\n`);
    // WritableStream keeps writes in order; remember the last one so close() can wait for it.
    const write = writer.write(bytes);
    this.#lastWrite = write.catch(() => {});
    return write;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#lastWrite;
    try {
      this.#writer?.releaseLock();
    } catch {
      // Already released.
    }
    // Cancelling ends a pending stdin read so the process can exit.
    await this.#reader?.cancel().catch(() => {});
    this.onclose?.();
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
