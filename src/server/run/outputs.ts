/**
 * Publishes a run's outputs through `src/output`: everything goes into a hidden staging
 * directory beside `<case_dir>/output` and is renamed into place in one step, manifests last,
 * `_SUCCESS` only for phases that finished cleanly. A run killed before that rename leaves the
 * previous output (or none), never one that looks complete.
 *
 * The engine hands back the whole simulation at the end of the run (its events carry counts, not
 * rows), so the partitions are written one scenario at a time from the finished result.
 *
 * @module
 */
import type { CaseModel } from "../../case/mod.ts";
import type { FileAccess } from "../../common/mod.ts";
import type { RunResult } from "../../engine/mod.ts";
import {
  type EntityEntry,
  policyOutputOf,
  runInfoOf,
  RunOutputWriter,
  scenarioTablesOf,
  trainingSummaryOf,
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

/**
 * Writes `result` at `outputDir` atomically (see the module doc). Training is reported by how it
 * ended, not by how the run ended: a run stopped during simulation still has a complete policy
 * (`training/_SUCCESS`), and only its simulation is marked partial.
 */
export async function publishRunOutputs(
  outputDir: string,
  access: FileAccess,
  model: CaseModel,
  result: RunResult,
  startedAt: Date,
): Promise<void> {
  const run = runInfoOf(result, {
    started_at: startedAt.toISOString(),
    completed_at: new Date().toISOString(),
    producer: `cobre-mcp ${COBRE_MCP_VERSION}`,
    stopping_mode: model.config.training.stopping_mode,
    policy_mode: model.config.policy.mode,
  });
  const writer = await RunOutputWriter.open(outputDir, access);
  try {
    const training = result.training;
    await writer.writeTraining(training.convergence, {
      stateDictionary: training.policy.state_dictionary,
      entities: caseEntities(model),
    });
    if (training.policy.stages.length > 0) {
      await writer.writePolicy(
        policyOutputOf(training, result.seed, run.producer, run.completed_at),
      );
    }
    const simulation = result.simulation;
    for (const scenario of simulation?.scenarios ?? []) {
      await writer.writeScenario(scenarioTablesOf(scenario));
    }
    const trainingStopped = training.termination_reason === "cancelled";
    await writer.commit(run, {
      training: trainingSummaryOf(
        training,
        trainingStopped ? "partial" : "complete",
        result.solver.training_wall_ms,
      ),
      ...(simulation
        ? {
          simulation: {
            status: simulation.scenarios.length === simulation.scenarios_total
              ? "complete" as const
              : "partial" as const,
            scenarios_total: simulation.scenarios_total,
            scenarios_failed: 0,
            duration_ms: result.solver.simulation_wall_ms,
          },
        }
        : {}),
    });
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
