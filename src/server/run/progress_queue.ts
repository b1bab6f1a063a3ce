/**
 * Progress updates on their way to the client, in order and one at a time, without ever holding
 * up the engine's events. A client that reads slowly gets gaps rather than an ever-growing
 * backlog: past `maxPending` waiting updates the oldest waiting ones are dropped (Cobre MCP spec
 * SS6.4: progress may skip iterations; the newest, which carries the latest bounds, always goes).
 *
 * @module
 */
import type { ProgressUpdate } from "../types.ts";

/** Updates kept waiting behind the one being sent, at most. */
export const MAX_PENDING_PROGRESS = 64;

/** See the module doc. */
export class ProgressQueue {
  readonly #send: (update: ProgressUpdate) => Promise<void>;
  readonly #maxPending: number;
  readonly #pending: ProgressUpdate[] = [];
  #draining: Promise<void> | null = null;
  #dropped = 0;

  constructor(send: (update: ProgressUpdate) => Promise<void>, maxPending = MAX_PENDING_PROGRESS) {
    this.#send = send;
    this.#maxPending = maxPending;
  }

  /** Updates dropped because the client fell behind. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Queues `update`; returns at once. */
  push(update: ProgressUpdate): void {
    this.#pending.push(update);
    if (this.#pending.length > this.#maxPending) {
      this.#pending.shift();
      this.#dropped++;
    }
    this.#draining ??= this.#drain();
  }

  /** Resolves once every queued update was sent (or failed to send). */
  async flush(): Promise<void> {
    while (this.#draining !== null) await this.#draining;
  }

  async #drain(): Promise<void> {
    for (let next = this.#pending.shift(); next !== undefined; next = this.#pending.shift()) {
      try {
        await this.#send(next);
      } catch {
        // A failed send (client gone) must not stop the run; later updates still try.
      }
    }
    this.#draining = null;
  }
}
