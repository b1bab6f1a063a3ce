import assert from "node:assert/strict";
import type { Sandbox } from "../../src/security/mod.ts";
import { type PathResolver, sandboxedFileAccess } from "../../src/security/sandboxed_access.ts";
import { put, readText, refusal, withTree } from "./support.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (value: string) => new TextEncoder().encode(value);

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A resolver that lets an "attacker" act in the window between the sandbox's check and the
 * open/create that follows it: the exact moment a real race would have to hit.
 */
function racing(
  sandbox: Sandbox,
  attack: (canonical: string) => Promise<void>,
  descriptorDir: string | null = sandbox.descriptorDir,
): PathResolver {
  return {
    locate: (path) => sandbox.locate(path),
    resolve: async (path, expect) => {
      const canonical = await sandbox.resolve(path, expect);
      await attack(canonical);
      return canonical;
    },
    resolveForWrite: async (path) => {
      const canonical = await sandbox.resolveForWrite(path);
      await attack(canonical);
      return canonical;
    },
    rootOf: (canonical) => sandbox.rootOf(canonical),
    descriptorDir,
  };
}

// --- ordinary reads -------------------------------------------------------------------------

Deno.test("access reads files, byte ranges, stats and sorted listings inside the sandbox", async () => {
  await withTree(async ({ allowed, sandbox }) => {
    const { access } = sandbox;
    assert.equal(text(await access.readFile(`${allowed}/case/config.json`)), "inside");
    const file = await access.openFile(`${allowed}/case/sub/deep.txt`);
    try {
      assert.equal(file.size, 4);
      assert.equal(text(await file.read(1, 3)), "ee");
      assert.equal(text(await file.read(2, 99)), "ep");
      assert.equal(text(await file.read(9, 12)), "");
    } finally {
      file.close();
    }
    assert.deepEqual(await access.stat(`${allowed}/case/config.json`), {
      isFile: true,
      isDirectory: false,
      size: 6,
    });
    assert.deepEqual(await access.stat(`${allowed}/case`), {
      isFile: false,
      isDirectory: true,
      size: (await Deno.stat(`${allowed}/case`)).size,
    });
    await put(`${allowed}/case/b.txt`, "");
    await put(`${allowed}/case/A.txt`, "");
    assert.deepEqual(await access.readDir(`${allowed}/case`), [
      "A.txt",
      "b.txt",
      "config.json",
      "sub",
    ]);
  });
});

Deno.test("openFile() serves concurrent range reads without mixing them up", async () => {
  await withTree(async ({ allowed, sandbox }) => {
    const content = Array.from({ length: 4096 }, (_, i) => i % 251);
    await Deno.writeFile(`${allowed}/case/blob.bin`, new Uint8Array(content));
    const file = await sandbox.access.openFile(`${allowed}/case/blob.bin`);
    try {
      const ranges = Array.from({ length: 64 }, (_, i) => [i * 61, i * 61 + 97] as const);
      const slices = await Promise.all(ranges.map(([start, end]) => file.read(start, end)));
      slices.forEach((slice, i) => {
        const [start, end] = ranges[i]!;
        assert.deepEqual([...slice], content.slice(start, end));
      });
    } finally {
      file.close();
    }
  });
});

Deno.test("stat() reports the symlink target honestly and null for nothing", async () => {
  await withTree(async ({ allowed, sandbox }) => {
    await Deno.symlink(`${allowed}/case/config.json`, `${allowed}/alias.json`);
    assert.deepEqual(await sandbox.access.stat(`${allowed}/alias.json`), {
      isFile: true,
      isDirectory: false,
      size: 6,
    });
    assert.equal(await sandbox.access.stat(`${allowed}/case/nothing`), null);
    assert.equal(await sandbox.access.stat(`${allowed}/nothing/deeper`), null);
  });
});

Deno.test("readDir() refuses a directory symlink that leads outside", async () => {
  await withTree(async ({ allowed, outside, sandbox }) => {
    await Deno.symlink(outside, `${allowed}/peek`);
    const record = await refusal(sandbox.access.readDir(`${allowed}/peek`));
    assert.equal(record.message, `Path '${allowed}/peek' is not within the allowed directories`);
    // Listing the parent shows the link's name only, never what lies behind it.
    assert.deepEqual(await sandbox.access.readDir(allowed), ["case", "peek"]);
  });
});

// --- swapped symlink race (check after open) ------------------------------------------------

// Each swap is checked both with the kernel's descriptor path (Linux) and without it (the path
// re-check that macOS, or a server without the descriptor link, relies on).
const CHECKS = [{ kernel: true }, { kernel: false }];

