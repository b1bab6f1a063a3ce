/**
 * Convergence charts: lower and upper bound per iteration, as text for a terminal and as an SVG
 * file (with the 95% confidence band of the upper bound when the run has one).
 *
 * @module
 */
import { formatNumber } from "./progress_bar.ts";

/** One point of the convergence history. */
export interface ConvergencePoint {
  readonly iteration: number;
  readonly lowerBound: number;
  readonly upperBound: number | null;
  /** Half-width of the upper bound's 95% confidence interval. */
  readonly ci95: number | null;
}

/** Reads `cobre/query-convergence` output into points (rows with no lower bound are skipped). */
export function convergencePoints(output: unknown): ConvergencePoint[] {
  const rows = (output as { iterations?: unknown })?.iterations;
  if (!Array.isArray(rows)) return [];
  const points: ConvergencePoint[] = [];
  for (const row of rows as Record<string, unknown>[]) {
    const num = (key: string) =>
      typeof row[key] === "number" && Number.isFinite(row[key]) ? row[key] as number : null;
    const iteration = num("iteration");
    const lowerBound = num("lower_bound");
    if (iteration === null || lowerBound === null) continue;
    points.push({ iteration, lowerBound, upperBound: num("upper_bound"), ci95: num("ci_95") });
  }
  return points;
}

function range(points: readonly ConvergencePoint[]): { min: number; max: number } {
  const values = points.flatMap((
    p,
  ) => [p.lowerBound, ...(p.upperBound === null ? [] : [p.upperBound])]);
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (min === max) {
    const pad = Math.abs(min) * 0.05 || 1;
    min -= pad;
    max += pad;
  }
  return { min, max };
}

/**
 * A text chart: `U` marks the upper bound, `L` the lower bound, `*` where they meet, with dotted
 * lines between iterations; the y axis is labelled at the top, middle and bottom, the x axis
 * with the first and last iteration.
 */
