/**
 * The stdio session lifecycle: serve until the client closes stdin or a signal arrives, let
 * in-flight requests answer, then return so the process can exit with code 0.
 *
 * End of input: requests already received still get their responses (a client may pipe requests
 * and close stdin), bounded by the grace period. SIGTERM/SIGINT: in-flight handlers are told to
 * stop (they may answer with partial results within the grace period); a second signal closes at
 * once. No timer or signal listener outlives the session.
 *
 * @module
 */
import { type CobreServerOptions, createCobreServer } from "./server.ts";
import { DenoStdioTransport, type StdioStreams } from "./stdio_transport.ts";

/** How long in-flight requests may take to answer once the session is ending. */
export const DEFAULT_DRAIN_GRACE_MS = 10_000;

/** Options of a stdio session. */
export interface StdioServeOptions extends Omit<CobreServerOptions, "shutdownSignal"> {
  drainGraceMs?: number;
  /** Test streams instead of the process's stdin/stdout. */
  streams?: StdioStreams;
  /** Listen for SIGTERM/SIGINT (default true; tests in one process turn it off). */
  handleSignals?: boolean;
  /** Called once when the client closes stdin (e.g. to stop a long run it can no longer see). */
  onInputEnd?: () => void;
}

const SIGNALS: Deno.Signal[] = ["SIGTERM", "SIGINT"];

/** Serves one MCP session over stdio; resolves when it has ended. */
export async function serveStdio(options: StdioServeOptions): Promise<void> {
  const shutdown = new AbortController();
  const server = createCobreServer({ ...options, shutdownSignal: shutdown.signal });
  const transport = new DenoStdioTransport(options.streams);
  const graceMs = options.drainGraceMs ?? DEFAULT_DRAIN_GRACE_MS;
  const log = server.log;

  let ending = false;
  const end = async (reason: string) => {
    if (ending) return;
    ending = true;
    log.operator("info", `session ending: ${reason}`, { in_flight: server.inFlight() });
    await server.drain(graceMs);
    await server.close();
  };

  transport.oninputend = () => {
    options.onInputEnd?.();
    void end("end of input");
  };
  const onSignal = (signal: Deno.Signal) => () => {
    shutdown.abort(new Error(`received ${signal}`));
    void end(`received ${signal}`);
  };
  const listeners = (options.handleSignals ?? true)
    ? SIGNALS.map((signal) => ({ signal, listener: onSignal(signal) }))
    : [];
  for (const { signal, listener } of listeners) Deno.addSignalListener(signal, listener);
  try {
    await server.connect(transport);
    log.operator("info", "serving over stdio", {
      mode: options.mode,
      tools: options.tools.length,
      server_id: server.serverId,
    });
    await server.closed;
  } finally {
    for (const { signal, listener } of listeners) Deno.removeSignalListener(signal, listener);
  }
}
