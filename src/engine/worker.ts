/**
 * Run Worker entry: trains and simulates one case per Worker so the caller's event loop stays
 * free. See `protocol.ts` for the messages and `run_client.ts` for the caller side.
 *
 * Errors leave as ErrorRecords: a CobreError's own record, anything else as `InternalError`
 * with the message only (no stack, no paths).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { errorRecord, isCobreError, messageOf } from "../common/mod.ts";
import {
  CONTROL_SLOTS,
  MAX_BATCHES_OUTSTANDING,
  type RunWorkerMessage,
  type RunWorkerRequest,
} from "./protocol.ts";
import type { SimulationScenarioResult } from "./results.ts";
import { trainAndSimulate } from "./run.ts";

/** Longest single wait for the caller; the stop flag is re-read after each. */
const CALLER_WAIT_MS = 100;

/**
 * Resolves once fewer than `MAX_BATCHES_OUTSTANDING` of the `posted` batches are unconsumed, or
 * the caller raised the stop flag. Waits asynchronously, so the Worker's event loop keeps running.
 */
async function untilCallerCatchesUp(control: Int32Array, posted: number): Promise<void> {
  for (;;) {
    const written = Atomics.load(control, CONTROL_SLOTS.batchesWritten);
    if (posted - written < MAX_BATCHES_OUTSTANDING) return;
    if (Atomics.load(control, CONTROL_SLOTS.stop) !== 0) return;
    const wait = Atomics.waitAsync(control, CONTROL_SLOTS.batchesWritten, written, CALLER_WAIT_MS);
    if (wait.async) await wait.value;
  }
}

function serve(): void {
  let started = false;
  const send = (message: RunWorkerMessage) => self.postMessage(message);
  self.onmessage = async (event: MessageEvent<RunWorkerRequest>) => {
    const request = event.data;
    if (started) return;
    started = true;
    const { control } = request;
    let posted = 0;
    // A batch stopped by the flag is still posted: the run counts it, so the caller writes it.
    const onScenarios = async (batch: SimulationScenarioResult[]) => {
      await untilCallerCatchesUp(control, posted);
      send({ type: "scenarios", batch });
      posted++;
    };
    try {
      const result = await trainAndSimulate(request.model, {
        ...request.options,
        shouldStop: () => Atomics.load(control, CONTROL_SLOTS.stop) !== 0,
        onEvent: (e) => send({ type: "event", event: e }),
        ...(request.streamScenarios ? { onScenarios } : {}),
      });
      send({ type: "result", result });
    } catch (error) {
      send({
        type: "error",
        record: isCobreError(error) ? error.record : errorRecord(
          "InternalError",
          `The engine stopped unexpectedly: ${messageOf(error)}`,
        ),
      });
    }
  };
}

serve();
