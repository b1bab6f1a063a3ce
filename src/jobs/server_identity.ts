/**
 * Identities that outlive the process, kept in a file of the state dir: tasks and `ref://`
 * references are bound to a server id, so a restarted server must come back under the same id to
 * serve them again; the host keeps its own id so its audit trail stays attributable.
 *
 * @module
 */
import { join } from "node:path";
import { CobreError, errorRecord, messageOf } from "../common/mod.ts";

/** Where an id is kept, how a new one is made and checked, and how an unusable one is told. */
export interface StateIdSpec {
  /** File name inside the state dir. */
  file: string;
  /** A new id is `<prefix>-<uuid>`. */
  prefix: string;
  /** What a stored id must match. */
  valid: RegExp;
  /** Mode of the state dir when this call creates it. */
  dirMode?: number;
  /** The error message, given the state dir and what went wrong. */
  message(stateDir: string, detail: string): string;
  suggestion: string;
}

/**
 * Reads `<stateDir>/<spec.file>`, creating it (exclusively, so two starting processes agree) with a
 * fresh `<prefix>-<uuid>` when missing. Throws `CobreError` when the file is unusable.
 */
export async function loadOrCreateStateId(stateDir: string, spec: StateIdSpec): Promise<string> {
  const unusable = (error: unknown): CobreError => {
    const detail = messageOf(error);
    return new CobreError(errorRecord(
      "InternalError",
      spec.message(stateDir, detail),
      { state_dir: stateDir, detail },
      spec.suggestion,
    ));
  };
  const path = join(stateDir, spec.file);
  const candidate = `${spec.prefix}-${crypto.randomUUID()}`;
  try {
    await Deno.mkdir(stateDir, {
      recursive: true,
      ...(spec.dirMode ? { mode: spec.dirMode } : {}),
    });
    await Deno.writeTextFile(path, `${candidate}\n`, { createNew: true });
    return candidate;
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw unusable(error);
  }
  let text: string;
  try {
    text = (await Deno.readTextFile(path)).trim();
    // A writer that lost the race may see the file before its content: retry briefly.
    for (let attempt = 0; text === "" && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      text = (await Deno.readTextFile(path)).trim();
    }
  } catch (error) {
    throw unusable(error);
  }
  if (!spec.valid.test(text)) throw unusable(new Error(`${spec.file} holds no valid id`));
  return text;
}

const SERVER_ID: StateIdSpec = {
  file: "server_id",
  prefix: "srv",
  valid: /^[A-Za-z0-9._-]{1,128}$/,
  message: (stateDir, detail) =>
    `The server identity in state directory "${stateDir}" cannot be used: ${detail}`,
  suggestion: "Give the server a writable state directory (--state-dir).",
};

/** The server's id in `<stateDir>/server_id` (`srv-<uuid>`), created when missing. */
export function loadOrCreateServerId(stateDir: string): Promise<string> {
  return loadOrCreateStateId(stateDir, SERVER_ID);
}
