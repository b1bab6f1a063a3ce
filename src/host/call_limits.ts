/**
 * The limits of one call: an overall budget (the policy's or the spec's), an idle limit that
 * restarts whenever the server sends progress or a response for it, and the caller's own abort
 * signal. Whichever fires first aborts the call's signal and says why.
 *
 * @module
 */

/** Why a call was stopped by the host. */
export type CallEnd = "timeout" | "idle" | "cancelled";

/** Timers and signal of one call; `dispose()` when the call ends. */
export class CallLimits {
  readonly signal: AbortSignal;
  readonly overallMs: number | null;
  readonly idleMs: number;
  #ended: CallEnd | null = null;
  readonly #controller = new AbortController();
  readonly #overall: ReturnType<typeof setTimeout> | undefined;
  #idle: ReturnType<typeof setTimeout> | undefined;
  readonly #caller: AbortSignal | undefined;
  readonly #onCallerAbort = () => this.#stop("cancelled");

  constructor(overallMs: number | null, idleMs: number, caller?: AbortSignal) {
    this.signal = this.#controller.signal;
    this.overallMs = overallMs;
    this.idleMs = idleMs;
    this.#overall = overallMs === null
      ? undefined
      : setTimeout(() => this.#stop("timeout"), overallMs);
    this.touch();
    this.#caller = caller;
    caller?.addEventListener("abort", this.#onCallerAbort, { once: true });
    if (caller?.aborted) this.#stop("cancelled");
  }

  /** Why the call was stopped, or null. */
  get ended(): CallEnd | null {
    return this.#ended;
  }

  /** Restarts the idle limit. */
  touch(): void {
    clearTimeout(this.#idle);
    if (this.#ended === null) this.#idle = setTimeout(() => this.#stop("idle"), this.idleMs);
  }

  #stop(why: CallEnd): void {
    this.#ended ??= why;
    this.#controller.abort();
  }

  /** Clears the timers and the caller's listener. */
  dispose(): void {
    clearTimeout(this.#overall);
    clearTimeout(this.#idle);
    this.#caller?.removeEventListener("abort", this.#onCallerAbort);
  }
}
