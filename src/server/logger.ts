/**
 * Server logging: every record goes to stderr (stdout belongs to the protocol) and, when the
 * client's `logging/setLevel` threshold allows, to the client as `notifications/message`.
 *
 * @module
 */
import { type JsonValue, LOG_LEVELS, type LogLevel } from "../common/mod.ts";

export { LOG_LEVELS, type LogLevel };

/** Structured fields attached to a log record. */
export type LogData = Record<string, JsonValue>;

/** What handlers and the server core log through. */
export interface Logger {
  log(level: LogLevel, message: string, data?: LogData): void;
  debug(message: string, data?: LogData): void;
  info(message: string, data?: LogData): void;
  warning(message: string, data?: LogData): void;
  error(message: string, data?: LogData): void;
}

/** A log record as the client receives it in `notifications/message` params. */
export interface LogMessage {
  level: LogLevel;
  logger: string;
  data: { message: string } & LogData;
}

/** Delivers a record to the client; returns once sent (or dropped). */
export type ClientLogSink = (message: LogMessage) => Promise<void>;

/** True when `level` is a known MCP log level. */
export function isLogLevel(level: unknown): level is LogLevel {
  return typeof level === "string" && (LOG_LEVELS as readonly string[]).includes(level);
}

/** True when a record at `level` passes a `threshold`. */
export function passes(level: LogLevel, threshold: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(threshold);
}

const encoder = new TextEncoder();

/** Writes one line to stderr; a closed stderr must never take the server down. */
export function writeStderrLine(line: string): void {
  const bytes = encoder.encode(line.endsWith("\n") ? line : `${line}\n`);
  try {
    let written = 0;
    while (written < bytes.length) written += Deno.stderr.writeSync(bytes.subarray(written));
  } catch {
    // Nowhere left to report to.
  }
}

/** Formats a record for stderr: `cobre-mcp warning: message {"key":"value"}`. */
export function formatStderrLine(name: string, level: LogLevel, message: string, data?: LogData) {
  const fields = data && Object.keys(data).length > 0 ? ` ${JSON.stringify(data)}` : "";
  return `${name} ${level}: ${message}${fields}`;
}

/** Options of the server-wide log. */
export interface ServerLogOptions {
  /** Logger name in client messages and stderr lines. */
  name?: string;
  /** Least severe level written to stderr. */
  stderrLevel?: LogLevel;
  /** Threshold for client messages until the client sets one. */
  clientLevel?: LogLevel;
  /** Where stderr lines go; tests capture them. */
  writeLine?: (line: string) => void;
}

/**
 * The server-wide log: one stderr threshold, one client threshold (changed by `logging/setLevel`),
 * and a sink that is attached once the session is initialized.
 */
export class ServerLog {
  readonly name: string;
  #stderrLevel: LogLevel;
  #clientLevel: LogLevel;
  #writeLine: (line: string) => void;
  #clientSink: ClientLogSink | null = null;

  constructor(options: ServerLogOptions = {}) {
    this.name = options.name ?? "cobre-mcp";
    this.#stderrLevel = options.stderrLevel ?? "info";
    this.#clientLevel = options.clientLevel ?? "info";
    this.#writeLine = options.writeLine ?? writeStderrLine;
  }

  /** The current client threshold. */
  get clientLevel(): LogLevel {
    return this.#clientLevel;
  }

  /** Applies `logging/setLevel`. */
  setClientLevel(level: LogLevel): void {
    this.#clientLevel = level;
  }

  /** Starts (or, with null, stops) forwarding records to the client. */
  attachClient(sink: ClientLogSink | null): void {
    this.#clientSink = sink;
  }

  /** Records one message: stderr if it passes that threshold, the client if it passes the other. */
  emit(level: LogLevel, message: string, data: LogData = {}, sink?: ClientLogSink): void {
    if (passes(level, this.#stderrLevel)) {
      this.#writeLine(formatStderrLine(this.name, level, message, data));
    }
    const target = sink ?? this.#clientSink;
    if (target && passes(level, this.#clientLevel)) {
      // Logging is best effort: a closed transport must not turn into an unhandled rejection.
      target({ level, logger: this.name, data: { message, ...data } }).catch(() => {});
    }
  }

  /**
   * Records a message for the operator only (stderr): internal failures whose details (stack
   * traces, host paths) must never reach the agent.
   */
  operator(level: LogLevel, message: string, data: LogData = {}): void {
    if (passes(level, this.#stderrLevel)) {
      this.#writeLine(formatStderrLine(this.name, level, message, data));
    }
  }

  /** A `Logger` over this log; with `sink`, client records go there (e.g. tied to one request). */
  logger(sink?: ClientLogSink): Logger {
    const emit = (level: LogLevel, message: string, data?: LogData) =>
      this.emit(level, message, data, sink);
    return {
      log: emit,
      debug: (message, data) => emit("debug", message, data),
      info: (message, data) => emit("info", message, data),
      warning: (message, data) => emit("warning", message, data),
      error: (message, data) => emit("error", message, data),
    };
  }
}
