/**
 * The host's own identity in its audit trail: `host-<uuid>`, kept in `<stateDir>/host_id` so the
 * host's events stay attributable across restarts.
 *
 * @module
 */
import { join } from "node:path";
import { CobreError, errorRecord, messageOf } from "../common/mod.ts";

const ID = /^host-[0-9a-f-]{36}$/;

/** Reads `<stateDir>/host_id`, creating it (exclusively) when missing. */
export async function loadOrCreateHostId(stateDir: string): Promise<string> {
  const path = join(stateDir, "host_id");
  try {
    await Deno.mkdir(stateDir, { recursive: true, mode: 0o700 });
    const id = `host-${crypto.randomUUID()}`;
    await Deno.writeTextFile(path, `${id}\n`, { createNew: true });
    return id;
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw unusable(stateDir, error);
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    const text = (await Deno.readTextFile(path)).trim();
    if (ID.test(text)) return text;
    // Another host may have created the file and not yet written it.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw unusable(stateDir, new Error("host_id holds no valid id"));
}

function unusable(stateDir: string, error: unknown): CobreError {
  const detail = messageOf(error);
  return new CobreError(errorRecord(
    "InternalError",
    `The host state directory "${stateDir}" cannot be used: ${detail}`,
    { state_dir: stateDir, detail },
    "Give the host a writable state directory (--host-state-dir).",
  ));
}
