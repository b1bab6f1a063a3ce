/**
 * The `ref://` registry: large or binary artifacts handed to a client as `resource_link` content
 * instead of inline bytes or a host path.
 *
 * - `register` stores the bytes in `<stateDir>/refs/` (never in an allowed dir) and returns a
 *   `resource_link` with `ref://<server_id>/<128-bit random id>` and a mimeType.
 * - `resolve` returns the bytes only to the session that registered the ref.
 * - `release` (from the client's `notifications/resource_released`) deletes the bytes at once.
 * - Unreleased refs expire after their TTL; their bytes are deleted by the next sweep.
 * - Unknown, released, expired and foreign refs are refused with distinct reasons; every refusal
 *   and release is reported to the Flight Recorder.
 *
 * Restarts: the registry is a SQLite table and the bytes are files, so a ref outlives its process
 * until its TTL and can be resolved again by a server that comes back under the same server id
 * (`loadOrCreateServerId`) for the same session id. The server passes the transport's session id,
 * which stdio does not have (null): a stdio client gets its refs back after a restart, an HTTP
 * session's refs end with the session in practice and are removed at expiry.
 *
 * @module
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { join } from "node:path";
import {
  CobreError,
  directFileAccess,
  type ErrorRecord,
  errorRecord,
  type FileAccess,
  messageOf,
} from "../common/mod.ts";
import type { FlightEvent } from "../recorder/mod.ts";
import { formatRefUri, isValidServerId, newRefId, parseRefUri } from "./ref_uri.ts";
import { type RefRefusal, refused } from "./refusals.ts";

/** MCP `resource_link` content for a registered ref. */
export interface RefLink {
  readonly type: "resource_link";
  readonly uri: string;
  readonly name: string;
  readonly mimeType: string;
  readonly size: number;
  readonly description?: string;
}

/** What `register` needs. */
export interface NewRef {
  /** The owning session (the transport's session id; null for stdio). */
  readonly sessionId: string | null;
  readonly bytes: Uint8Array;
  readonly mimeType: string;
  /** A display name for the client (e.g. `convergence.arrow`); not a path. */
  readonly name: string;
  readonly description?: string;
  /** Lifetime in ms; capped at the registry's maximum. */
  readonly ttlMs?: number;
  /** Correlation for the audit trail. */
  readonly jobId?: string | null;
}

/** A resolved ref. */
export interface ResolvedRef {
  readonly uri: string;
  readonly name: string;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
}

/** Result of `release`. */
export type ReleaseResult =
  | { readonly released: true }
  | { readonly released: false; readonly error: ErrorRecord };

/** Options for `openRefRegistry`. */
export interface OpenRefRegistryOptions {
  readonly stateDir: string;
  readonly serverId: string;
  /** How bytes are written and read (default: direct access; the state dir is not sandboxed). */
  readonly files?: FileAccess;
  /** Lifetime when `register` asks for none (default 1 h). */
  readonly defaultTtlMs?: number;
  /** Longest lifetime (default 24 h). */
  readonly maxTtlMs?: number;
  /** How long released and expired refs are remembered, to refuse them clearly (default 7 d). */
  readonly tombstoneMs?: number;
  /** Largest artifact in bytes (default 256 MiB). */
  readonly maxBytes?: number;
  readonly now?: () => number;
  /** Receives `mcp.ref_created`, `mcp.ref_released` and `mcp.ref_refused` events. */
  readonly onEvent?: (event: FlightEvent) => void;
}

type Row = Record<string, SQLInputValue | undefined>;

