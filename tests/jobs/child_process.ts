/** Spawns a Deno child running `script` and resolves with it once it printed its first line. */
export interface ReadyChild {
  readonly child: Deno.ChildProcess;
  readonly firstLine: string;
}

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** Starts `deno run -A <script> ...args` and waits for its first stdout line. */
export async function spawnReady(script: URL, args: string[]): Promise<ReadyChild> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-worker-options", "--config", CONFIG, script.pathname, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) {
      const err = await new Response(child.stderr).text();
      throw new Error(`child exited before it was ready: ${err}`);
    }
    text += value;
  }
  reader.releaseLock();
  child.stderr.cancel();
  return { child, firstLine: text.split("\n")[0]! };
}

/** Kills the child with SIGKILL (no cleanup runs) and waits until it is gone. */
export async function killHard(child: Deno.ChildProcess): Promise<void> {
  child.kill("SIGKILL");
  await child.status;
  await child.stdout.cancel().catch(() => {});
}
