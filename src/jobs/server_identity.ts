/**
 * A server identity that outlives the process: tasks and `ref://` references are bound to a
 * server id, so a restarted server must come back under the same id to serve them again.
 *
 * @module
 */
import { join } from "node:path";
import { CobreError, errorRecord, messageOf } from "../common/mod.ts";

const ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Reads `<stateDir>/server_id`, creating it (exclusively, so two starting servers agree) with a
 * fresh `srv-<uuid>` when missing. Throws `CobreError` when the file is unusable.
 */
export async function loadOrCreateServerId(stateDir: string): Promise<string> {
  const path = join(stateDir, "server_id");
  const candidate = `srv-${crypto.randomUUID()}`;
  try {
    await Deno.mkdir(stateDir, { recursive: true });
    await Deno.writeTextFile(path, `${candidate}\n`, { createNew: true });
    return candidate;
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw identityError(stateDir, error);
  }
  let text: string;
  try {
    text = (await Deno.readTextFile(path)).trim();
  } catch (error) {
    throw identityError(stateDir, error);
  }
  // A writer that lost the race may see the file before its content: retry briefly.
  for (let attempt = 0; text === "" && attempt < 50; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    text = (await Deno.readTextFile(path)).trim();
  }
  if (!ID.test(text)) throw identityError(stateDir, new Error("server_id holds no valid id"));
  return text;
}

function identityError(stateDir: string, error: unknown): CobreError {
  const detail = messageOf(error);
  return new CobreError(errorRecord(
    "InternalError",
    `The server identity in state directory "${stateDir}" cannot be used: ${detail}`,
    { state_dir: stateDir, detail },
    "Give the server a writable state directory (--state-dir).",
  ));
}