const HOUR_MS = 3_600_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS refs (
  ref_id         TEXT PRIMARY KEY NOT NULL,
  server_id      TEXT NOT NULL,
  session_id     TEXT,
  name           TEXT NOT NULL,
  mime_type      TEXT NOT NULL,
  description    TEXT,
  size           INTEGER NOT NULL,
  job_id         TEXT,
  created_at_ms  INTEGER NOT NULL,
  expires_at_ms  INTEGER NOT NULL,
  ended_at_ms    INTEGER,
  end_reason     TEXT CHECK (end_reason IN ('released', 'expired'))
);
CREATE INDEX IF NOT EXISTS idx_refs_expiry ON refs(expires_at_ms) WHERE ended_at_ms IS NULL;
CREATE INDEX IF NOT EXISTS idx_refs_ended ON refs(ended_at_ms);
`;

const MIME_TYPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(;.{0,200})?$/;

function invalid(message: string, context: Record<string, string | number>): CobreError {
  return new CobreError(errorRecord("InvalidArgument", message, context, null));
}

/** The registry; see the module doc. */
export class RefRegistry {
  readonly serverId: string;
  readonly #db: DatabaseSync;
  readonly #blobDir: string;
  readonly #files: FileAccess;
  readonly #now: () => number;
  readonly #defaultTtlMs: number;
  readonly #maxTtlMs: number;
  readonly #tombstoneMs: number;
  readonly #maxBytes: number;
  readonly #onEvent: (event: FlightEvent) => void;

  /** Use `openRefRegistry`. */
  constructor(db: DatabaseSync, blobDir: string, options: OpenRefRegistryOptions) {
    this.serverId = options.serverId;
    this.#db = db;
    this.#blobDir = blobDir;
    this.#files = options.files ?? directFileAccess;
    this.#now = options.now ?? Date.now;
    this.#defaultTtlMs = options.defaultTtlMs ?? HOUR_MS;
    this.#maxTtlMs = options.maxTtlMs ?? 24 * HOUR_MS;
    this.#tombstoneMs = options.tombstoneMs ?? 7 * 24 * HOUR_MS;
    this.#maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    this.#onEvent = options.onEvent ?? (() => {});
  }

  #blobPath(refId: string): string {
    return join(this.#blobDir, `${refId}.bin`);
  }

  #emit(event: FlightEvent): void {
    try {
      this.#onEvent(event);
    } catch {
      // The audit sink failing must not change what the client gets.
    }
  }

  /** Stores the bytes and returns the `resource_link` to hand to the client. */
  async register(input: NewRef): Promise<RefLink> {
    if (!MIME_TYPE.test(input.mimeType)) {
      throw invalid(`"${input.mimeType.slice(0, 100)}" is not a MIME type`, {
        mime_type: input.mimeType.slice(0, 100),
      });
    }
    if (input.bytes.byteLength > this.#maxBytes) {
      throw invalid(
        `The artifact is ${input.bytes.byteLength} bytes; references hold at most ${this.#maxBytes}`,
        {
          size: input.bytes.byteLength,
          max_bytes: this.#maxBytes,
        },
      );
    }
    await this.sweep();
    const refId = newRefId();
    const now = this.#now();
    const ttl = Math.min(
      input.ttlMs !== undefined && input.ttlMs > 0 ? input.ttlMs : this.#defaultTtlMs,
      this.#maxTtlMs,
    );
    // Bytes first: a row never points at a file that is not there yet.
    await this.#files.writeNewFile(this.#blobPath(refId), input.bytes);
    this.#db.prepare(
      `INSERT INTO refs (ref_id, server_id, session_id, name, mime_type, description, size, job_id,
         created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      refId,
      this.serverId,
      input.sessionId,
      input.name,
      input.mimeType,
      input.description ?? null,
      input.bytes.byteLength,
      input.jobId ?? null,
      now,
      now + ttl,
    );
    const uri = formatRefUri(this.serverId, refId);
    this.#emit({
      kind: "mcp.ref_created",
      source: "refs",
      message: `registered ${uri} (${input.mimeType}, ${input.bytes.byteLength} bytes)`,
      sessionId: input.sessionId,
      jobId: input.jobId ?? null,
      payload: { uri, mime_type: input.mimeType, size: input.bytes.byteLength, ttl_ms: ttl },
    });
    return {
      type: "resource_link",
      uri,
      name: input.name,
      mimeType: input.mimeType,
      size: input.bytes.byteLength,
      ...(input.description === undefined ? {} : { description: input.description }),
    };
  }

  /** Finds the live row for `uri` as seen by `sessionId`, or the reason it cannot be used. */
  #lookup(uri: string, sessionId: string | null): { row: Row } | { reason: RefRefusal } {
    const parsed = parseRefUri(uri);
    if (parsed === null) return { reason: "malformed" };
    if (parsed.serverId !== this.serverId) return { reason: "unknown" };
    const row = this.#db.prepare("SELECT * FROM refs WHERE ref_id = ? AND server_id = ?").get(
      parsed.refId,
      this.serverId,
    ) as Row | undefined;
    if (!row) return { reason: "unknown" };
    // Ownership first: another session learns nothing about the ref's state.
    if ((row.session_id ?? null) !== sessionId) return { reason: "foreign" };
    if (row.end_reason === "released") return { reason: "released" };
    if (row.end_reason === "expired" || Number(row.expires_at_ms) <= this.#now()) {
      return { reason: "expired" };
    }
    return { row };
  }

  #refuse(reason: RefRefusal, uri: string, sessionId: string | null, action: string): CobreError {
    const record = refused(reason, uri);
    this.#emit({
      kind: "mcp.ref_refused",
      source: "refs",
      level: "warning",
      message: `${action} refused (${reason})`,
      sessionId,
      errorCode: record.kind,
      payload: { action, reason },
      clientClaims: { uri: record.context.uri ?? null },
    });
    return new CobreError(record);
  }

  /** The bytes of `uri` for `sessionId`; throws `CobreError` naming the reason otherwise. */
  async resolve(uri: string, sessionId: string | null): Promise<ResolvedRef> {
    const found = this.#lookup(uri, sessionId);
    if ("reason" in found) {
      if (found.reason === "expired") await this.sweep();
      throw this.#refuse(found.reason, uri, sessionId, "resolve");
    }
    const refId = String(found.row.ref_id);
    let bytes: Uint8Array;
    try {
      bytes = await this.#files.readFile(this.#blobPath(refId));
    } catch {
      bytes = new Uint8Array(0);
    }
    if (bytes.byteLength !== Number(found.row.size)) {
      throw new CobreError(errorRecord(
        "OutputCorrupted",
        `The content of reference ${uri} is missing or damaged`,
        { uri, reason: "corrupted" },
        "Run the tool again to get a fresh reference.",
      ));
    }
    return {
      uri,
      name: String(found.row.name),
      mimeType: String(found.row.mime_type),
      bytes,
    };
  }

  /** Releases `uri` for `sessionId` (the client is done with it) and deletes its bytes. */
  async release(uri: string, sessionId: string | null): Promise<ReleaseResult> {
    const found = this.#lookup(uri, sessionId);
    if ("reason" in found) {
      return {
        released: false,
        error: this.#refuse(found.reason, uri, sessionId, "release").record,
      };
    }
    const refId = String(found.row.ref_id);
    const changed = this.#db.prepare(
      `UPDATE refs SET ended_at_ms = ?, end_reason = 'released' WHERE ref_id = ? AND ended_at_ms IS NULL`,
    ).run(this.#now(), refId);
    if (Number(changed.changes) !== 1) {
      return { released: false, error: this.#refuse("released", uri, sessionId, "release").record };
    }
    await this.#removeBlob(refId);
    this.#emit({
      kind: "mcp.ref_released",
      source: "refs",
      message: `released ${uri}`,
      sessionId,
      jobId: typeof found.row.job_id === "string" ? found.row.job_id : null,
      payload: { uri },
    });
    return { released: true };
  }

  async #removeBlob(refId: string): Promise<void> {
    try {
      await this.#files.remove(this.#blobPath(refId));
    } catch {
      // Already gone; the row is what clients see.
    }
  }

  /** Expires refs past their TTL (deleting bytes) and forgets old tombstones; returns expirations. */
  async sweep(): Promise<number> {
    const now = this.#now();
    const due = this.#db.prepare(
      "SELECT ref_id FROM refs WHERE ended_at_ms IS NULL AND expires_at_ms <= ?",
    ).all(now) as Row[];
    for (const { ref_id } of due) {
      this.#db.prepare(
        `UPDATE refs SET ended_at_ms = ?, end_reason = 'expired' WHERE ref_id = ? AND ended_at_ms IS NULL`,
      ).run(now, String(ref_id));
      await this.#removeBlob(String(ref_id));
    }
    this.#db.prepare("DELETE FROM refs WHERE ended_at_ms IS NOT NULL AND ended_at_ms <= ?").run(
      now - this.#tombstoneMs,
    );
    return due.length;
  }

  /** Closes the registry database (bytes stay until released or expired). */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

/**
 * Opens `<stateDir>/refs.sqlite` and `<stateDir>/refs/`, then sweeps expired refs. Throws
 * `CobreError` (`InternalError`) when the state directory is unusable.
 */
export async function openRefRegistry(options: OpenRefRegistryOptions): Promise<RefRegistry> {
  if (!isValidServerId(options.serverId)) {
    throw invalid(`Server id "${options.serverId.slice(0, 100)}" cannot be a ref URI authority`, {
      server_id: options.serverId.slice(0, 100),
    });
  }
  const blobDir = join(options.stateDir, "refs");
  let db: DatabaseSync | null = null;
  try {
    await (options.files ?? directFileAccess).makeDir(blobDir);
    db = new DatabaseSync(join(options.stateDir, "refs.sqlite"), { timeout: 5_000 });
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA synchronous=NORMAL");
    db.exec(SCHEMA);
    const registry = new RefRegistry(db, blobDir, options);
    await registry.sweep();
    return registry;
  } catch (error) {
    if (db?.isOpen) db.close();
    if (error instanceof CobreError) throw error;
    const detail = messageOf(error);
    throw new CobreError(errorRecord(
      "InternalError",
      `The ref registry cannot use state directory "${options.stateDir}": ${detail}`,
      { state_dir: options.stateDir, detail },
      "Give the server a writable state directory with free space (--state-dir).",
    ));
  }
}
