/**
 * Real temporary trees for the sandbox tests:
 *
 * ```
 * <tmp>/allowed/case/config.json        "inside"
 * <tmp>/allowed/case/sub/deep.txt       "deep"
 * <tmp>/allowed_evil/secret.txt         "evil"    (sibling with a common prefix)
 * <tmp>/outside/secret.txt              "secret"
 * <tmp>/outside/dir/inner.txt           "inner"
 * ```
 */
import { Sandbox } from "../../src/security/mod.ts";

export interface Tree {
  /** Canonical temporary directory holding everything. */
  base: string;
  allowed: string;
  outside: string;
  sandbox: Sandbox;
}

const encoder = new TextEncoder();

/** Writes a text file, creating its parent directories. */
export async function put(path: string, text: string): Promise<void> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeFile(path, encoder.encode(text));
}

/** Runs `body` on a fresh tree and removes the tree afterwards. */
export async function withTree(body: (tree: Tree) => Promise<void>): Promise<void> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre_sandbox_" }));
  try {
    await put(`${base}/allowed/case/config.json`, "inside");
    await put(`${base}/allowed/case/sub/deep.txt`, "deep");
    await put(`${base}/allowed_evil/secret.txt`, "evil");
    await put(`${base}/outside/secret.txt`, "secret");
    await put(`${base}/outside/dir/inner.txt`, "inner");
    const sandbox = await Sandbox.create([`${base}/allowed`]);
    await body({ base, allowed: `${base}/allowed`, outside: `${base}/outside`, sandbox });
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

/** The error record a rejected promise carries (fails the test when it resolves). */
export async function refusal(
  promise: Promise<unknown>,
): Promise<{ kind: string; message: string; context: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    const record = (error as { record?: unknown }).record;
    if (record === undefined) throw error;
    return record as { kind: string; message: string; context: Record<string, unknown> };
  }
  throw new Error("expected a refusal, but the call succeeded");
}

/** Text of a file read straight from disk (not through the sandbox). */
export function readText(path: string): Promise<string> {
  return Deno.readTextFile(path);
}
