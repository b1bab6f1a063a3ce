/**
 * The Flight Recorder as the server's main thread sees it: `record` is synchronous and never
 * touches the disk; events go to the writer Worker in one message per tick and are written in
 * batches there. After the Worker is ready the main thread revokes its own FFI permission.
 *
 * @module
 */
import { messageOf, runtimeFiles } from "../common/mod.ts";
import {
  type FlightEvent,
  type FlightEventRow,
  type FlightFilter,
  type PendingRow,
  toPendingRow,
} from "./events.ts";
import type { WriterReply, WriterRequest } from "./protocol.ts";
import { newSegmentName, recorderDir } from "./segments.ts";
import { recorderError, spawnScopedWorker } from "./spawn.ts";

/** Options for `openFlightRecorder`. */
export interface OpenFlightRecorderOptions {
  /** Server state directory; the recorder uses `<stateDir>/recorder/`. */
  readonly stateDir: string;
  /** This server's id, stored on every event. */
  readonly serverId: string;
  /** Absolute path of the DuckDB binding (default: `runtimeFiles().duckdbBinding`). */
  readonly bindingPath?: string;
  /** Revoke the main thread's FFI permission once the Worker is ready (default true). */
  readonly revokeFfi?: boolean;
  /** Write when this many events are waiting (default 256). */
  readonly batchSize?: number;
  /** …or when the oldest waiting event is this old, in ms (default 200). */
  readonly flushIntervalMs?: number;
  /** Told when a batch could not be written (e.g. disk full); the events are dropped. */
  readonly onWriteError?: (message: string, dropped: number) => void;
  /** Give up starting after this long, in ms (default 30 000). */
  readonly startTimeoutMs?: number;
  /**
   * Most events queued on the main thread before the Worker took them (default 100 000). A
   * flood beyond it is dropped and counted rather than allowed to exhaust memory.
   */
  readonly maxQueued?: number;
}

/** Counters for health checks and tests. */
export interface RecorderStats {
  readonly recorded: number;
  readonly dropped: number;
  readonly mergedSegments: number;
}

/** The recorder handle the server holds. */
export interface FlightRecorder {
  readonly serverId: string;
  /** This process's segment file name inside `<stateDir>/recorder/`. */
  readonly segment: string;
  /** Stamps, bounds and queues an event; returns its event id. Never waits on the disk. */
  record(event: FlightEvent): string;
  /** Resolves when every event recorded so far is written. */
  flush(): Promise<void>;
  /** Events of this process's segment matching `filter` (written first). */
  query(filter?: FlightFilter): Promise<FlightEventRow[]>;
  stats(): RecorderStats;
  /** Writes what is pending and stops the Worker. */
  close(): Promise<void>;
}

type Pending = { resolve: (reply: WriterReply) => void; reject: (error: Error) => void };

/**
 * Starts the writer Worker with FFI scoped to the DuckDB binding and write access scoped to
 * `<stateDir>/recorder/`, waits until its database is open, then (by default) revokes FFI in the
 * calling thread. Throws `CobreError` (`InternalError`) when the state directory is unusable.
 */
export async function openFlightRecorder(
  options: OpenFlightRecorderOptions,
): Promise<FlightRecorder> {
  const { stateDir, serverId } = options;
  const dir = recorderDir(stateDir);
  const bindingPath = options.bindingPath ?? runtimeFiles().duckdbBinding;
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (error) {
    throw recorderError(
      "cannot create its directory",
      messageOf(error),
      stateDir,
    );
  }
  const segment = newSegmentName(Date.now());
  const worker = spawnScopedWorker(
    new URL("./writer_worker.ts", import.meta.url),
    { bindingPath, read: [dir], write: [dir] },
    stateDir,
  );

  const maxQueued = options.maxQueued ?? 100_000;
  const waiting = new Map<number, Pending>();
  let nextId = 1;
  let seq = 0;
  let recorded = 0;
  let dropped = 0;
  let mergedSegments = 0;
  let outbox: PendingRow[] = [];
  let closed = false;
  let startup: Pending | null = null;
  let failure: Error | null = null;

  const failAll = (error: Error) => {
    failure = error;
    startup?.reject(error);
    startup = null;
    for (const pending of waiting.values()) pending.reject(error);
    waiting.clear();
  };

  worker.onmessage = (event: MessageEvent<WriterReply>) => {
    const reply = event.data;
    switch (reply.type) {
      case "ready":
        startup?.resolve(reply);
        startup = null;
        return;
      case "open_failed":
        startup?.reject(recorderError("cannot open its database", reply.message, stateDir));
        startup = null;
        return;
      case "write_failed":
        dropped += reply.dropped;
        options.onWriteError?.(reply.message, reply.dropped);
        return;
      case "merged":
        mergedSegments += reply.segments;
        return;
      default: {
        const pending = waiting.get(reply.id);
        waiting.delete(reply.id);
        pending?.resolve(reply);
      }
    }
  };
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    failAll(recorderError("Worker failed", event.message, stateDir));
  };

  const send = (message: WriterRequest) => worker.postMessage(message);
  const ask = (make: (id: number) => WriterRequest): Promise<WriterReply> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      postOutbox();
      send(make(id));
    });
  };
  const postOutbox = () => {
    if (outbox.length === 0) return;
    send({ type: "events", rows: outbox });
    outbox = [];
  };

  const ready = new Promise<WriterReply>((resolve, reject) => (startup = { resolve, reject }));
  send({
    type: "open",
    dir,
    segment,
    batchSize: options.batchSize ?? 256,
    flushIntervalMs: options.flushIntervalMs ?? 200,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          recorderError(
            "did not start",
            `no answer within ${options.startTimeoutMs ?? 30_000} ms`,
            stateDir,
          ),
        ),
      options.startTimeoutMs ?? 30_000,
    );
  });
  try {
    await Promise.race([ready, timeout]);
  } catch (error) {
    worker.terminate();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  if (options.revokeFfi ?? true) await Deno.permissions.revoke({ name: "ffi" });

  return {
    serverId,
    segment,
    record(event: FlightEvent): string {
      if (closed) throw new Error("The flight recorder is closed");
      const eventId = crypto.randomUUID();
      const row = toPendingRow(event, { eventId, seq: seq++, tsMs: Date.now(), serverId });
      if (outbox.length >= maxQueued) {
        dropped += 1;
        if (dropped === 1 || dropped % 10_000 === 0) {
          options.onWriteError?.("too many events queued; dropping", 1);
        }
        return eventId;
      }
      recorded += 1;
      // One message per tick however many events the tick records.
      if (outbox.length === 0) queueMicrotask(postOutbox);
      outbox.push(row);
      return eventId;
    },
    async flush(): Promise<void> {
      await ask((id) => ({ type: "flush", id }));
    },
    async query(filter: FlightFilter = {}): Promise<FlightEventRow[]> {
      const reply = await ask((id) => ({ type: "query", id, filter }));
      if (reply.type === "rows") return reply.rows;
      throw recorderError(
        "could not read its events",
        reply.type === "failed" ? reply.message : reply.type,
        stateDir,
      );
    },
    stats: () => ({ recorded, dropped, mergedSegments }),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      try {
        await ask((id) => ({ type: "close", id }));
      } finally {
        worker.terminate();
      }
    },
  };
}
