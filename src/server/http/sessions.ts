/**
 * The live MCP sessions of one HTTP server. Each session is its own SDK transport and its own
 * MCP server (its own log threshold, its own Gate profile, its own event-store view), found by
 * its `Mcp-Session-Id`. Sessions end on DELETE, when idle too long, or at shutdown; their stored
 * events go with them.
 *
 * Two ids per session: the `Mcp-Session-Id` is a bearer secret (whoever holds it speaks for the
 * session), so it appears nowhere but in HTTP headers; logs, the Flight Recorder and the event
 * store use a separate audit id.
 *
 * @module
 */
import type { CapabilityProfile } from "../../security/mod.ts";
import type { CobreServer } from "../server.ts";
import type { SqliteEventStore } from "./event_store.ts";
import { type Clock, type HttpLimits, SessionBudget } from "./limits.ts";
import { WebStandardStreamableHTTPServerTransport } from "./sdk_http.ts";
import { SessionTransport } from "./session_transport.ts";

/** One live session. */
export interface LiveSession {
  /** The `Mcp-Session-Id` (secret). */
  readonly id: string;
  /** The id logs and audit records use. */
  readonly auditId: string;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly server: CobreServer;
  readonly budget: SessionBudget;
  /** The capability profile the session's Gate applies. */
  readonly profile: CapabilityProfile;
  /** The protocol version negotiated at initialize; it governs the stream format. */
  readonly protocolVersion: string;
  lastActiveMs: number;
}

/** What a new session starts with. */
export interface SessionStart {
  profile: CapabilityProfile;
  protocolVersion: string;
}

/** Why a session ended. */
export type SessionEndReason = "deleted" | "idle" | "shutdown" | "failed-initialize";

/** What the registry needs to open sessions. */
export interface SessionRegistryOptions {
  limits: HttpLimits;
  eventStore: SqliteEventStore | null;
  /** Builds the MCP server of a new session. */
  createServer(auditId: string, profile: CapabilityProfile): CobreServer;
  /** SSE `retry:` hint sent with priming events, in ms. */
  retryIntervalMs?: number;
  /** SSE keep-alive comment interval, in ms. */
  keepAliveMs?: number;
  clock: Clock;
  onOpen?(session: LiveSession): void;
  onClose?(session: LiveSession, reason: SessionEndReason): void;
}

/** The sessions of one server, by `Mcp-Session-Id`. */
export class SessionRegistry {
  readonly #sessions = new Map<string, LiveSession>();
  readonly #options: SessionRegistryOptions;

  constructor(options: SessionRegistryOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The session with this `Mcp-Session-Id`, if it is live. */
  get(id: string): LiveSession | undefined {
    return this.#sessions.get(id);
  }

  /** Every live session. */
  all(): LiveSession[] {
    return [...this.#sessions.values()];
  }

  /** The session with this audit id, if it is live. */
  byAuditId(auditId: string): LiveSession | undefined {
    return this.all().find((session) => session.auditId === auditId);
  }

  /** Opens a session (its transport is ready for the `initialize` POST). */
  async open(start: SessionStart): Promise<LiveSession> {
    const { limits, eventStore, clock } = this.#options;
    const id = crypto.randomUUID();
    const auditId = crypto.randomUUID();
    let session: LiveSession | null = null;
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      onsessionclosed: () => {
        if (session) void this.close(session, "deleted");
      },
      ...(eventStore ? { eventStore: eventStore.forSession(auditId) } : {}),
      ...(this.#options.retryIntervalMs !== undefined
        ? { retryInterval: this.#options.retryIntervalMs }
        : {}),
      ...(this.#options.keepAliveMs !== undefined
        ? { keepAliveMs: this.#options.keepAliveMs }
        : {}),
      maxRequestBodySize: limits.maxBodyBytes,
    });
    const server = this.#options.createServer(auditId, start.profile);
    await server.connect(new SessionTransport(transport, auditId));
    session = {
      id,
      auditId,
      transport,
      server,
      budget: new SessionBudget(limits, clock),
      profile: start.profile,
      protocolVersion: start.protocolVersion,
      lastActiveMs: clock(),
    };
    this.#sessions.set(id, session);
    this.#options.onOpen?.(session);
    return session;
  }

  /** Ends a session: closes its server and transport, forgets it, deletes its events. */
  async close(session: LiveSession, reason: SessionEndReason): Promise<void> {
    if (this.#sessions.get(session.id) !== session) return;
    this.#sessions.delete(session.id);
    try {
      await session.server.close();
    } finally {
      this.#options.eventStore?.deleteSession(session.auditId);
      this.#options.onClose?.(session, reason);
    }
  }

  /** Closes sessions idle longer than the limit (nothing open, no request since). */
  async closeIdle(): Promise<number> {
    const now = this.#options.clock();
    const idle = this.all().filter((session) =>
      session.budget.open === 0 && now - session.lastActiveMs > this.#options.limits.sessionIdleMs
    );
    await Promise.all(idle.map((session) => this.close(session, "idle")));
    return idle.length;
  }

  /** Lets every session answer what it received (up to `graceMs`), then closes them all. */
  async closeAll(graceMs: number): Promise<void> {
    const sessions = this.all();
    await Promise.all(sessions.map((session) => session.server.drain(graceMs)));
    await Promise.all(sessions.map((session) => this.close(session, "shutdown")));
  }
}