Deno.test("readFile() refuses a file swapped for a symlink between check and open", async () => {
  for (const { kernel } of CHECKS) {
    await withTree(async ({ allowed, outside, sandbox }) => {
      const access = sandboxedFileAccess(racing(sandbox, async (canonical) => {
        await Deno.remove(canonical);
        await Deno.symlink(`${outside}/secret.txt`, canonical);
      }, kernel ? sandbox.descriptorDir : null));
      const path = `${allowed}/case/config.json`;
      const record = await refusal(access.readFile(path));
      assert.equal(record.message, `Path '${path}' is not within the allowed directories`);
      assert.equal(record.context.reason, "changed while being opened", `kernel: ${kernel}`);
    });
  }
});

Deno.test("openFile() refuses a parent directory swapped for a symlink between check and open", async () => {
  for (const { kernel } of CHECKS) {
    await withTree(async ({ allowed, outside, sandbox }) => {
      await put(`${outside}/sub/deep.txt`, "secret");
      const access = sandboxedFileAccess(racing(sandbox, async () => {
        await Deno.rename(`${allowed}/case/sub`, `${allowed}/case/sub_moved`);
        await Deno.symlink(`${outside}/sub`, `${allowed}/case/sub`);
      }, kernel ? sandbox.descriptorDir : null));
      const path = `${allowed}/case/sub/deep.txt`;
      const record = await refusal(access.openFile(path));
      assert.equal(record.context.reason, "changed while being opened", `kernel: ${kernel}`);
      assert.equal((await refusal(access.readFile(path))).kind, "MissingFile");
    });
  }
});

Deno.test("readFile() never returns outside bytes while a parent directory is flipped concurrently", async () => {
  if (Deno.build.os !== "linux") return; // the race-proof check reads /proc/self/fd
  await withTree(async ({ allowed, outside, sandbox }) => {
    assert.equal(sandbox.raceProofReads, true);
    await put(`${allowed}/case/data.bin`, "inside");
    await put(`${outside}/data.bin`, "secret");
    const attacker = new Worker(new URL("./probe/flip_dir_worker.ts", import.meta.url), {
      type: "module",
    });
    const finished = new Promise<number>((resolve) => {
      attacker.onmessage = (event: MessageEvent<number>) => resolve(event.data);
    });
    attacker.postMessage({ dir: `${allowed}/case`, outside, milliseconds: 1500 });
    let done = false;
    const flips = finished.then((count) => {
      done = true;
      return count;
    });
    const seen = { inside: 0, secret: 0, refused: 0 };
    try {
      while (!done) {
        try {
          const content = text(await sandbox.access.readFile(`${allowed}/case/data.bin`));
          if (content === "secret") seen.secret++;
          else seen.inside++;
        } catch {
          seen.refused++;
        }
      }
    } finally {
      attacker.terminate();
    }
    assert.ok(await flips > 100, "the attacker must have been flipping during the reads");
    assert.ok(seen.refused > 0, "some reads must have met the swapped directory");
    assert.equal(seen.secret, 0, `leaked ${seen.secret} outside reads`);
  });
});

// --- planted symlinks in an output tree, for every write operation --------------------------

Deno.test("writeNewFile() creates exclusively and never writes through a planted symlink", async () => {
  await withTree(async ({ allowed, outside, sandbox }) => {
    const { access } = sandbox;
    await access.writeNewFile(`${allowed}/case/new.bin`, bytes("data"));
    assert.equal(await readText(`${allowed}/case/new.bin`), "data");
    await Deno.symlink(`${outside}/secret.txt`, `${allowed}/case/link_to_file`);
    await Deno.symlink(`${outside}/created.txt`, `${allowed}/case/dangling`);
    await Deno.symlink(outside, `${allowed}/case/link_to_dir`);
    await Deno.symlink(`${allowed}/case/sub`, `${allowed}/case/inner_link`);
    const attempts: [path: string, kind: string][] = [
      [`${allowed}/case/link_to_file`, "MissingFile"],
      [`${allowed}/case/dangling`, "MissingFile"],
      [`${allowed}/case/link_to_dir/created.txt`, "MissingFile"],
      [`${allowed}/case/inner_link/x.txt`, "PermissionDenied"],
      [`${allowed}/case/config.json`, "InvalidArgument"],
      [`${allowed}/case/new.bin`, "InvalidArgument"],
      [`${allowed}/case/missing_dir/x.txt`, "MissingFile"],
    ];
    for (const [path, kind] of attempts) {
      assert.equal((await refusal(access.writeNewFile(path, bytes("evil")))).kind, kind, path);
    }
    assert.equal(await readText(`${outside}/secret.txt`), "secret");
    assert.equal(await exists(`${outside}/created.txt`), false);
    assert.equal(await readText(`${allowed}/case/config.json`), "inside");
    assert.equal(await exists(`${allowed}/case/sub/x.txt`), false);
  });
});

