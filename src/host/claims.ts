/**
 * Ids a server claims about one of the host's calls (`_meta["dev.cobre/job"]`, `traceparent`)
 * compared with the host's own. The host never adopts a claim; a disagreement is evidence.
 *
 * @module
 */
import { isObject } from "../common/mod.ts";
import { JOB_META_KEY } from "./types.ts";

/** The host's ids for a call. */
export interface CallIds {
  readonly jobId: string;
  readonly traceId: string;
  readonly workflowRunId: string;
  readonly capabilityProfileId: string;
}

/** The fields of `meta` that claim something other than `ids` (empty when none do). */
export function claimMismatches(meta: unknown, ids: CallIds): string[] {
  if (!isObject(meta)) return [];
  const mismatches: string[] = [];
  const claimed = meta[JOB_META_KEY];
  if (isObject(claimed)) {
    const expected: Record<string, string> = {
      job_id: ids.jobId,
      trace_id: ids.traceId,
      workflow_run_id: ids.workflowRunId,
      capability_profile_id: ids.capabilityProfileId,
    };
    for (const [field, value] of Object.entries(expected)) {
      if (claimed[field] !== undefined && claimed[field] !== value) mismatches.push(field);
    }
  }
  const traceparent = meta.traceparent;
  if (traceparent !== undefined) {
    const traceId = typeof traceparent === "string" ? traceparent.split("-")[1] : undefined;
    if (traceId !== ids.traceId) mismatches.push("traceparent");
  }
  return mismatches;
}
