/**
 * Solver Worker entry: owns one `StageRunner` and answers executor requests (see
 * `WorkerExecutor` in `executor.ts`). After the start-up message it serves the shared channel in
 * a loop, without returning to its event loop, until the stop request.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { isCobreError, messageOf } from "../common/mod.ts";
import type { SolverWorkerFailure, SolverWorkerInit } from "./executor.ts";
import { performRequest, STOP } from "./executor.ts";
import { loadHighsRuntime } from "./lp/mod.ts";
import type { Payload } from "./shared_channel.ts";
import { SharedChannel } from "./shared_channel.ts";
import { StageRunner } from "./stage_runner.ts";
import type { WireDims } from "./wire.ts";
import { decodeRequest, encodeResult, wireDims } from "./wire.ts";

/** Performs one packed request; failures become a JSON reply carrying the error record. */
function answer(runner: StageRunner, dims: WireDims, payload: Payload): Payload {
  try {
    if (payload.kind !== "f64") throw new Error("Malformed solver request");
    const request = decodeRequest(payload.data, dims.stateDim);
    return encodeResult(request.kind, performRequest(runner, request), dims);
  } catch (error) {
    const failure: SolverWorkerFailure = {
      failure: {
        record: isCobreError(error) ? error.record : null,
        message: messageOf(error),
      },
    };
    return { kind: "json", value: failure };
  }
}

self.onmessage = async (event: MessageEvent<SolverWorkerInit>) => {
  const { setup, wasm, mode } = event.data;
  const channel = new SharedChannel(event.data.channel);
  const runner = new StageRunner(setup, await loadHighsRuntime(wasm), mode);
  const dims = wireDims(setup);
  self.postMessage("ready");
  try {
    for (let seen = 0;;) {
      const { seq, payload } = channel.takeRequest(seen);
      if (payload.kind === "json" && payload.value === STOP) break;
      seen = seq;
      channel.postReply(seq, answer(runner, dims, payload));
    }
  } finally {
    // Whatever ended the loop, a coordinator waiting for a reply must not wait forever.
    channel.close();
    runner.dispose();
    self.close();
  }
};
