import assert from "node:assert/strict";
import { Sandbox } from "../../src/security/mod.ts";
import { put, refusal, type Tree, withTree } from "./support.ts";

/** Asserts the SS8.2 refusal for `path`, and that the record names nothing but that path. */
async function assertOutside(tree: Tree, path: string, call: Promise<unknown>): Promise<void> {
  const record = await refusal(call);
  assert.equal(record.kind, "MissingFile", path);
  assert.equal(record.message, `Path '${path}' is not within the allowed directories`);
  assert.equal(record.context.path, path);
  assertRevealsNothing(tree, path, record);
}

/** Apart from the caller's own string, a record mentions no directory of the test tree. */
function assertRevealsNothing(tree: Tree, given: string, record: unknown): void {
  const text = JSON.stringify(record).replaceAll(JSON.stringify(given).slice(1, -1), "");
  assert.ok(!text.includes(tree.base), `record reveals a real path: ${text}`);
  assert.ok(!/\bat \S+:\d+/.test(text), `record carries a stack trace: ${text}`);
}

// --- path traversal -------------------------------------------------------------------------

Deno.test("resolve() refuses .. sequences that climb out of an allowed dir", async () => {
  await withTree(async (tree) => {
    const attacks = [
      `${tree.allowed}/../outside/secret.txt`,
      `${tree.allowed}/case/../../outside/secret.txt`,
      `${tree.allowed}/case/sub/../../../outside/dir/inner.txt`,
      `${tree.allowed}/../../../../../../../../etc/passwd`,
      `${tree.allowed}/./.././outside`,
      `${tree.allowed}/..`,
      `${tree.allowed}/case/sub/../../..`,
    ];
    for (const path of attacks) {
      await assertOutside(tree, path, tree.sandbox.resolve(path));
      await assertOutside(tree, path, tree.sandbox.access.readFile(path));
    }
  });
});

Deno.test("resolve() accepts .. that stays inside and returns the canonical path", async () => {
  await withTree(async (tree) => {
    const canonical = await tree.sandbox.resolve(`${tree.allowed}/case/sub/../config.json`);
    assert.equal(canonical, `${tree.allowed}/case/config.json`);
    assert.equal(
      await tree.sandbox.resolve(`${tree.allowed}//case/./sub/`),
      `${tree.allowed}/case/sub`,
    );
  });
});

// --- sibling prefix -------------------------------------------------------------------------

Deno.test("resolve() refuses a sibling directory that merely shares the allowed dir's prefix", async () => {
  await withTree(async (tree) => {
    for (const path of [`${tree.base}/allowed_evil/secret.txt`, `${tree.base}/allowed_evil`]) {
      await assertOutside(tree, path, tree.sandbox.resolve(path));
      await assertOutside(tree, path, tree.sandbox.access.readFile(path));
    }
  });
});

// --- symlink escapes ------------------------------------------------------------------------

Deno.test("resolve() refuses symlinks that lead outside: file, dir, nested, chained", async () => {
  await withTree(async (tree) => {
    const links: [link: string, target: string, probe: string][] = [
      ["file_link", `${tree.outside}/secret.txt`, "file_link"],
      ["dir_link", tree.outside, "dir_link/secret.txt"],
      ["dir_link_only", tree.outside, "dir_link_only"],
      ["case/sub/nested_link", "../../../outside/dir", "case/sub/nested_link/inner.txt"],
      ["relative_link", "../outside/secret.txt", "relative_link"],
      ["sibling_link", "../allowed_evil/secret.txt", "sibling_link"],
      ["root_link", "/", "root_link/etc/passwd"],
    ];
    for (const [link, target] of links) await Deno.symlink(target, `${tree.allowed}/${link}`);
    // A chain whose first hop stays inside and whose last hop leaves.
    await Deno.symlink(`${tree.allowed}/file_link`, `${tree.allowed}/case/chain`);
    for (const probe of [...links.map(([, , p]) => p), "case/chain"]) {
      const path = `${tree.allowed}/${probe}`;
      await assertOutside(tree, path, tree.sandbox.resolve(path));
      await assertOutside(tree, path, tree.sandbox.access.readFile(path));
      await assertOutside(tree, path, tree.sandbox.access.stat(path));
    }
  });
});

Deno.test("resolve() refuses dangling symlinks, wherever they point", async () => {
  await withTree(async (tree) => {
    await Deno.symlink(`${tree.outside}/not_there`, `${tree.allowed}/dangling_out`);
    await Deno.symlink(`${tree.outside}/secret.txt`, `${tree.allowed}/not_dangling_out`);
    await Deno.symlink("case/not_yet", `${tree.allowed}/dangling_in`);
    for (const name of ["dangling_out", "not_dangling_out", "dangling_in"]) {
      const path = `${tree.allowed}/${name}`;
      // The same answer whether or not the outside target exists: no existence oracle.
      await assertOutside(tree, path, tree.sandbox.resolve(path));
      await assertOutside(tree, path, tree.sandbox.access.stat(path));
      await assertOutside(tree, path, tree.sandbox.resolveForCreate(path));
      await assertOutside(tree, `${path}/child`, tree.sandbox.resolveForCreate(`${path}/child`));
    }
  });
});