Deno.test("writes accept a link above the allowed dir (an alias of it) but none below it", async () => {
  await withTree(async ({ base, allowed, sandbox }) => {
    const { access } = sandbox;
    await Deno.symlink(allowed, `${base}/alias`); // like macOS /tmp -> /private/tmp
    await access.makeDir(`${base}/alias/case/out/a`);
    await access.writeNewFile(`${base}/alias/case/out/a/x.bin`, bytes("via alias"));
    assert.equal(await readText(`${allowed}/case/out/a/x.bin`), "via alias");
    await access.rename(`${base}/alias/case/out/a/x.bin`, `${base}/alias/case/out/y.bin`);
    await access.remove(`${base}/alias/case/out`);
    assert.equal(await exists(`${allowed}/case/out`), false);

    await Deno.symlink(`${allowed}/case`, `${allowed}/case_alias`);
    const below = await refusal(access.writeNewFile(`${base}/alias/case_alias/x.bin`, bytes("x")));
    assert.equal(below.kind, "PermissionDenied");
    assert.equal(await exists(`${allowed}/case/x.bin`), false);
  });
});

Deno.test("writeNewFile() refuses a symlink planted between check and create", async () => {
  for (const { kernel } of CHECKS) {
    await withTree(async ({ allowed, outside, sandbox }) => {
      const descriptorDir = kernel ? sandbox.descriptorDir : null;
      const planted = sandboxedFileAccess(racing(sandbox, async (canonical) => {
        await Deno.symlink(`${outside}/planted.txt`, canonical);
      }, descriptorDir));
      const record = await refusal(planted.writeNewFile(`${allowed}/case/out.bin`, bytes("x")));
      assert.equal(record.kind, "InvalidArgument");
      assert.equal(await exists(`${outside}/planted.txt`), false);

      const swappedParent = sandboxedFileAccess(racing(sandbox, async () => {
        await Deno.rename(`${allowed}/case/sub`, `${allowed}/case/sub_moved`);
        await Deno.symlink(outside, `${allowed}/case/sub`);
      }, descriptorDir));
      const path = `${allowed}/case/sub/out.bin`;
      const swapped = await refusal(swappedParent.writeNewFile(path, bytes("data")));
      assert.equal(swapped.context.reason, "changed while being opened", `kernel: ${kernel}`);
      // The exclusive create may have left an empty file behind the link; no byte reached it.
      const stray = await Deno.readFile(`${outside}/out.bin`).catch(() => new Uint8Array());
      assert.equal(stray.length, 0);
    });
  }
});

Deno.test("makeDir() creates each component itself and refuses symlinked directories", async () => {
  await withTree(async ({ allowed, outside, sandbox }) => {
    const { access } = sandbox;
    await access.makeDir(`${allowed}/case/output/simulation/costs`);
    assert.ok((await Deno.lstat(`${allowed}/case/output/simulation/costs`)).isDirectory);
    await access.makeDir(`${allowed}/case/output/simulation`); // already there: fine
    await Deno.symlink(outside, `${allowed}/case/output/escape`);
    await Deno.symlink(`${allowed}/case/sub`, `${allowed}/case/output/inner`);
    await Deno.symlink(`${outside}/made`, `${allowed}/case/output/dangling`);
    const attempts: [path: string, kind: string][] = [
      [`${allowed}/case/output/escape/made`, "MissingFile"],
      [`${allowed}/case/output/escape`, "MissingFile"],
      [`${allowed}/case/output/inner/made`, "PermissionDenied"],
      [`${allowed}/case/output/dangling`, "MissingFile"],
      [`${allowed}/case/output/dangling/made`, "MissingFile"],
      [`${allowed}/case/config.json/made`, "MissingFile"],
    ];
    for (const [path, kind] of attempts) {
      assert.equal((await refusal(access.makeDir(path))).kind, kind, path);
    }
    assert.equal(await exists(`${outside}/made`), false);
    assert.equal(await exists(`${allowed}/case/sub/made`), false);
  });
});

Deno.test("makeDir() refuses a symlink planted on the way after the check", async () => {
  await withTree(async ({ allowed, outside, sandbox }) => {
    const access = sandboxedFileAccess(racing(sandbox, async () => {
      await Deno.symlink(outside, `${allowed}/case/out`);
    }));
    const record = await refusal(access.makeDir(`${allowed}/case/out/a/b`));
    assert.equal(record.kind, "PermissionDenied");
    assert.equal(await exists(`${outside}/a`), false);
  });
});

