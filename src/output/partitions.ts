/**
 * Hive partition discovery: `scenario_id=NNNN` directories of a simulation table, found from the
 * directory listing alone, so a `scenario_range` never opens a file outside the range.
 *
 * @module
 */
import { posix } from "node:path";
import type { ReadAccess } from "../common/mod.ts";
import { PARTITION_FILE, SCENARIO_COLUMN } from "./schemas.ts";

/** One scenario partition of a simulation table. */
export interface ScenarioPartition {
  readonly scenarioId: number;
  /** Absolute path of its `data.parquet`. */
  readonly file: string;
  /** Path relative to the output directory (for error records). */
  readonly relativeFile: string;
}

const PARTITION_PATTERN = new RegExp(`^${SCENARIO_COLUMN}=(\\d+)$`);

/**
 * Lists the partitions of `<outputDir>/<tablePath>` in scenario order, keeping only those in the
 * inclusive `range`. Entries that are not `scenario_id=<digits>` directories are ignored.
 */
export async function listScenarioPartitions(
  access: ReadAccess,
  outputDir: string,
  tablePath: string,
  range: readonly [number, number] | null,
): Promise<ScenarioPartition[]> {
  const names = await access.readDir(posix.join(outputDir, tablePath));
  const partitions: ScenarioPartition[] = [];
  for (const name of names) {
    const match = PARTITION_PATTERN.exec(name);
    if (!match) continue;
    const scenarioId = Number(match[1]);
    if (range && (scenarioId < range[0] || scenarioId > range[1])) continue;
    const relativeFile = posix.join(tablePath, name, PARTITION_FILE);
    partitions.push({ scenarioId, file: posix.join(outputDir, relativeFile), relativeFile });
  }
  return partitions.sort((a, b) => a.scenarioId - b.scenarioId);
}
