/**
 * Resumability for the HTTP transport: every SSE event the server sends is stored in SQLite
 * (`<stateDir>/http-events.sqlite`) under an event id, so a client whose connection dropped
 * reconnects with `Last-Event-ID` and receives what it missed (progress, then the result).
 *
 * Events live on disk rather than in memory, so a client that never comes back costs no RAM.
 * Bounds: per session at most `maxStoredEventBytes` of JSON (oldest dropped first), nothing
 * older than `retentionMs`, and a session's events are deleted when it ends. Sessions die with
 * the process, so rows left by a crashed one only wait for the retention sweep.
 *
 * Isolation: each session gets its own view (`forSession`), which stores and replays only that
 * session's rows; an event id from another session is unknown to it. Event ids are the decimal
 * row sequence, opaque to clients.
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { EventStore, JSONRPCMessage } from "./sdk_http.ts";

/** Bounds and clock of the store. */
export interface EventStoreOptions {
  maxStoredEventBytes: number;
  retentionMs: number;
  /** Wall-clock milliseconds (`Date.now` unless testing). */
  now?: () => number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS http_events (
  event_seq INTEGER PRIMARY KEY AUTOINCREMENT,
  owner TEXT NOT NULL,
  session_key TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  message TEXT,
  bytes INTEGER NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS http_events_by_stream ON http_events (session_key, stream_id, event_seq);
CREATE INDEX IF NOT EXISTS http_events_by_age ON http_events (created_ms);
`;

interface Statements {
  insert: StatementSync;
  streamOf: StatementSync;
  after: StatementSync;
  oldest: StatementSync;
  deleteUpTo: StatementSync;
  deleteSession: StatementSync;
  deleteOwner: StatementSync;
  deleteBefore: StatementSync;
  countOwner: StatementSync;
}

/** The SQLite-backed event store shared by every session of one server process. */
export class SqliteEventStore {
  readonly #db: DatabaseSync;
  readonly #sql: Statements;
  readonly #owner = crypto.randomUUID();
  readonly #options: Required<EventStoreOptions>;
  /** Bytes stored per live session, to enforce the cap without a query per event. */
  readonly #sessionBytes = new Map<string, number>();

  private constructor(db: DatabaseSync, options: EventStoreOptions) {
    this.#db = db;
    this.#options = { now: Date.now, ...options };
    const prepare = (sql: string) => db.prepare(sql);
    this.#sql = {
      insert: prepare(
        "INSERT INTO http_events (owner, session_key, stream_id, message, bytes, created_ms) " +
          "VALUES (?, ?, ?, ?, ?, ?) RETURNING event_seq",
      ),
      streamOf: prepare(
        "SELECT stream_id FROM http_events WHERE session_key = ? AND event_seq = ?",
      ),
      after: prepare(
        "SELECT event_seq, message FROM http_events " +
          "WHERE session_key = ? AND stream_id = ? AND event_seq > ? ORDER BY event_seq",
      ),
      oldest: prepare(
        "SELECT event_seq, bytes FROM http_events WHERE session_key = ? ORDER BY event_seq LIMIT 512",
      ),
      deleteUpTo: prepare("DELETE FROM http_events WHERE session_key = ? AND event_seq <= ?"),
      deleteSession: prepare("DELETE FROM http_events WHERE session_key = ?"),
      deleteOwner: prepare("DELETE FROM http_events WHERE owner = ?"),
      deleteBefore: prepare("DELETE FROM http_events WHERE created_ms < ?"),
      countOwner: prepare(
        "SELECT count(*) AS events, coalesce(sum(bytes), 0) AS bytes FROM http_events WHERE owner = ?",
      ),
    };
  }

  /** Opens (creating if needed) the database at `path` and sweeps expired rows. */
  static open(path: string, options: EventStoreOptions): SqliteEventStore {
    const db = new DatabaseSync(path, { timeout: 5_000 });
    try {
      db.exec("PRAGMA journal_mode=WAL");
      // Events only matter to live sessions of this process: losing the last ones to an OS
      // crash loses nothing a client could still resume, so no fsync per event.
      db.exec("PRAGMA synchronous=OFF");
      db.exec(SCHEMA);
      const store = new SqliteEventStore(db, options);
      store.sweep();
      return store;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** The store as one session sees it (what the SDK transport of that session is given). */
  forSession(sessionKey: string): EventStore {
    this.#sessionBytes.set(sessionKey, 0);
    return {
      storeEvent: (streamId, message) =>
        Promise.resolve(this.#store(sessionKey, streamId, message)),
      getStreamIdForEventId: (eventId) => Promise.resolve(this.#streamOf(sessionKey, eventId)),
      replayEventsAfter: (lastEventId, { send }) => this.#replay(sessionKey, lastEventId, send),
    };
  }

  /** Deletes a session's events (it ended, so nobody can resume them). */
  deleteSession(sessionKey: string): void {
    this.#sessionBytes.delete(sessionKey);
    if (this.#db.isOpen) this.#sql.deleteSession.run(sessionKey);
  }

  /** Deletes events older than the retention period. */
  sweep(): void {
    this.#sql.deleteBefore.run(this.#options.now() - this.#options.retentionMs);
  }

  /** Events and bytes this process holds (for the operator and tests). */
  stats(): { events: number; bytes: number } {
    const row = this.#sql.countOwner.get(this.#owner) as { events: number; bytes: number };
    return { events: Number(row.events), bytes: Number(row.bytes) };
  }

  /** Deletes this process's events and closes the database. */
  close(): void {
    if (!this.#db.isOpen) return;
    this.#sql.deleteOwner.run(this.#owner);
    this.#db.close();
  }

  #store(sessionKey: string, streamId: string, message: JSONRPCMessage): string {
    // The SDK stores `{}` for a priming event (an id with empty data): keep the id, not the body.
    const text = "jsonrpc" in message ? JSON.stringify(message) : null;
    const bytes = text?.length ?? 0;
    const row = this.#sql.insert.get(
      this.#owner,
      sessionKey,
      streamId,
      text,
      bytes,
      this.#options.now(),
    ) as { event_seq: number };
    const total = (this.#sessionBytes.get(sessionKey) ?? 0) + bytes;
    this.#sessionBytes.set(sessionKey, total);
    if (total > this.#options.maxStoredEventBytes) this.#trim(sessionKey, total);
    return String(row.event_seq);
  }

  /** Drops a session's oldest events until it is back under three quarters of its cap. */
  #trim(sessionKey: string, total: number): void {
    const target = this.#options.maxStoredEventBytes * 0.75;
    let remaining = total;
    while (remaining > target) {
      const rows = this.#sql.oldest.all(sessionKey) as { event_seq: number; bytes: number }[];
      if (rows.length === 0) break;
      let upTo = 0;
      for (const row of rows) {
        remaining -= row.bytes;
        upTo = row.event_seq;
        if (remaining <= target) break;
      }
      this.#sql.deleteUpTo.run(sessionKey, upTo);
    }
    this.#sessionBytes.set(sessionKey, Math.max(0, remaining));
  }

  #streamOf(sessionKey: string, eventId: string): string | undefined {
    if (!/^\d{1,15}$/.test(eventId)) return undefined;
    const row = this.#sql.streamOf.get(sessionKey, Number(eventId)) as
      | { stream_id: string }
      | undefined;
    return row?.stream_id;
  }

  async #replay(
    sessionKey: string,
    lastEventId: string,
    send: (eventId: string, message: JSONRPCMessage) => Promise<void>,
  ): Promise<string> {
    const streamId = this.#streamOf(sessionKey, lastEventId);
    if (streamId === undefined) throw new Error("unknown event id");
    const rows = this.#sql.after.all(sessionKey, streamId, Number(lastEventId)) as {
      event_seq: number;
      message: string | null;
    }[];
    for (const row of rows) {
      if (row.message === null) continue; // a priming event: nothing to deliver
      await send(String(row.event_seq), JSON.parse(row.message) as JSONRPCMessage);
    }
    return streamId;
  }
}