Deno.test("rename() moves only real entries between paths inside the sandbox", async () => {
  await withTree(async ({ base, allowed, outside, sandbox }) => {
    const { access } = sandbox;
    await put(`${allowed}/case/.tmp/run/result.parquet`, "result");
    await access.rename(`${allowed}/case/.tmp/run`, `${allowed}/case/output`);
    assert.equal(await readText(`${allowed}/case/output/result.parquet`), "result");

    await Deno.symlink(`${outside}/secret.txt`, `${allowed}/case/link_to_secret`);
    await Deno.symlink(outside, `${allowed}/case/link_to_dir`);
    await put(`${allowed}/case/staged.txt`, "staged");
    const attempts: [from: string, to: string][] = [
      [`${allowed}/case/link_to_secret`, `${allowed}/case/moved`], // moving a link
      [`${allowed}/case/staged.txt`, `${allowed}/case/link_to_secret`], // onto a link
      [`${allowed}/case/staged.txt`, `${allowed}/case/link_to_dir/moved`], // through a link
      [`${allowed}/case/staged.txt`, `${outside}/moved`], // outside
      [`${outside}/secret.txt`, `${allowed}/case/stolen`], // from outside
      [`${allowed}/case/staged.txt`, `${base}/allowed_evil/moved`], // sibling prefix
      [allowed, `${allowed}_moved`], // an allowed dir itself
      [`${allowed}/case/staged.txt`, allowed],
    ];
    for (const [from, to] of attempts) {
      await refusal(access.rename(from, to));
    }
    assert.equal(await readText(`${outside}/secret.txt`), "secret");
    assert.equal(await readText(`${allowed}/case/staged.txt`), "staged");
    assert.equal(await exists(`${outside}/moved`), false);
    assert.equal(await exists(`${base}/allowed_evil/moved`), false);
    assert.ok((await Deno.lstat(`${allowed}/case/link_to_secret`)).isSymlink);
  });
});

Deno.test("remove() deletes links found in a tree without following them", async () => {
  await withTree(async ({ allowed, outside, sandbox }) => {
    const { access } = sandbox;
    await put(`${allowed}/case/.tmp/a/part.parquet`, "part");
    await Deno.symlink(outside, `${allowed}/case/.tmp/a/escape_dir`);
    await Deno.symlink(`${outside}/secret.txt`, `${allowed}/case/.tmp/escape_file`);
    await access.remove(`${allowed}/case/.tmp`);
    assert.equal(await exists(`${allowed}/case/.tmp`), false);
    assert.equal(await readText(`${outside}/secret.txt`), "secret");
    assert.equal(await readText(`${outside}/dir/inner.txt`), "inner");
  });
});

Deno.test("remove() refuses links, allowed dirs themselves and anything outside", async () => {
  await withTree(async ({ allowed, outside, sandbox }) => {
    const { access } = sandbox;
    await Deno.symlink(outside, `${allowed}/escape`);
    const attempts = [
      `${allowed}/escape`,
      `${allowed}/escape/secret.txt`,
      allowed,
      `${allowed}/case/..`,
      `${outside}/secret.txt`,
      `${allowed}/../outside`,
    ];
    for (const path of attempts) await refusal(access.remove(path));
    assert.equal(await readText(`${outside}/secret.txt`), "secret");
    assert.ok((await Deno.lstat(`${allowed}/escape`)).isSymlink);
    assert.equal(await readText(`${allowed}/case/config.json`), "inside");
    assert.equal((await refusal(access.remove(`${allowed}/case/nothing`))).kind, "MissingFile");
  });
});

Deno.test("reads keep their kernel check after a permission is revoked in an --allow-all process", async () => {
  // Under -A the process may read /proc/self/fd directly, but only until any permission is
  // revoked (the recorder revokes FFI): the sandbox must use the state-dir link instead.
  const root = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(`${root}/allowed`);
    await Deno.writeTextFile(`${root}/allowed/data.txt`, "inside");
    const sandboxModule = new URL("../../src/security/mod.ts", import.meta.url).href;
    const script = `
      const { Sandbox } = await import(${JSON.stringify(sandboxModule)});
      const sandbox = await Sandbox.create([${JSON.stringify(`${root}/allowed`)}], {
        stateDir: ${JSON.stringify(`${root}/state`)},
      });
      await Deno.permissions.revoke({ name: "ffi" });
      const bytes = await sandbox.access.readFile(${JSON.stringify(`${root}/allowed/data.txt`)});
      console.log(JSON.stringify({ raceProof: sandbox.raceProofReads, text: new TextDecoder().decode(bytes) }));
    `;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["eval", script], // eval runs with --allow-all
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(output.stdout)), {
      raceProof: true,
      text: "inside",
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
