/**
 * What a stopped run left at its output directory, read back from the manifests it published
 * (through the sandboxed file access). `tasks/result` of a cancelled `cobre/run` task reports it:
 * the task keeps its `cancelled` status (MCP Tasks), but the last completed iteration was published
 * as a partial output an agent can still inspect.
 *
 * @module
 */
import type { ReadAccess } from "../../common/mod.ts";
import { readSimulationStatus, readTrainingStatus } from "../../output/mod.ts";

/** The state of an output directory after a run was stopped. */
export interface StoppedOutput {
  /**
   * "partial": a phase was cut short (no `_SUCCESS` for it, manifest not complete); "complete":
   * every phase that ran finished; "none": no readable training manifest there.
   */
  status: "partial" | "complete" | "none";
  iterations_completed: number | null;
  termination_reason: string | null;
  /** Whether `training/_SUCCESS` exists. */
  training_success: boolean;
  /** Simulated scenarios, when a simulation manifest exists. */
  simulation: { scenarios_completed: number | null; scenarios_total: number | null } | null;
}

/** What `readStoppedOutput` reports when nothing readable is there. */
export const NO_STOPPED_OUTPUT: StoppedOutput = {
  status: "none",
  iterations_completed: null,
  termination_reason: null,
  training_success: false,
  simulation: null,
};

/** Reads what `outputDir` holds; "none" when nothing readable is there (never throws). */
export async function readStoppedOutput(
  outputDir: string,
  access: ReadAccess,
): Promise<StoppedOutput> {
  try {
    const training = await readTrainingStatus(outputDir, access);
    if (training.status === null && training.iterations_completed === null) {
      return NO_STOPPED_OUTPUT;
    }
    const simulation = await readSimulationStatus(outputDir, access);
    const simulated = simulation.status !== null;
    const complete = training.status === "complete" && training.success_marker &&
      training.termination_reason !== "cancelled" &&
      (!simulated || (simulation.status === "complete" && simulation.success_marker));
    return {
      status: complete ? "complete" : "partial",
      iterations_completed: training.iterations_completed,
      termination_reason: training.termination_reason,
      training_success: training.success_marker,
      simulation: simulated
        ? {
          scenarios_completed: simulation.scenarios_completed,
          scenarios_total: simulation.scenarios_total,
        }
        : null,
    };
  } catch {
    // Unreadable or outside the sandbox: report nothing rather than a guess.
    return NO_STOPPED_OUTPUT;
  }
}
