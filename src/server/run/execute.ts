/**
 * One `cobre/run` from arguments to published outputs:
 *
 * 1. take the process's run slot (`Busy` if another run holds it);
 * 2. resolve the case directory through the sandbox and load it; a case validation rejects never
 *    reaches the engine;
 * 3. remove what killed runs of this server left beside the output (`leftovers.ts`), open the
 *    output's staging directory (marked with the run's job), then run the engine in a sandboxed
 *    Worker, turning its events into progress and writing each simulation batch as it arrives
 *    (`outputs.ts`);
 * 4. write training and policy, publish the outputs atomically and return the SS2.2 summary.
 *    Any failure removes the staging directory; nothing half-written is ever published.
 *
 * Stopping: the call's signal (client cancel, connection closed, server shutdown) and the
 * coordinator (client disconnected) both ask the engine to stop at the next iteration boundary.
 * The engine then returns the policy of the last completed iteration, which is published with
 * `status: "partial"` and no `_SUCCESS` for the interrupted phase.
 *
 * @module
 */
import { CobreError, errorRecord, isCobreError, type JsonValue } from "../../common/mod.ts";
import type { RunHandle, RunResult } from "../../engine/mod.ts";
import type { ToolContext } from "../types.ts";
import { loadValidCase, runOutputDir, type RunPhases, selectPhases } from "./case_input.ts";
import type { RunCoordinator } from "./coordinator.ts";
import { startEngine } from "./engine_worker.ts";
import { sweepRunLeftovers } from "./leftovers.ts";
import { RunOutputStream } from "./outputs.ts";
import { iterationBound, RunProgressScale } from "./progress.ts";
import { ProgressQueue } from "./progress_queue.ts";
import { type RunSummary, runSummary } from "./summary.ts";

/** `cobre/run` arguments after schema validation. */
export interface RunArgs {
  case_dir: string;
  phases?: RunPhases;
}

/** What the run needs beyond the call's context. */
export interface RunEnvironment {
  coordinator: RunCoordinator;
  /** LP-solving threads per run (default "auto": the engine sizes it by the case). */
  workers?: number | "auto";
}

function stoppedBeforeStart(reason: string): CobreError {
  return new CobreError(errorRecord(
    "Cancelled",
    `cobre/run was stopped before training started: ${reason}.`,
    { reason },
    null,
  ));
}

function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : "the request was cancelled";
}

/** Waits for the engine, stopping it when the call is aborted or the process asks. */
async function awaitEngine(
  handle: RunHandle,
  signal: AbortSignal,
  onStop: (stop: () => void) => void,
): Promise<RunResult> {
  const stop = () => handle.cancel();
  onStop(stop);
  if (signal.aborted) stop();
  else signal.addEventListener("abort", stop, { once: true });
  try {
    return await handle.result;
  } finally {
    signal.removeEventListener("abort", stop);
  }
}

/**
 * Any failure to write the outputs is `CheckpointFailed` (spec SS2.2), with the sandbox's or file
 * system's own record as `context.cause`. Raw errors are reduced to their name (their messages
 * may name paths outside the sandbox). A read-only runtime stays `WriteDisabled`.
 */
function checkpointFailed(error: unknown): CobreError {
  if (isCobreError(error) && error.record.kind === "WriteDisabled") return error;
  const cause: JsonValue = isCobreError(error)
    ? { kind: error.record.kind, message: error.record.message }
    : { error: error instanceof Error ? error.name : "unknown" };
  return new CobreError(errorRecord(
    "CheckpointFailed",
    "The run's outputs could not be written, so the run was stopped; nothing was published.",
    { cause },
    "Check free space and permissions of the case directory, then run again.",
  ));
}

/** Runs `write`, turning its failure into `checkpointFailed`. */
async function writeOrExplain<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw checkpointFailed(error);
  }
}

/** Runs `args` to completion (or to a partial result when stopped); see the module doc. */
export async function executeRun(
  args: RunArgs,
  ctx: ToolContext,
  env: RunEnvironment,
): Promise<RunSummary> {
  const lease = env.coordinator.begin({ sessionId: ctx.sessionId, requestId: ctx.requestId });
  try {
    const caseDir = await ctx.sandbox.resolve(args.case_dir, "dir");
    // The job row gets the canonical directories, not the argument as the client spelled it.
    ctx.describeJob({ case_dir: caseDir });
    const model = await loadValidCase(caseDir, ctx.sandbox.access);
    const phases = selectPhases(args.phases, model);
    const outputDir = await runOutputDir(ctx.sandbox, caseDir);
    ctx.describeJob({ output_dir: outputDir });
    if (ctx.signal.aborted) throw stoppedBeforeStart(reasonOf(ctx.signal));
    if (lease.stopReason !== null) throw stoppedBeforeStart(lease.stopReason);

    const startedAt = new Date();
    const training = model.config.training;
    const scale = new RunProgressScale(
      iterationBound(training.stopping_rules, training.stopping_mode),
    );
    const progress = new ProgressQueue((update) => ctx.sendProgress(update));
    // Under the run slot: no other run of this process is writing beside this output now.
    await sweepRunLeftovers(outputDir, ctx);
    const owner = ctx.jobId === null
      ? undefined
      : { job_id: ctx.jobId, server_id: ctx.serverId, started_at: startedAt.toISOString() };
    const output = await writeOrExplain(() =>
      RunOutputStream.open(outputDir, ctx.sandbox.access, owner)
    );
    try {
      const handle = await startEngine(
        model,
        { phases, ...(env.workers !== undefined ? { workers: env.workers } : {}) },
        {
          onEvent: (event) => {
            const update = scale.map(event);
            if (update !== null) progress.push(update);
          },
          // A failed write makes the engine stop and the handle reject (run_client.ts).
          onScenarios: (batch) => output.writeScenarios(batch),
        },
      );
      const result = await awaitEngine(
        handle,
        ctx.signal,
        (stop) =>
          lease.onStop((reason) => {
            ctx.logger.log(
              "notice",
              `cobre/run stopping at the next iteration boundary: ${reason}`,
            );
            stop();
          }),
      ).catch((error: unknown) => {
        throw output.failure === null ? error : checkpointFailed(output.failure.error);
      });
      await progress.flush();
      await writeOrExplain(() => output.publish(model, result, startedAt));
      return runSummary(result, outputDir, phases, {
        scenarios: output.scenariosWritten,
        output_files: output.simulationTables,
      });
    } catch (error) {
      // The error that stopped the run is the one to report, not a failure to clean up after it.
      await output.abort().catch(() => {});
      throw error;
    }
  } finally {
    lease.release();
  }
}
