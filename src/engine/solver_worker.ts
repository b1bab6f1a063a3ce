/**
 * Solver Worker entry: owns one `StageRunner` and answers executor requests
 * (see `WorkerExecutor` in `executor.ts`).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { isCobreError } from "../common/mod.ts";
import type { SolverWorkerMessage, SolverWorkerReply } from "./executor.ts";
import { performRequest } from "./executor.ts";
import { loadHighsRuntime } from "./lp/mod.ts";
import { StageRunner } from "./stage_runner.ts";
import type { WireDims } from "./wire.ts";
import { packResult, unpackRequest } from "./wire.ts";

function serve(): void {
  let runner: StageRunner | null = null;
  let dims: WireDims = { stages: 0, stateDim: 0 };
  const reply = (message: SolverWorkerReply) => self.postMessage(message);
  self.onmessage = async (event: MessageEvent<SolverWorkerMessage>) => {
    const message = event.data;
    if (message.type === "init") {
      const highs = await loadHighsRuntime(message.wasm);
      runner = new StageRunner(message.setup, highs, message.mode);
      dims = { stages: message.setup.stages.length, stateDim: message.setup.stateDim };
      reply({ type: "ready" });
      return;
    }
    try {
      if (runner === null) throw new Error("Solver worker used before init");
      const request = unpackRequest(message.request, dims.stateDim);
      const { data, transfer } = packResult(request.kind, performRequest(runner, request), dims);
      self.postMessage({ type: "result", id: message.id, result: data } as SolverWorkerReply, {
        transfer,
      });
    } catch (error) {
      reply({
        type: "error",
        id: message.id,
        record: isCobreError(error) ? error.record : null,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  };
}

serve();
