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
import { errorRecord, isCobreError } from "../common/mod.ts";
import type { RunWorkerMessage, RunWorkerRequest } from "./protocol.ts";
import { trainAndSimulate } from "./run.ts";

function serve(): void {
  let cancelled = false;
  let started = false;
  const send = (message: RunWorkerMessage) => self.postMessage(message);
  self.onmessage = async (event: MessageEvent<RunWorkerRequest>) => {
    const request = event.data;
    if (request.type === "cancel") {
      cancelled = true;
      return;
    }
    if (started) return;
    started = true;
    try {
      const result = await trainAndSimulate(request.model, {
        ...request.options,
        shouldStop: () => cancelled || Atomics.load(request.stop, 0) !== 0,
        onEvent: (e) => send({ type: "event", event: e }),
      });
      send({ type: "result", result });
    } catch (error) {
      send({
        type: "error",
        record: isCobreError(error) ? error.record : errorRecord(
          "InternalError",
          `The engine stopped unexpectedly: ${
            error instanceof Error ? error.message : String(error)
          }`,
        ),
      });
    }
  };
}

serve();