export function terminalChart(
  points: readonly ConvergencePoint[],
  options: { width?: number; height?: number } = {},
): string {
  if (points.length === 0) return "(no iterations to chart)";
  const width = Math.max(10, Math.min(options.width ?? 60, 200));
  const height = Math.max(4, Math.min(options.height ?? 12, 60));
  const { min, max } = range(points);
  const grid = Array.from({ length: height }, () => Array<string>(width).fill(" "));
  const rowOf = (value: number) =>
    height - 1 - Math.round(((value - min) / (max - min)) * (height - 1));
  const colOf = (index: number) =>
    points.length === 1 ? 0 : Math.round((index / (points.length - 1)) * (width - 1));
  const mark = (row: number, col: number, glyph: string) => {
    const cell = grid[row]![col]!;
    grid[row]![col] = cell === "U" || cell === "L" ? (cell === glyph ? glyph : "*") : glyph;
  };
  // Lines first (between consecutive iterations), points on top.
  const line = (values: (number | null)[], glyph: string) => {
    for (let i = 0; i + 1 < values.length; i++) {
      const [a, b] = [values[i], values[i + 1]];
      if (a === null || a === undefined || b === null || b === undefined) continue;
      const [c0, c1] = [colOf(i), colOf(i + 1)];
      for (let col = c0 + 1; col < c1; col++) {
        const row = rowOf(a + ((b - a) * (col - c0)) / (c1 - c0));
        if (grid[row]![col] === " ") grid[row]![col] = glyph;
      }
    }
  };
  line(points.map((p) => p.lowerBound), "·");
  line(points.map((p) => p.upperBound), "˙");
  points.forEach((point, index) => {
    const col = colOf(index);
    if (point.upperBound !== null) mark(rowOf(point.upperBound), col, "U");
    mark(rowOf(point.lowerBound), col, "L");
  });
  const labels = new Map([[0, max], [Math.floor((height - 1) / 2), (max + min) / 2], [
    height - 1,
    min,
  ]]);
  const labelWidth = Math.max(...[...labels.values()].map((v) => formatNumber(v).length));
  const lines = grid.map((row, index) => {
    const label = labels.has(index) ? formatNumber(labels.get(index)!) : "";
    return `${label.padStart(labelWidth)} ┤${row.join("")}`;
  });
  const first = String(points[0]!.iteration);
  const last = String(points[points.length - 1]!.iteration);
  lines.push(`${" ".repeat(labelWidth)} └${"─".repeat(width)}`);
  lines.push(`${" ".repeat(labelWidth + 2)}${first.padEnd(width - last.length)}${last}`);
  lines.push(`${" ".repeat(labelWidth + 2)}iteration   (U upper bound, L lower bound, * both)`);
  return lines.join("\n");
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/** An SVG line chart of the bounds, with the upper bound's 95% band; `title` is escaped. */
export function convergenceSvg(points: readonly ConvergencePoint[], title: string): string {
  const W = 760;
  const H = 400;
  const m = { left: 96, right: 24, top: 48, bottom: 56 };
  const plotW = W - m.left - m.right;
  const plotH = H - m.top - m.bottom;
  const banded = points.map((p) =>
    p.upperBound !== null && p.ci95 !== null ? [p.upperBound - p.ci95, p.upperBound + p.ci95] : []
  ).flat();
  const base = points.length > 0 ? range(points) : { min: 0, max: 1 };
  // A wide confidence band (few forward passes) may widen the axis by a quarter of the bounds'
  // span at most; beyond that it is clipped, so the bounds themselves stay readable.
  const slack = (base.max - base.min) * 0.25;
  const min = Math.max(Math.min(base.min, ...banded), base.min - slack);
  const max = Math.min(Math.max(base.max, ...banded), base.max + slack);
  const firstIt = points[0]?.iteration ?? 0;
  const lastIt = points[points.length - 1]?.iteration ?? 1;
  const x = (it: number) =>
    m.left + (lastIt === firstIt ? plotW / 2 : ((it - firstIt) / (lastIt - firstIt)) * plotW);
  const y = (v: number) =>
    m.top + plotH - ((Math.min(max, Math.max(min, v)) - min) / (max - min || 1)) * plotH;
  const path = (pairs: [number, number][]) =>
    pairs.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(" ");
  const lower = path(points.map((p) => [x(p.iteration), y(p.lowerBound)]));
  const withUpper = points.filter((p) => p.upperBound !== null);
  const upper = path(withUpper.map((p) => [x(p.iteration), y(p.upperBound!)]));
  const withBand = points.filter((p) => p.upperBound !== null && p.ci95 !== null);
  const band = withBand.length > 1
    ? path([
      ...withBand.map((p): [number, number] => [x(p.iteration), y(p.upperBound! + p.ci95!)]),
      ...withBand.toReversed().map((
        p,
      ): [number, number] => [x(p.iteration), y(p.upperBound! - p.ci95!)]),
    ])
    : "";
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => min + f * (max - min));
  const itTicks = [...new Set([firstIt, Math.round((firstIt + lastIt) / 2), lastIt])];
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${m.left}" y="28" font-size="16" font-weight="600">${escapeXml(title)}</text>`,
    ...ticks.map((v) =>
      `<line x1="${m.left}" x2="${W - m.right}" y1="${y(v).toFixed(1)}" y2="${
        y(v).toFixed(1)
      }" stroke="#e5e5e5"/>` +
      `<text x="${m.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${
        escapeXml(formatNumber(v))
      }</text>`
    ),
    ...itTicks.map((it) =>
      `<text x="${x(it).toFixed(1)}" y="${
        H - m.bottom + 18
      }" text-anchor="middle" fill="#555">${it}</text>`
    ),
    `<text x="${m.left + plotW / 2}" y="${
      H - 14
    }" text-anchor="middle" fill="#333">iteration</text>`,
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + plotH}" stroke="#999"/>`,
    `<line x1="${m.left}" x2="${W - m.right}" y1="${m.top + plotH}" y2="${
      m.top + plotH
    }" stroke="#999"/>`,
    ...(band
      ? [`<polygon points="${band}" fill="#f59e0b" fill-opacity="0.18" stroke="none"/>`]
      : []),
    ...(upper
      ? [`<polyline points="${upper}" fill="none" stroke="#d97706" stroke-width="2"/>`]
      : []),
    `<polyline points="${lower}" fill="none" stroke="#2563eb" stroke-width="2"/>`,
    `<g transform="translate(${W - m.right - 250}, 24)">`,
    `<line x1="0" x2="18" y1="0" y2="0" stroke="#2563eb" stroke-width="2"/><text x="24" y="4">lower bound</text>`,
    `<line x1="110" x2="128" y1="0" y2="0" stroke="#d97706" stroke-width="2"/><text x="134" y="4">upper bound${
      band ? " ± 95% CI" : ""
    }</text>`,
    `</g>`,
    `</svg>`,
  ];
  return out.join("\n") + "\n";
}
