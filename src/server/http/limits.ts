/**
 * Per-session request budgets: a token bucket for the request rate and a counter of open HTTP
 * exchanges (requests being answered and SSE streams being held). Both refuse with a wait the
 * client can honour (`Retry-After`). The clock is injected so the arithmetic is testable.
 *
 * @module
 */

/** Limits of the HTTP transport; every one has a default in `DEFAULT_HTTP_LIMITS`. */
export interface HttpLimits {
  /** Largest request body read, in bytes (413 above). */
  maxBodyBytes: number;
  /** Sessions open at once (503 for a new one above). */
  maxSessions: number;
  /** A session with no request and no open stream for this long is closed (404 after). */
  sessionIdleMs: number;
  /** Sustained requests per second per session. */
  requestsPerSecond: number;
  /** Requests a session may send at once before the rate applies. */
  requestBurst: number;
  /** Requests in progress plus SSE streams held open, per session (429 above). */
  maxOpenExchanges: number;
  /**
   * Bytes an SSE response may have queued for a client that does not read: beyond half of it,
   * progress notifications are dropped (agents tolerate gaps); beyond all of it, the stream is
   * closed, and the client resumes from the event store with `Last-Event-ID`.
   */
  maxQueuedSseBytes: number;
  /** Stored SSE events kept per session for resumption, in bytes of JSON; oldest go first. */
  maxStoredEventBytes: number;
  /** Stored events older than this are deleted. */
  eventRetentionMs: number;
}

/** Defaults sized for tens of agents on one machine (see the load benchmark). */
export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = Object.freeze({
  maxBodyBytes: 1024 * 1024,
  maxSessions: 100,
  sessionIdleMs: 30 * 60_000,
  requestsPerSecond: 50,
  requestBurst: 100,
  maxOpenExchanges: 16,
  maxQueuedSseBytes: 4 * 1024 * 1024,
  maxStoredEventBytes: 32 * 1024 * 1024,
  eventRetentionMs: 60 * 60_000,
});

/** Milliseconds since some fixed point; `performance.now` in production. */
export type Clock = () => number;

/** Either go ahead, or wait this many seconds. */
export type BudgetVerdict = { ok: true } | { ok: false; retryAfterS: number; reason: string };

/** A token bucket: `burst` tokens, refilled at `perSecond`. */
export class TokenBucket {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #updatedMs: number;

  constructor(perSecond: number, burst: number, clock: Clock) {
    this.#perSecond = perSecond;
    this.#burst = burst;
    this.#clock = clock;
    this.#tokens = burst;
    this.#updatedMs = clock();
  }

  /** Takes one token, or says how long until one is available. */
  take(): BudgetVerdict {
    const now = this.#clock();
    const elapsedS = Math.max(0, now - this.#updatedMs) / 1000;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsedS * this.#perSecond);
    this.#updatedMs = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { ok: true };
    }
    const waitS = (1 - this.#tokens) / this.#perSecond;
    return {
      ok: false,
      retryAfterS: Math.max(1, Math.ceil(waitS)),
      reason: `more than ${this.#perSecond} requests per second`,
    };
  }
}

/** One session's rate and open-exchange budgets. */
export class SessionBudget {
  readonly #bucket: TokenBucket;
  readonly #maxOpen: number;
  #open = 0;

  constructor(
    limits: Pick<HttpLimits, "requestsPerSecond" | "requestBurst" | "maxOpenExchanges">,
    clock: Clock,
  ) {
    this.#bucket = new TokenBucket(limits.requestsPerSecond, limits.requestBurst, clock);
    this.#maxOpen = limits.maxOpenExchanges;
  }

  /** Exchanges currently open. */
  get open(): number {
    return this.#open;
  }

  /** Admits one HTTP request against the rate. */
  admitRequest(): BudgetVerdict {
    return this.#bucket.take();
  }

  /**
   * Opens one exchange if the session has room; the caller must call the returned release
   * exactly once when the exchange ends (extra calls are ignored).
   */
  openExchange(): { ok: true; release: () => void } | Extract<BudgetVerdict, { ok: false }> {
    if (this.#open >= this.#maxOpen) {
      return {
        ok: false,
        retryAfterS: 1,
        reason: `more than ${this.#maxOpen} requests or streams open at once`,
      };
    }
    this.#open++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#open--;
      },
    };
  }
}
