/**
 * A live progress line for people watching a `cobre/run` from a terminal: iteration (with a bar
 * when the iteration limit is known), lower and upper bound, gap and elapsed time; during
 * simulation, scenarios done. On a terminal the line is redrawn in place; elsewhere a plain
 * line is written at most every few seconds so logs stay short.
 *
 * @module
 */
import type { JsonValue } from "../common/mod.ts";
import type { HostProgress } from "./types.ts";

const NUMBER = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 6 });
const BAR_WIDTH = 20;

/** Formats a cost or bound for people: 6 significant digits with thousands separators. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return NUMBER.format(value);
}

/** A gap fraction as a percentage with two decimals (0.0151 → "1.51%"); "–" when undefined. */
export function formatGap(fraction: number | null): string {
  return fraction === null ? "–" : `${(fraction * 100).toFixed(2)}%`;
}

/** Seconds with one decimal below a minute, else m:ss. */
export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const total = Math.floor(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")} min`;
}

/** A bar of `width` cells, `fraction` of them full (eighth-cell resolution). */
export function bar(fraction: number, width = BAR_WIDTH): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const eighths = Math.round(clamped * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = eighths % 8;
  const glyphs = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
  const body = "█".repeat(full) + (partial > 0 ? glyphs[partial]! : "");
  return `▕${body.padEnd(width, " ")}▏`;
}

function num(update: Record<string, JsonValue> | null, key: string): number | null {
  const value = update?.[key];
  return typeof value === "number" ? value : null;
}

/** One progress line (no newline). */
export function formatProgress(progress: HostProgress, elapsedMs: number): string {
  const update = progress.update;
  if (update?.phase === "simulation") {
    const done = num(update, "scenarios_complete") ?? progress.progress;
    const total = num(update, "scenarios_total") ?? progress.total;
    const fraction = total ? done / total : 0;
    return `simulating ${done}/${total ?? "?"} scenarios ${bar(fraction)} ${
      formatElapsed(elapsedMs)
    }`;
  }
  const iteration = num(update, "iteration") ?? progress.progress;
  const total = progress.total;
  const parts = [
    `iteration ${iteration}${total ? `/${total}` : ""}`,
    ...(total ? [bar(iteration / total)] : []),
    `LB ${formatNumber(num(update, "lower_bound"))}`,
    `UB ${formatNumber(num(update, "upper_bound"))}`,
    `gap ${formatGap(num(update, "gap"))}`,
    formatElapsed(num(update, "wall_time_ms") ?? elapsedMs),
  ];
  return parts.join("  ");
}

/** Where the bar writes: stderr in the CLI. */
export interface ProgressSink {
  write(text: string): void;
  readonly isTerminal: boolean;
}

/** The sink for the process's stderr. */
export function stderrSink(): ProgressSink {
  const encoder = new TextEncoder();
  return {
    write: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
    isTerminal: Deno.stderr.isTerminal(),
  };
}

/** Draws progress updates on a sink. */
export class ProgressBar {
  readonly #sink: ProgressSink;
  readonly #started = performance.now();
  #lastPlainMs = -Infinity;
  #drawn = false;
  #last: string | null = null;

  constructor(sink: ProgressSink) {
    this.#sink = sink;
  }

  /** Shows one update. */
  update(progress: HostProgress): void {
    const now = performance.now();
    const line = formatProgress(progress, now - this.#started);
    this.#last = line;
    if (this.#sink.isTerminal) {
      this.#sink.write(`\r\x1b[2K${line}`);
      this.#drawn = true;
    } else if (now - this.#lastPlainMs >= 2_000) {
      this.#sink.write(`${line}\n`);
      this.#lastPlainMs = now;
    }
  }

  /** Ends the live line (and, off a terminal, writes the last state once). */
  finish(): void {
    if (this.#drawn) this.#sink.write("\n");
    else if (this.#last !== null && !this.#sink.isTerminal) this.#sink.write(`${this.#last}\n`);
    this.#drawn = false;
    this.#last = null;
  }
}
