/**
 * Runs the server as a child process under its least-privilege launch line, with the parent's
 * stdio inherited (the MCP traffic never passes through this process), forwarding SIGTERM and
 * SIGINT and handing back the child's exit code. This is what `deno task serve` executes, so the
 * task never runs the server itself with broad permissions.
 *
 * @module
 */

/** A command to run: the executable, its arguments and, optionally, extra environment. */
export interface ProcessSpec {
  command: string;
  args: readonly string[];
  env?: Record<string, string>;
}

const FORWARDED: Deno.Signal[] = ["SIGTERM", "SIGINT"];

/** Exit code of a child killed by `signal`, as a shell reports it (128 + signal number). */
const SIGNAL_EXIT_CODES: Partial<Record<Deno.Signal, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Runs `spec` with inherited stdio until it exits; resolves to its exit code. */
export async function runWithInheritedStdio(spec: ProcessSpec): Promise<number> {
  const child = new Deno.Command(spec.command, {
    args: [...spec.args],
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
    ...(spec.env ? { env: spec.env } : {}),
  }).spawn();
  const forwarders = FORWARDED.map((signal) => ({
    signal,
    listener: () => {
      try {
        child.kill(signal);
      } catch {
        // Already gone.
      }
    },
  }));
  for (const { signal, listener } of forwarders) Deno.addSignalListener(signal, listener);
  try {
    const status = await child.status;
    if (status.signal !== null) return SIGNAL_EXIT_CODES[status.signal] ?? 1;
    return status.code;
  } finally {
    for (const { signal, listener } of forwarders) Deno.removeSignalListener(signal, listener);
  }
}
