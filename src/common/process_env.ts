/**
 * The process environment as our commands read it.
 *
 * @module
 */
import { posix } from "node:path";

/** An environment variable; one this process may not read counts as unset. */
export function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * The directory the user typed the command in: `deno task` runs tasks from the config file's
 * directory and keeps the caller's one in `INIT_CWD`.
 */
export function userCwd(): string {
  const initCwd = readEnv("INIT_CWD");
  return initCwd !== undefined && posix.isAbsolute(initCwd) ? initCwd : Deno.cwd();
}