Deno.test("resolve() refuses symlink loops without hanging", async () => {
  await withTree(async (tree) => {
    await Deno.symlink(`${tree.allowed}/loop_b`, `${tree.allowed}/loop_a`);
    await Deno.symlink(`${tree.allowed}/loop_a`, `${tree.allowed}/loop_b`);
    await Deno.symlink("self", `${tree.allowed}/self`);
    for (const probe of ["loop_a", "loop_b/x", "self", "self/self"]) {
      const path = `${tree.allowed}/${probe}`;
      await assertOutside(tree, path, tree.sandbox.resolve(path));
      await assertOutside(tree, path, tree.sandbox.resolveForCreate(path));
    }
  });
});

Deno.test("resolve() follows symlinks that stay inside and returns their target", async () => {
  await withTree(async (tree) => {
    await Deno.symlink(`${tree.allowed}/case`, `${tree.allowed}/case_alias`);
    await Deno.symlink("case/config.json", `${tree.allowed}/config_alias`);
    assert.equal(
      await tree.sandbox.resolve(`${tree.allowed}/case_alias/sub/deep.txt`, "file"),
      `${tree.allowed}/case/sub/deep.txt`,
    );
    assert.equal(
      await tree.sandbox.resolve(`${tree.allowed}/config_alias`, "file"),
      `${tree.allowed}/case/config.json`,
    );
  });
});

Deno.test("Sandbox.create() resolves a symlinked allowed dir once, to its real location", async () => {
  await withTree(async (tree) => {
    await Deno.symlink(`${tree.allowed}/case`, `${tree.base}/case_link`);
    const sandbox = await Sandbox.create([`${tree.base}/case_link`]);
    assert.deepEqual(sandbox.roots, [`${tree.allowed}/case`]);
    // Both the alias and the real path reach the same canonical file.
    assert.equal(
      await sandbox.resolve(`${tree.base}/case_link/config.json`),
      `${tree.allowed}/case/config.json`,
    );
    assert.equal(
      await sandbox.resolve(`${tree.allowed}/case/config.json`),
      `${tree.allowed}/case/config.json`,
    );
    // Re-pointing the link later does not move the sandbox.
    await Deno.remove(`${tree.base}/case_link`);
    await Deno.symlink(tree.outside, `${tree.base}/case_link`);
    const path = `${tree.base}/case_link/secret.txt`;
    const record = await refusal(sandbox.resolve(path));
    assert.equal(record.message, `Path '${path}' is not within the allowed directories`);
    assert.ok(!JSON.stringify(record).includes(`${tree.allowed}/case`));
  });
});

// --- missing paths, kinds, creation ---------------------------------------------------------

Deno.test("resolve() says 'does not exist' only for missing paths inside the sandbox", async () => {
  await withTree(async (tree) => {
    const inside = `${tree.allowed}/case/missing.json`;
    const record = await refusal(tree.sandbox.resolve(inside));
    assert.deepEqual(record, {
      kind: "MissingFile",
      message: `Path '${inside}' does not exist`,
      context: { path: inside },
      suggestion: "Check the path for typos; it must name an existing file or directory.",
    });
    assert.equal(await tree.sandbox.locate(inside), null);
    assert.equal(await tree.sandbox.access.stat(inside), null);
    for (const path of [`${tree.outside}/missing.json`, `${tree.outside}/secret.txt`]) {
      await assertOutside(tree, path, tree.sandbox.resolve(path));
      await assertOutside(tree, path, tree.sandbox.locate(path));
    }
  });
});

Deno.test("resolve() checks the expected kind of entry", async () => {
  await withTree(async (tree) => {
    const file = `${tree.allowed}/case/config.json`;
    const dir = `${tree.allowed}/case`;
    assert.equal(await tree.sandbox.resolve(file, "file"), file);
    assert.equal(await tree.sandbox.resolve(dir, "dir"), dir);
    assert.equal(
      (await refusal(tree.sandbox.resolve(file, "dir"))).message,
      `Path '${file}' is not a directory`,
    );
    assert.equal(
      (await refusal(tree.sandbox.resolve(dir, "file"))).message,
      `Path '${dir}' is not a file`,
    );
  });
});

Deno.test("resolveForCreate() canonicalises the existing ancestor and keeps the new names", async () => {
  await withTree(async (tree) => {
    await Deno.symlink(`${tree.allowed}/case`, `${tree.allowed}/case_alias`);
    assert.equal(
      await tree.sandbox.resolveForCreate(`${tree.allowed}/case/out/a/b.parquet`),
      `${tree.allowed}/case/out/a/b.parquet`,
    );
    assert.equal(
      await tree.sandbox.resolveForCreate(`${tree.allowed}/case_alias/out/`),
      `${tree.allowed}/case/out`,
    );
    await Deno.symlink(tree.outside, `${tree.allowed}/out_link`);
    for (const path of [`${tree.allowed}/out_link/new`, `${tree.allowed}/out_link/a/b/c`]) {
      await assertOutside(tree, path, tree.sandbox.resolveForCreate(path));
    }
    for (
      const path of [
        `${tree.allowed}/new/..`,
        `${tree.allowed}/new/../../outside`,
        `${tree.allowed}/new/.`,
      ]
    ) {
      await assertOutside(tree, path, tree.sandbox.resolveForCreate(path));
    }
  });
});

