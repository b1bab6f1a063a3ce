/**
 * Writes a run's outputs through `src/output` while the run goes on: the engine streams each
 * simulation batch as it finishes and `RunOutputStream` writes its partitions at once, so a run
 * of thousands of scenarios never holds them all. Everything goes into a hidden staging directory
 * beside `<case_dir>/output`, opened before the engine starts; training, policy, metadata and
 * manifests follow at the end (manifests last, `_SUCCESS` only for phases that finished cleanly)
 * and one rename publishes the whole. A failed run aborts the staging directory; a run killed
 * before the rename leaves the previous output (or none), never one that looks complete, and a
 * staging directory marked with its job, which a later run removes (`leftovers.ts`).
 *
 * @module
 */
import type { CaseModel } from "../../case/mod.ts";
import type { FileAccess } from "../../common/mod.ts";
import type { RunResult, SimulationScenarioResult } from "../../engine/mod.ts";
import {
  type EntityEntry,
  finishRunOutput,
  runInfoOf,
  RunOutputWriter,
  scenarioTablesOf,
  SIMULATION_TABLES,
  type SimulationTableName,
  type StagingOwner,
} from "../../output/mod.ts";
import { COBRE_MCP_VERSION } from "../version.ts";

/** `entity_type_code` of `entities.csv` (Cobre's `codes.json`). */
const ENTITY_CODES = { hydro: 0, thermal: 1, bus: 2, line: 3 } as const;

/** The entity dictionary of a case, so queries can filter outputs by name. */
export function caseEntities(model: CaseModel): EntityEntry[] {
  return [
    ...model.hydros.map((h) => ({
      entity_type_code: ENTITY_CODES.hydro,
      entity_id: h.id,
      name: h.name,
      bus_id: h.bus_id,
    })),
    ...model.thermals.map((t) => ({
      entity_type_code: ENTITY_CODES.thermal,
      entity_id: t.id,
      name: t.name,
      bus_id: t.bus_id,
    })),
    ...model.buses.map((b) => ({
      entity_type_code: ENTITY_CODES.bus,
      entity_id: b.id,
      name: b.name,
      bus_id: b.id,
    })),
    ...model.lines.map((l) => ({
      entity_type_code: ENTITY_CODES.line,
      entity_id: l.id,
      name: l.name,
      bus_id: l.source_bus_id,
    })),
  ];
}

/** A run's output directory, filled while the engine runs; see the module doc. */
export class RunOutputStream {
  readonly #writer: RunOutputWriter;
  readonly #tables = new Set<SimulationTableName>();
  #failure: { error: unknown } | null = null;

  private constructor(writer: RunOutputWriter) {
    this.#writer = writer;
  }

  /**
   * Opens the staging directory of the output to be published at `outputDir`; with an `owner`
   * (the run's job) it carries the owner's marker, so a later run can remove it if this one dies.
   */
  static async open(
    outputDir: string,
    access: FileAccess,
    owner?: StagingOwner,
  ): Promise<RunOutputStream> {
    return new RunOutputStream(await RunOutputWriter.open(outputDir, access, owner));
  }

  /** Writes the partitions of one batch of scenarios; batches must come one at a time. */
  async writeScenarios(batch: readonly SimulationScenarioResult[]): Promise<void> {
    try {
      for (const scenario of batch) {
        const tables = scenarioTablesOf(scenario);
        await this.#writer.writeScenario(tables);
        for (const [name, rows] of Object.entries(tables.tables)) {
          if (rows.length > 0) this.#tables.add(name as SimulationTableName);
        }
      }
    } catch (error) {
      this.#failure ??= { error };
      throw error;
    }
  }

  /** The first error writing scenarios, if any (the run must then fail as CheckpointFailed). */
  get failure(): { error: unknown } | null {
    return this.#failure;
  }

  /** Scenarios written so far. */
  get scenariosWritten(): number {
    return this.#writer.scenariosWritten;
  }

  /** Simulation tables holding rows, relative to the output directory (`simulation/costs`). */
  get simulationTables(): string[] {
    return [...this.#tables].map((name) => SIMULATION_TABLES[name].path).sort();
  }

  /**
   * Writes training, policy and manifests and publishes the output. Training is reported by how
   * it ended, not by how the run ended: a run stopped during simulation still has a complete
   * policy (`training/_SUCCESS`), and only its simulation is marked partial.
   */
  async publish(model: CaseModel, result: RunResult, startedAt: Date): Promise<void> {
    const run = runInfoOf(result, {
      started_at: startedAt.toISOString(),
      completed_at: new Date().toISOString(),
      producer: `cobre-mcp ${COBRE_MCP_VERSION}`,
      stopping_mode: model.config.training.stopping_mode,
      policy_mode: model.config.policy.mode,
    });
    const trainingStopped = result.training.termination_reason === "cancelled";
    await finishRunOutput(this.#writer, result, run, {
      trainingStatus: trainingStopped ? "partial" : "complete",
      entities: caseEntities(model),
    });
  }

  /** Removes the staging directory; the previous output (if any) stays. Safe to call twice. */
  abort(): Promise<void> {
    return this.#writer.abort();
  }
}
