/**
 * The host's own identity in its audit trail: `host-<uuid>`, kept in `<stateDir>/host_id` so the
 * host's events stay attributable across restarts.
 *
 * @module
 */
import { loadOrCreateStateId, type StateIdSpec } from "../jobs/mod.ts";

const HOST_ID: StateIdSpec = {
  file: "host_id",
  prefix: "host",
  valid: /^host-[0-9a-f-]{36}$/,
  dirMode: 0o700,
  message: (stateDir, detail) => `The host state directory "${stateDir}" cannot be used: ${detail}`,
  suggestion: "Give the host a writable state directory (--host-state-dir).",
};

/** Reads `<stateDir>/host_id`, creating it (exclusively) when missing. */
export function loadOrCreateHostId(stateDir: string): Promise<string> {
  return loadOrCreateStateId(stateDir, HOST_ID);
}