Deno.test("Sandbox.create() refuses missing directories and files as allowed dirs", async () => {
  await withTree(async (tree) => {
    const missing = await refusal(Sandbox.create([`${tree.base}/nope`]));
    assert.equal(missing.kind, "MissingFile");
    const file = await refusal(Sandbox.create([`${tree.allowed}/case/config.json`]));
    assert.equal(file.kind, "MissingFile");
    assert.equal((await refusal(Sandbox.create([]))).kind, "InvalidArgument");
  });
});

Deno.test("Sandbox.create() de-duplicates roots and contains() checks canonical paths", async () => {
  await withTree(async (tree) => {
    const sandbox = await Sandbox.create([
      tree.allowed,
      `${tree.allowed}/`,
      `${tree.allowed}/case/..`,
    ]);
    assert.deepEqual(sandbox.roots, [tree.allowed]);
    assert.equal(sandbox.contains(`${tree.allowed}/anything`), true);
    assert.equal(sandbox.contains(`${tree.base}/allowed_evil`), false);
    assert.equal(sandbox.contains(`${tree.allowed}/../outside`), false);
  });
});

// --- malformed strings, encodings -----------------------------------------------------------

Deno.test("resolve() refuses empty, relative and null-byte paths, saying why", async () => {
  await withTree(async (tree) => {
    const cases: [path: string, reason: string][] = [
      ["", "empty path"],
      ["case/config.json", "relative path"],
      ["./case", "relative path"],
      ["../outside/secret.txt", "relative path"],
      [`${tree.allowed}/case/config.json\0`, "contains a null byte"],
      [`${tree.allowed}/case\0/../../outside/secret.txt`, "contains a null byte"],
      [`${tree.allowed}/\uD800`, "not well-formed Unicode"],
    ];
    for (const [path, reason] of cases) {
      for (const call of [tree.sandbox.resolve(path), tree.sandbox.resolveForCreate(path)]) {
        const record = await refusal(call);
        assert.equal(record.message, `Path '${path}' is not within the allowed directories`);
        assert.deepEqual(record.context, { path, reason });
      }
    }
  });
});

Deno.test("resolve() takes percent-encoded names literally, never decoding them", async () => {
  await withTree(async (tree) => {
    const encoded = `${tree.allowed}/case/%2e%2e/%2e%2e/outside/secret.txt`;
    assert.equal(
      (await refusal(tree.sandbox.resolve(encoded))).message,
      `Path '${encoded}' does not exist`,
    );
    await put(`${tree.allowed}/case/%2e%2e/literal.txt`, "literal");
    await put(`${tree.allowed}/case/a%2Fb.txt`, "slash");
    assert.equal(
      await tree.sandbox.resolve(`${tree.allowed}/case/%2e%2e/literal.txt`),
      `${tree.allowed}/case/%2e%2e/literal.txt`,
    );
    const text = new TextDecoder().decode(
      await tree.sandbox.access.readFile(`${tree.allowed}/case/a%2Fb.txt`),
    );
    assert.equal(text, "slash");
  });
});

Deno.test("resolve() keeps unusual but valid names exactly as given", async () => {
  await withTree(async (tree) => {
    const names = [
      "caf\u00e9.json", // NFC
      "cafe\u0301.json", // NFD: a different file on Linux
      "\u{1F600} emoji",
      "line\nbreak",
      'quote\'d "name"',
      "back\\slash",
      "...",
      " leading and trailing ",
    ];
    for (const name of names) {
      await put(`${tree.allowed}/case/${name}`, name);
      assert.equal(
        await tree.sandbox.resolve(`${tree.allowed}/case/${name}`),
        `${tree.allowed}/case/${name}`,
      );
    }
  });
});

Deno.test("resolve() never maps a non-UTF-8 name on disk to another file", async () => {
  await withTree(async (tree) => {
    if (Deno.build.os !== "linux") return; // macOS refuses invalid UTF-8 names outright
    const dir = `${tree.allowed}/case`;
    // Deno paths are strings, so the byte 0xFF can only be written by another program.
    const made = await new Deno.Command("sh", {
      args: ["-c", `printf secret > "$(printf '${dir}/bad\\377name')"`],
    }).output();
    assert.equal(made.code, 0);
    const listed = await tree.sandbox.access.readDir(dir);
    const lossy = listed.find((name) => name.startsWith("bad"));
    assert.equal(lossy, "bad\uFFFDname");
    const record = await refusal(tree.sandbox.access.readFile(`${dir}/${lossy}`));
    assert.equal(record.message, `Path '${dir}/${lossy}' does not exist`);
  });
});
