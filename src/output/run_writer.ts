/**
 * Writes a complete Cobre output directory (`training/`, `policy/`, `simulation/`) atomically.
 *
 * Everything goes into a hidden staging directory next to the target. `commit()` writes the
 * metadata files, then the manifests, then the `_SUCCESS` markers (only for phases that finished
 * cleanly), and finally renames the staging directory onto the target. Simulation scenarios are
 * written one partition at a time as they arrive, so memory stays flat for thousands of
 * scenarios.
 *
 * @module
 */
import { posix } from "node:path";
import type { FileAccess } from "../common/mod.ts";
import {
  createStaging,
  discardStaging,
  jsonBytes,
  publishStaging,
  type StagingArea,
  type StagingOwner,
} from "./atomic.ts";
import {
  type PolicyMetadata,
  type RunInfo,
  simulationManifest,
  simulationMetadata,
  type SimulationSummary,
  trainingManifest,
  trainingMetadata,
  type TrainingSummary,
} from "./manifests.ts";
import { encodeParquet } from "./parquet_write.ts";
import {
  encodeStageBasis,
  encodeStageCuts,
  encodeStageStates,
  type PolicyStageBasis,
  type PolicyStageCuts,
  type PolicyStageStates,
  stageFileName,
} from "./policy_fbs.ts";
import {
  CONVERGENCE_TABLE,
  PARTITION_FILE,
  partitionDirName,
  SIMULATION_TABLES,
  type SimulationTableName,
} from "./schemas.ts";

/** One simulated scenario: rows per simulation table (tables left out or empty are skipped). */
export interface ScenarioTables {
  scenario_id: number;
  tables: Partial<Record<SimulationTableName, readonly object[]>>;
}

/** A row of `training/dictionaries/entities.csv`. */
export interface EntityEntry {
  entity_type_code: number;
  entity_id: number;
  name: string;
  bus_id: number;
}

/** The policy checkpoint: cut pools, metadata and optional bases and visited states. */
export interface PolicyOutput {
  stages: readonly PolicyStageCuts[];
  metadata: PolicyMetadata;
  bases?: readonly PolicyStageBasis[];
  states?: readonly PolicyStageStates[];
}

/** Static categorical codes (`training/dictionaries/codes.json`), as `output-format.md` lists. */
const CODES = {
  version: "1.0",
  operative_state: { "0": "deactivated", "1": "maintenance", "2": "operating", "3": "saturated" },
  storage_binding: { "0": "none", "1": "below_minimum", "2": "above_maximum", "3": "both" },
  contract_type: { "0": "import", "1": "export" },
  entity_type: {
    "0": "hydro",
    "1": "thermal",
    "2": "bus",
    "3": "line",
    "4": "pumping_station",
    "5": "contract",
    "7": "non_controllable",
  },
  bound_type: {
    "0": "storage_min",
    "1": "storage_max",
    "2": "turbined_min",
    "3": "turbined_max",
    "4": "outflow_min",
    "5": "outflow_max",
    "6": "generation_min",
    "7": "generation_max",
    "8": "flow_min",
    "9": "flow_max",
  },
};

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Builds `entities.csv`, ordered by entity type code, then entity id (as Cobre orders it). */
export function entitiesCsv(entities: readonly EntityEntry[]): string {
  const sorted = [...entities].sort((a, b) =>
    a.entity_type_code - b.entity_type_code || a.entity_id - b.entity_id
  );
  const lines = ["entity_type_code,entity_id,name,bus_id,system_id"];
  for (const e of sorted) {
    lines.push([e.entity_type_code, e.entity_id, e.name, e.bus_id, 0].map(csvField).join(","));
  }
  return lines.join("\n") + "\n";
}

/** Assembles one output directory in staging; nothing is visible at the target until commit. */
export class RunOutputWriter {
  private readonly partitions: string[] = [];
  private readonly scenarioIds = new Set<number>();
  private readonly createdDirs = new Set<string>();
  private closed = false;

  private constructor(
    private readonly access: FileAccess,
    private readonly staging: StagingArea,
  ) {}

  /**
   * Opens a writer whose output will be published at `outputDir`. With an `owner`, the staging
   * directory carries its marker (`_STAGING.json`) until the output is published.
   */
  static async open(
    outputDir: string,
    access: FileAccess,
    owner?: StagingOwner,
  ): Promise<RunOutputWriter> {
    return new RunOutputWriter(access, await createStaging(outputDir, access, owner));
  }

  /** The hidden directory being filled (for tests and diagnostics). */
  get stagingDir(): string {
    return this.staging.stagingDir;
  }

