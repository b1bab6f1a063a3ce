/** Shared helpers for recorder tests (not a test file). */

/** Runs `fn` with a fresh temporary state directory, removed afterwards. */
export async function withStateDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "recorder_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The repo's deno.json, so child processes resolve the same pinned npm packages. */
export const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A child Deno process started with exactly `flags`, and its first stdout line. */
export interface Child {
  readonly process: Deno.ChildProcess;
  readonly firstLine: string;
}

/** Starts `deno run <flags> <script> <args>` and waits for its first stdout line. */
export async function spawnChild(flags: string[], script: URL, args: string[]): Promise<Child> {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "--config", CONFIG, ...flags, script.pathname, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) {
      const err = await new Response(process.stderr).text();
      throw new Error(`child exited before printing: ${err}`);
    }
    text += value;
  }
  reader.releaseLock();
  await process.stderr.cancel();
  return { process, firstLine: text.split("\n")[0]! };
}

/** SIGKILLs a child (no cleanup of any kind runs) and waits until it is gone. */
export async function killHard(process: Deno.ChildProcess): Promise<void> {
  process.kill("SIGKILL");
  await process.status;
  await process.stdout.cancel().catch(() => {});
}
