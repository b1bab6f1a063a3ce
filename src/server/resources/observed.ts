/**
 * Running a catalog request (resources, prompts, completions) through the observers: they admit
 * it (the Gate), hear how it ended with the error record of any failure (the Flight Recorder),
 * and the client gets either the result or a JSON-RPC error carrying that record.
 *
 * @module
 */
import type { ErrorRecord } from "../../common/mod.ts";
import type { ObservedRequest, RequestCompletion } from "../observer.ts";
import type { Extra, ServerCore } from "../server.ts";
import { failureRecord, recordError } from "./errors.ts";

/** A failure carried out of the observed section as a value (a class: results never match it). */
class Failed {
  constructor(readonly record: ErrorRecord) {}
}

function ended(
  outcome: "ok" | "tool-error",
  error: ErrorRecord | null,
  request: ObservedRequest,
): RequestCompletion {
  return { outcome, error, durationMs: Date.now() - request.receivedAtMs };
}

/**
 * Runs `run` as the observed request `method`. A throw (or a denial) becomes the record
 * observers hear and the JSON-RPC error the client gets (see `errors.ts` for the codes).
 */
export async function observeRecorded<T>(
  core: ServerCore,
  method: string,
  extra: Extra,
  run: () => Promise<T>,
  details: Pick<ObservedRequest, "resourcePaths" | "promptName"> = {},
): Promise<T> {
  const result = await core.observe<T | Failed>(
    method,
    extra,
    null,
    async (request) => {
      try {
        return { value: await run(), completion: ended("ok", null, request) };
      } catch (error) {
        const record = failureRecord(error, method, core.log);
        return { value: new Failed(record), completion: ended("tool-error", record, request) };
      }
    },
    (record) => new Failed(record),
    details,
  );
  if (result instanceof Failed) throw recordError(result.record, method);
  return result;
}
