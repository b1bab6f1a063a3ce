/**
 * The owner marker of a staging directory (`_STAGING.json`): written first when a writer has an
 * owner, read back as the owner (or null when it cannot be trusted), and never published.
 */
import assert from "node:assert/strict";
import { posix } from "node:path";
import { directFileAccess } from "../../src/common/mod.ts";
import {
  createStaging,
  finishRunOutput,
  leftoverKind,
  publishStaging,
  readStagingOwner,
  runInfoOf,
  RunOutputWriter,
  scenarioTablesOf,
  STAGING_MARKER,
  type StagingOwner,
  writeRunOutput,
} from "../../src/output/mod.ts";
import {
  listTree,
  SAMPLE_CONTEXT,
  sampleRunResult,
  sampleScenario,
  withTempDir,
} from "./helpers.ts";

const OWNER: StagingOwner = {
  job_id: "0123456789abcdef0123456789abcdef",
  server_id: "server-a",
  started_at: "2025-01-02T03:04:05.000Z",
};

/** Writes the sample run through `writer`, as `writeRunOutput` does, and publishes it. */
async function writeSample(writer: RunOutputWriter): Promise<void> {
  const result = sampleRunResult(2);
  for (const scenario of result.simulation?.scenarios ?? []) {
    await writer.writeScenario(scenarioTablesOf(scenario));
  }
  await finishRunOutput(writer, result, runInfoOf(result, SAMPLE_CONTEXT), {
    trainingStatus: result.status,
    ...(SAMPLE_CONTEXT.entities ? { entities: SAMPLE_CONTEXT.entities } : {}),
  });
}

Deno.test("createStaging() with an owner writes the marker, and readStagingOwner() reads it back", async () => {
  await withTempDir(async (dir) => {
    const staging = await createStaging(posix.join(dir, "output"), directFileAccess, OWNER);
    assert.deepEqual(await listTree(staging.stagingDir), [STAGING_MARKER]);
    assert.deepEqual(await readStagingOwner(staging.stagingDir, directFileAccess), OWNER);
    assert.deepEqual(staging.owner, OWNER);
  });
});

Deno.test("createStaging() without an owner writes no marker", async () => {
  await withTempDir(async (dir) => {
    const staging = await createStaging(posix.join(dir, "output"), directFileAccess);
    assert.deepEqual(await listTree(staging.stagingDir), []);
    assert.equal(await readStagingOwner(staging.stagingDir, directFileAccess), null);
  });
});

const UNTRUSTED_MARKERS: { name: string; bytes: Uint8Array | null }[] = [
  { name: "no marker", bytes: null },
  { name: "not JSON", bytes: new TextEncoder().encode("{job_id: oops") },
  { name: "not UTF-8", bytes: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) },
  { name: "a JSON array", bytes: new TextEncoder().encode('["job", "server"]') },
  {
    name: "a missing server_id",
    bytes: new TextEncoder().encode(JSON.stringify({ job_id: "a", started_at: "b" })),
  },
  {
    name: "an empty job_id",
    bytes: new TextEncoder().encode(JSON.stringify({ ...OWNER, job_id: "" })),
  },
  {
    name: "a numeric job_id",
    bytes: new TextEncoder().encode(JSON.stringify({ ...OWNER, job_id: 7 })),
  },
  {
    name: "more than 4 KiB",
    bytes: new TextEncoder().encode(JSON.stringify({ ...OWNER, padding: "x".repeat(5000) })),
  },
];

for (const { name, bytes } of UNTRUSTED_MARKERS) {
  Deno.test(`readStagingOwner() is null for a staging directory with ${name}`, async () => {
    await withTempDir(async (dir) => {
      const staging = posix.join(dir, ".output.staging-x");
      await Deno.mkdir(staging);
      if (bytes !== null) await Deno.writeFile(posix.join(staging, STAGING_MARKER), bytes);
      assert.equal(await readStagingOwner(staging, directFileAccess), null);
    });
  });
}

Deno.test("readStagingOwner() is null when the marker is a directory", async () => {
  await withTempDir(async (dir) => {
    const staging = posix.join(dir, ".output.staging-x");
    await Deno.mkdir(posix.join(staging, STAGING_MARKER), { recursive: true });
    assert.equal(await readStagingOwner(staging, directFileAccess), null);
  });
});

Deno.test("readStagingOwner() keeps only the owner's fields of a marker", async () => {
  await withTempDir(async (dir) => {
    const staging = posix.join(dir, ".output.staging-x");
    await Deno.mkdir(staging);
    await Deno.writeTextFile(
      posix.join(staging, STAGING_MARKER),
      JSON.stringify({ ...OWNER, extra: { nested: true } }),
    );
    assert.deepEqual(await readStagingOwner(staging, directFileAccess), OWNER);
  });
});

Deno.test("leftoverKind() recognises only the hidden siblings of its own target", () => {
  const cases: [string, string, "staging" | "previous" | null][] = [
    ["/case/output", ".output.staging-0a1b2c3d4e5f", "staging"],
    ["/case/output", ".output.previous-0a1b2c3d4e5f", "previous"],
    ["/case/output", ".output.staging-", null],
    ["/case/output", ".output.tmp-0a1b2c3d4e5f", null],
    ["/case/output", "output", null],
    ["/case/output", ".output2.staging-abc", null],
    ["/case/output", ".outputs.staging-abc", null],
    ["/case/output", "output.staging-abc", null],
    ["/case/other", ".output.staging-abc", null],
  ];
  for (const [target, name, expected] of cases) {
    assert.equal(leftoverKind(target, name), expected, `${target} / ${name}`);
  }
});

Deno.test("publishStaging() removes the marker before the output is published", async () => {
  await withTempDir(async (dir) => {
    const target = posix.join(dir, "output");
    const staging = await createStaging(target, directFileAccess, OWNER);
    await Deno.writeTextFile(posix.join(staging.stagingDir, "data.txt"), "payload");
    await publishStaging(staging, directFileAccess);
    assert.deepEqual(await listTree(target), ["data.txt"]);
    assert.deepEqual(await listTree(dir), ["output/data.txt"]);
  });
});

Deno.test("RunOutputWriter.open() with an owner marks staging, and the published layout is the same as without one", async () => {
  await withTempDir(async (dir) => {
    const marked = await RunOutputWriter.open(posix.join(dir, "a/output"), directFileAccess, OWNER);
    assert.deepEqual(await listTree(marked.stagingDir), [STAGING_MARKER], "the marker comes first");
    await writeSample(marked);
    // The reference: the layout `run_writer_test.ts` checks against Cobre's.
    await writeRunOutput(
      posix.join(dir, "b/output"),
      directFileAccess,
      sampleRunResult(2),
      SAMPLE_CONTEXT,
    );

    const published = await listTree(posix.join(dir, "a/output"));
    assert.ok(published.includes("training/convergence.parquet"), published.join(", "));
    assert.ok(!published.some((p) => p.endsWith(STAGING_MARKER)), published.join(", "));
    assert.deepEqual(published, await listTree(posix.join(dir, "b/output")));
    // Nothing hidden is left beside either output.
    assert.deepEqual(
      (await listTree(dir)).filter((p) => !/^[ab]\/output\//.test(p)),
      [],
    );
  });
});

Deno.test("RunOutputWriter.abort() removes a marked staging directory with its marker", async () => {
  await withTempDir(async (dir) => {
    const writer = await RunOutputWriter.open(posix.join(dir, "output"), directFileAccess, OWNER);
    await writer.writeScenario(scenarioTablesOf(sampleScenario(0)));
    await writer.abort();
    assert.deepEqual(await listTree(dir), []);
  });
});
