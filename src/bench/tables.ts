/**
 * Small helpers for the benchmark reports: fixed-width tables, percentiles and units.
 *
 * @module
 */

/** A fixed-width table: the first column left-aligned, the others right-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (values: readonly string[]) =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The `p`-quantile (0..1) of ascending `sorted` values, by nearest rank; NaN when empty. */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank]!;
}

/** `12.3 ms`, `4.56 s`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  return ms >= 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : ms >= 1000
    ? `${(ms / 1000).toFixed(2)} s`
    : `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}

/** `123 MiB`. */
export function mebibytes(bytes: number | null): string {
  return bytes === null ? "-" : `${(bytes / 1048576).toFixed(0)} MiB`;
}

/** `2.31x` (how many times `value` is `baseline`). */
export function ratio(value: number, baseline: number): string {
  return baseline > 0 && Number.isFinite(value) ? `${(value / baseline).toFixed(2)}x` : "-";
}
