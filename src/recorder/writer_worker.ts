/**
 * The recorder's writer Worker: the only code in the server process that holds FFI (scoped to the
 * DuckDB binding) and write access (scoped to the recorder directory). It batches events and
 * writes each batch with one prepared statement, so the protocol never waits on the disk.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { join } from "node:path";
import { mergeEndedSegments, removeStaleSnapshots } from "./archive.ts";
import { describeError, type OpenDatabase, openDatabase } from "./duck.ts";
import type { PendingRow } from "./events.ts";
import type { WriterReply, WriterRequest } from "./protocol.ts";
import { createSchema, type EventWriter, prepareWriter, queryEvents } from "./schema.ts";

const MAX_ROWS_PER_WRITE = 10_000;

let database: OpenDatabase | null = null;
let writer: EventWriter | null = null;
let buffer: PendingRow[] = [];
let batchSize = 256;
let flushIntervalMs = 200;
let timer: ReturnType<typeof setTimeout> | undefined;
// Every database operation runs on this chain, one at a time, in arrival order.
let chain: Promise<void> = Promise.resolve();

function reply(message: WriterReply): void {
  self.postMessage(message);
}

function enqueue(work: () => Promise<void>): void {
  chain = chain.then(work, work);
}

async function writeBuffered(): Promise<number> {
  if (timer !== undefined) {
    clearTimeout(timer);
    timer = undefined;
  }
  const rows = buffer;
  buffer = [];
  if (rows.length === 0 || writer === null) return 0;
  let written = 0;
  // Bounded statements: list parameters of at most MAX_ROWS_PER_WRITE values each.
  for (let start = 0; start < rows.length; start += MAX_ROWS_PER_WRITE) {
    const chunk = rows.slice(start, start + MAX_ROWS_PER_WRITE);
    try {
      await writer.write(chunk);
      written += chunk.length;
    } catch (error) {
      // A full disk must not take the server down with it: drop the batch and say so.
      reply({ type: "write_failed", message: describeError(error), dropped: chunk.length });
    }
  }
  return written;
}

function scheduleFlush(): void {
  if (buffer.length >= batchSize) {
    enqueue(async () => {
      await writeBuffered();
    });
  } else if (timer === undefined) {
    timer = setTimeout(() => {
      timer = undefined;
      enqueue(async () => {
        await writeBuffered();
      });
    }, flushIntervalMs);
  }
}

async function open(request: Extract<WriterRequest, { type: "open" }>): Promise<void> {
  batchSize = request.batchSize;
  flushIntervalMs = request.flushIntervalMs;
  try {
    await Deno.mkdir(request.dir, { recursive: true });
    database = await openDatabase(join(request.dir, request.segment), false);
    await createSchema(database.connection);
    writer = await prepareWriter(database.connection);
  } catch (error) {
    reply({ type: "open_failed", message: describeError(error) });
    return;
  }
  reply({ type: "ready" });
  // Housekeeping after ready, so starting the server never waits on it.
  enqueue(async () => {
    try {
      const merged = await mergeEndedSegments(request.dir, request.segment);
      if (merged.segments > 0) reply({ type: "merged", ...merged });
    } catch {
      // Ended segments stay readable where they are; the next start tries again.
    }
    await removeStaleSnapshots(request.dir, Date.now()).catch(() => 0);
  });
}

self.onmessage = (event: MessageEvent<WriterRequest>) => {
  const request = event.data;
  switch (request.type) {
    case "open":
      enqueue(() => open(request));
      break;
    case "events":
      for (const row of request.rows) buffer.push(row);
      scheduleFlush();
      break;
    case "flush":
      enqueue(async () => {
        const written = await writeBuffered();
        reply({ type: "flushed", id: request.id, written });
      });
      break;
    case "query":
      enqueue(async () => {
        await writeBuffered();
        try {
          if (database === null) throw new Error("the recorder database is not open");
          reply({
            type: "rows",
            id: request.id,
            rows: await queryEvents(database.connection, request.filter),
          });
        } catch (error) {
          reply({ type: "failed", id: request.id, message: describeError(error) });
        }
      });
      break;
    case "close":
      enqueue(async () => {
        await writeBuffered();
        database?.close();
        database = null;
        writer = null;
        reply({ type: "closed", id: request.id });
        self.close();
      });
      break;
  }
};
