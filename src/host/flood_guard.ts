/**
 * Keeps a misbehaving server from flooding the audit trail: the first few anomalies of each kind
 * are recorded one by one, the rest are counted and recorded as summaries (one per
 * `summaryEvery`, and what is left when the connection ends). The host stays responsive and the
 * recorder stays bounded however much junk arrives.
 *
 * @module
 */

/** What the guard decides for one anomaly. */
export type FloodVerdict = "record" | "count" | "summarise";

/** Counts anomalies per kind. */
export class FloodGuard {
  readonly #individual: number;
  readonly #summaryEvery: number;
  readonly #seen = new Map<string, number>();
  readonly #unsummarised = new Map<string, number>();

  constructor(options: { individual?: number; summaryEvery?: number } = {}) {
    this.#individual = options.individual ?? 20;
    this.#summaryEvery = options.summaryEvery ?? 1_000;
  }

  /** Registers one anomaly of `kind`; says whether to record it, count it, or record a summary. */
  note(kind: string): FloodVerdict {
    const seen = (this.#seen.get(kind) ?? 0) + 1;
    this.#seen.set(kind, seen);
    if (seen <= this.#individual) return "record";
    const pending = (this.#unsummarised.get(kind) ?? 0) + 1;
    if (pending >= this.#summaryEvery) {
      this.#unsummarised.set(kind, 0);
      return "summarise";
    }
    this.#unsummarised.set(kind, pending);
    return "count";
  }

  /** True exactly once per kind: when its first anomaly beyond the individual limit arrives. */
  startedFlooding(kind: string): boolean {
    return this.#seen.get(kind) === this.#individual + 1;
  }

  /** Total anomalies of `kind` so far. */
  total(kind: string): number {
    return this.#seen.get(kind) ?? 0;
  }

  /** How many were counted but not yet summarised, per kind; resets them. */
  drain(): { kind: string; suppressed: number }[] {
    const out = [...this.#unsummarised].filter(([, n]) => n > 0)
      .map(([kind, suppressed]) => ({ kind, suppressed }));
    this.#unsummarised.clear();
    return out;
  }

  /** Size of a summary event (`summaryEvery`). */
  get summarySize(): number {
    return this.#summaryEvery;
  }
}