  private async ensureDir(relative: string): Promise<void> {
    if (this.createdDirs.has(relative)) return;
    await this.access.makeDir(posix.join(this.staging.stagingDir, relative));
    this.createdDirs.add(relative);
  }

  private async put(relative: string, data: Uint8Array): Promise<void> {
    this.assertOpen();
    await this.ensureDir(posix.dirname(relative));
    await this.access.writeNewFile(posix.join(this.staging.stagingDir, relative), data);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("RunOutputWriter is already committed or aborted");
  }

  /** Writes `training/convergence.parquet` and the dictionaries we can fill. */
  async writeTraining(
    convergence: readonly object[],
    dictionaries: { stateDictionary?: unknown; entities?: readonly EntityEntry[] } = {},
  ): Promise<void> {
    await this.put(CONVERGENCE_TABLE.path, encodeParquet(CONVERGENCE_TABLE, convergence));
    await this.put("training/dictionaries/codes.json", jsonBytes(CODES));
    if (dictionaries.stateDictionary !== undefined) {
      await this.put(
        "training/dictionaries/state_dictionary.json",
        jsonBytes(dictionaries.stateDictionary),
      );
    }
    if (dictionaries.entities) {
      await this.put(
        "training/dictionaries/entities.csv",
        new TextEncoder().encode(entitiesCsv(dictionaries.entities)),
      );
    }
  }

  /** Writes `policy/cuts|basis|states/stage_NNN.bin`, then `policy/metadata.json` last. */
  async writePolicy(policy: PolicyOutput): Promise<void> {
    // The real CLI reads policy/basis/ unconditionally when loading a policy, so it must exist.
    await this.ensureDir("policy/basis");
    for (const stage of policy.stages) {
      await this.put(`policy/cuts/${stageFileName(stage.stage_id)}`, encodeStageCuts(stage));
    }
    for (const basis of policy.bases ?? []) {
      await this.put(`policy/basis/${stageFileName(basis.stage_id)}`, encodeStageBasis(basis));
    }
    for (const states of policy.states ?? []) {
      await this.put(`policy/states/${stageFileName(states.stage_id)}`, encodeStageStates(states));
    }
    await this.put("policy/metadata.json", jsonBytes(policy.metadata));
  }

  /** Writes one scenario's Hive partitions (`simulation/<table>/scenario_id=NNNN/data.parquet`). */
  async writeScenario(scenario: ScenarioTables): Promise<void> {
    if (this.scenarioIds.has(scenario.scenario_id)) {
      throw new Error(`scenario ${scenario.scenario_id} was already written`);
    }
    const partition = partitionDirName(scenario.scenario_id);
    for (const [name, rows] of Object.entries(scenario.tables)) {
      const table = SIMULATION_TABLES[name as SimulationTableName];
      if (!table) throw new Error(`unknown simulation table "${name}"`);
      if (!rows || rows.length === 0) continue;
      await this.put(`${table.path}/${partition}/${PARTITION_FILE}`, encodeParquet(table, rows));
    }
    this.scenarioIds.add(scenario.scenario_id);
    this.partitions.push(`${partition}/`);
  }

  /** Number of scenarios written so far. */
  get scenariosWritten(): number {
    return this.scenarioIds.size;
  }

  /**
   * Writes metadata, then manifests, then `_SUCCESS` markers for phases that finished cleanly,
   * and publishes the directory at its target.
   */
  async commit(
    run: RunInfo,
    outcome: {
      training?: TrainingSummary;
      simulation?: Omit<SimulationSummary, "partitions_written" | "scenarios_completed">;
    },
  ): Promise<void> {
    this.assertOpen();
    const simulation = outcome.simulation
      ? {
        ...outcome.simulation,
        scenarios_completed: this.scenarioIds.size,
        partitions_written: this.partitions,
      }
      : undefined;
    if (outcome.training) {
      await this.put("training/metadata.json", jsonBytes(trainingMetadata(run, outcome.training)));
    }
    if (simulation) {
      await this.put("simulation/metadata.json", jsonBytes(simulationMetadata(run, simulation)));
    }
    if (outcome.training) {
      await this.put("training/_manifest.json", jsonBytes(trainingManifest(run, outcome.training)));
    }
    if (simulation) {
      await this.put("simulation/_manifest.json", jsonBytes(simulationManifest(run, simulation)));
    }
    const trainingDone = outcome.training?.status === "complete" ||
      outcome.training?.status === "converged";
    if (trainingDone) await this.put("training/_SUCCESS", new Uint8Array());
    if (simulation?.status === "complete") await this.put("simulation/_SUCCESS", new Uint8Array());
    await publishStaging(this.staging, this.access);
    this.closed = true;
  }

  /** Drops everything written so far; the target is left untouched. */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await discardStaging(this.staging, this.access);
  }
}
