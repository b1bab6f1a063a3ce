/**
 * The repository's `deno bench` files (`tests/**\/*_bench.ts`: case loading, sandbox, recorder,
 * resources, server, host), run from the bench command so one command shows every figure.
 * Deno prints its own table (time per iteration, min/max, p75/p99).
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** The bench files under `tests/`, sorted. */
export async function benchFiles(): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith("_bench.ts")) files.push(path);
    }
  };
  await walk(`${REPO}tests`);
  return files.sort();
}

/** Runs `deno bench` on every bench file with this terminal's output; resolves to its code. */
export async function runMicroBenchmarks(): Promise<number> {
  const files = await benchFiles();
  const status = await new Deno.Command(Deno.execPath(), {
    args: ["bench", "-A", "--unstable-worker-options", "--config", `${REPO}deno.json`, ...files],
    cwd: REPO,
    stdout: "inherit",
    stderr: "inherit",
  }).spawn().status;
  return status.code;
}
