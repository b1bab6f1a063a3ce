/**
 * `scenarios/load_factors.json`: per (bus, stage, block) multipliers of the load realisation.
 *
 * @module
 */
import type { Issues } from "./issues.ts";
import { JsonReader } from "./fields.ts";

const FILE = "scenarios/load_factors.json";

/** One `(bus, stage)` entry: factor per block id. */
export interface LoadFactorEntry {
  bus_id: number;
  stage_id: number;
  block_factors: Map<number, number>;
}

/** Parses `scenarios/load_factors.json`; null when unusable. */
export function parseLoadFactors(issues: Issues, value: unknown): LoadFactorEntry[] | null {
  const root = JsonReader.root(issues, FILE, value);
  if (!root) return null;
  root.optString("$schema");
  const entries: LoadFactorEntry[] = [];
  const seen = new Set<string>();
  (root.array("load_factors", true) ?? []).forEach((item, i) => {
    const first = root.entity(item, `load_factors[${i}]`, i, "load_factors");
    if (!first) return root.markFailed();
    const bus = first.reqNumber("bus_id", { integer: true, min: 0 });
    const stage = first.reqNumber("stage_id", { integer: true, min: 0 });
    if (bus === undefined || stage === undefined) return root.markFailed();
    const entry = first.relabel(`load_factors entry for bus ${bus} stage ${stage}`, bus);
    const factors = new Map<number, number>();
    (entry.array("block_factors", true) ?? []).forEach((b, j) => {
      const block = entry.entity(b, `${entry.label} block_factors[${j}]`, bus, "block_factors");
      if (!block) return entry.markFailed();
      const blockId = block.reqNumber("block_id", { integer: true, min: 0 });
      const factor = block.reqNumber("factor", { min: 0, minExclusive: true });
      if (blockId === undefined || factor === undefined) return entry.markFailed();
      if (factors.has(blockId)) {
        entry.markFailed();
        return issues.error(
          "DuplicateId",
          `${FILE}: ${entry.label} lists block ${blockId} twice`,
          { file: FILE, entity_id: bus, registry: "block_factors" },
          "List each block once per (bus, stage).",
        );
      }
      factors.set(blockId, factor);
    });
    const key = `${bus}:${stage}`;
    if (seen.has(key)) {
      root.markFailed();
      return issues.error(
        "DuplicateId",
        `${FILE}: bus ${bus} stage ${stage} appears in more than one entry`,
        { file: FILE, entity_id: bus, registry: "load_factors (bus_id, stage_id)" },
        "Merge the entries for the same (bus, stage).",
      );
    }
    seen.add(key);
    if (entry.failed) return root.markFailed();
    entries.push({ bus_id: bus, stage_id: stage, block_factors: factors });
  });
  return root.failed ? null : entries;
}
