/**
 * The conformance report: one row per case (expected cost, lower bound obtained, absolute
 * difference, verdict, wall time), the problems of failed cases underneath, and a last line
 * `N passed, M failed` (cases without an expected cost count as passed when they ran and their
 * outputs read back).
 *
 * @module
 */
import type { CaseOutcome } from "./run_cases.ts";

function money(value: number | null): string {
  if (value === null) return "-";
  return value.toLocaleString("en-US", { maximumFractionDigits: 4, useGrouping: false });
}

function difference(outcome: CaseOutcome): string {
  if (outcome.expected === null || outcome.lowerBound === null) return "-";
  return Math.abs(outcome.lowerBound - outcome.expected.cost).toExponential(2);
}

const VERDICT_LABELS = { pass: "pass", fail: "FAIL", ran: "ran" } as const;

/** Formats the outcomes as a fixed-width table with a summary line. */
export function formatConformanceReport(outcomes: readonly CaseOutcome[]): string {
  const header = ["case", "expected", "got", "abs diff", "result", "wall s"];
  const cells = outcomes.map((o) => [
    o.name,
    money(o.expected?.cost ?? null),
    money(o.lowerBound),
    difference(o),
    VERDICT_LABELS[o.verdict],
    (o.wallMs / 1000).toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join("  ").trimEnd();
  const out = [line(header), ...cells.map(line)];
  const failed = outcomes.filter((o) => o.verdict === "fail");
  for (const o of failed) out.push("", `${o.name}: ${o.problem ?? "failed"}`);
  const ran = outcomes.filter((o) => o.verdict === "ran").length;
  out.push("");
  if (ran > 0) {
    out.push(
      `${ran} without an expected cost: trained, simulated and read back with the query tools`,
    );
  }
  out.push(`${outcomes.length - failed.length} passed, ${failed.length} failed`);
  return out.join("\n");
}
