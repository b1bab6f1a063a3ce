import assert from "node:assert/strict";
import { MAX_COMPLETIONS } from "../../src/server/mod.ts";
import { makeWorkspace, openSession, recordingSandbox, rejection } from "./catalog_helpers.ts";

const CONFIG = { type: "ref/resource" as const, uri: "cobre://case/{case_dir}/config" };
const ENTITIES = {
  type: "ref/resource" as const,
  uri: "cobre://case/{case_dir}/entities/{entity_type}",
};
const SCENARIOS = {
  type: "ref/resource" as const,
  uri: "cobre://case/{case_dir}/scenarios/{entity_id}",
};
const RESULTS = {
  type: "ref/resource" as const,
  uri: "cobre://output/{output_dir}/results/{entity_type}",
};
const prompt = (name: string) => ({ type: "ref/prompt" as const, name });

/** A workspace whose allowed dir holds directories, a file, hidden entries and two links. */
async function treeWorkspace() {
  const ws = await makeWorkspace();
  for (const dir of ["case-a", "case-b", ".hidden", "other"]) {
    await Deno.mkdir(`${ws.allowed}/${dir}`);
  }
  await Deno.writeTextFile(`${ws.allowed}/case-file.txt`, "not a directory");
  await Deno.symlink(`${ws.outside}/case`, `${ws.allowed}/case-link-out`);
  await Deno.symlink(`${ws.allowed}/case-a`, `${ws.allowed}/case-link-in`);
  return ws;
}

Deno.test("case_dir completes to directories inside the sandbox, never through a link out", async () => {
  await using ws = await treeWorkspace();
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    const complete = async (value: string) =>
      (await session.client.complete({ ref: CONFIG, argument: { name: "case_dir", value } }))
        .completion;
    assert.deepEqual((await complete(`${ws.allowed}/case`)).values, [
      `${ws.allowed}/case`,
      `${ws.allowed}/case-a`,
      `${ws.allowed}/case-b`,
      `${ws.allowed}/case-link-in`,
    ]);
    const all = await complete(`${ws.allowed}/`);
    assert.deepEqual(all.values, [
      `${ws.allowed}/case`,
      `${ws.allowed}/case-a`,
      `${ws.allowed}/case-b`,
      `${ws.allowed}/case-link-in`,
      `${ws.allowed}/other`,
      `${ws.allowed}/output`,
    ]);
    assert.equal(all.total, 6);
    assert.equal(all.hasMore, false);
    assert.deepEqual((await complete(`${ws.allowed}/.`)).values, [`${ws.allowed}/.hidden`]);
    // Outside the sandbox, only allowed roots that start with the text are offered.
    assert.deepEqual((await complete("/")).values, [ws.allowed]);
    assert.deepEqual((await complete(ws.root)).values, [ws.allowed]);
    assert.deepEqual((await complete(`${ws.outside}/`)).values, []);
    assert.deepEqual((await complete(`${ws.allowed}/case-link-out/`)).values, []);
    assert.deepEqual((await complete(`${ws.allowed}/../outside/`)).values, []);
    assert.deepEqual((await complete("relative")).values, []);
    // A percent-encoded value (as typed into a URI) is decoded once.
    assert.deepEqual(
      (await complete(encodeURIComponent(`${ws.allowed}/case-`))).values,
      [`${ws.allowed}/case-a`, `${ws.allowed}/case-b`, `${ws.allowed}/case-link-in`],
    );
  } finally {
    await session.close();
  }
});

Deno.test("directory completions stop at 100 values and say there are more", async () => {
  await using ws = await makeWorkspace();
  for (let i = 0; i < 150; i++) {
    await Deno.mkdir(`${ws.allowed}/run-${String(i).padStart(3, "0")}`);
  }
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    const { completion } = await session.client.complete({
      ref: prompt("cobre/diagnose-convergence"),
      argument: { name: "output_dir", value: `${ws.allowed}/run-` },
    });
    assert.equal(completion.values.length, MAX_COMPLETIONS);
    assert.equal(completion.hasMore, true);
    assert.equal(completion.values[0], `${ws.allowed}/run-000`);
    assert.equal(completion.values[99], `${ws.allowed}/run-099`);
  } finally {
    await session.close();
  }
});

Deno.test("entity_type completes from each template's own list", async () => {
  await using ws = await makeWorkspace();
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    const values = async (ref: typeof ENTITIES, value: string) =>
      (await session.client.complete({ ref, argument: { name: "entity_type", value } }))
        .completion.values;
    assert.deepEqual(await values(ENTITIES, ""), [
      "hydros",
      "thermals",
      "buses",
      "lines",
      "contracts",
    ]);
    assert.deepEqual(await values(ENTITIES, "TH"), ["thermals"]);
    assert.ok((await values(RESULTS, "")).includes("costs"));
    assert.deepEqual(await values(RESULTS, "c"), ["costs", "contracts"]);
  } finally {
    await session.close();
  }
});

Deno.test("entity_id completes hydro names and ids of the case in the context", async () => {
  await using ws = await makeWorkspace();
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    const complete = async (value: string, context?: Record<string, string>) =>
      (await session.client.complete({
        ref: SCENARIOS,
        argument: { name: "entity_id", value },
        ...(context ? { context: { arguments: context } } : {}),
      })).completion.values;
    const caseDir = { case_dir: `${ws.allowed}/case` };
    assert.deepEqual(await complete("", caseDir), ["DOWNSTREAM", "UPSTREAM", "0", "1"]);
    assert.deepEqual(await complete("up", caseDir), ["UPSTREAM"]);
    assert.deepEqual(await complete(""), []);
    // A case outside the sandbox yields nothing, not its names.
    assert.deepEqual(await complete("", { case_dir: `${ws.outside}/case` }), []);
  } finally {
    await session.close();
  }
});

Deno.test("prompt arguments complete: entity types, metrics of the chosen type, list tails", async () => {
  await using ws = await makeWorkspace();
  await Deno.mkdir(`${ws.allowed}/output-2`);
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    const complete = async (
      name: string,
      argument: string,
      value: string,
      context: Record<string, string> = {},
    ) =>
      (await session.client.complete({
        ref: prompt(name),
        argument: { name: argument, value },
        context: { arguments: context },
      })).completion.values;
    assert.deepEqual(await complete("cobre/explain-results", "entity_type", "b"), ["buses"]);
    assert.deepEqual(
      await complete("cobre/explain-results", "metric", "sp", { entity_type: "buses" }),
      ["spot_price"],
    );
    assert.deepEqual(
      await complete("cobre/explain-results", "metric", "stor", { entity_type: "hydros" }),
      ["storage", "storage_initial_hm3", "storage_final_hm3", "storage_violation_below_hm3"],
    );
    assert.deepEqual(
      await complete(
        "cobre/compare-runs",
        "output_dirs",
        `${ws.allowed}/output, ${ws.allowed}/out`,
      ),
      [
        `${ws.allowed}/output, ${ws.allowed}/output`,
        `${ws.allowed}/output, ${ws.allowed}/output-2`,
      ],
    );
    assert.deepEqual(await complete("cobre/setup-study", "description", "a"), []);
    // The portable form of a prompt name works as a reference too.
    assert.deepEqual(await complete("cobre_explain-results", "entity_type", "c"), ["costs"]);
  } finally {
    await session.close();
  }
});

Deno.test("completion/complete refuses unknown prompts and templates with -32602", async () => {
  await using ws = await makeWorkspace();
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    for (
      const ref of [prompt("cobre/nope"), { type: "ref/resource" as const, uri: "cobre://x/{y}" }]
    ) {
      const error = await rejection(
        session.client.complete({ ref, argument: { name: "x", value: "" } }),
      );
      assert.equal(error.code, -32602);
      assert.equal(error.data?.kind, "InvalidArgument");
    }
    assert.deepEqual(session.client.getServerCapabilities()?.completions, {});
  } finally {
    await session.close();
  }
});

Deno.test("completions read directory listings only inside the sandbox", async () => {
  await using ws = await treeWorkspace();
  const sandbox = recordingSandbox(ws.sandbox);
  const session = await openSession({ sandbox });
  try {
    for (const value of [`${ws.outside}/`, `${ws.allowed}/case-link-out/`, "/"]) {
      await session.client.complete({ ref: CONFIG, argument: { name: "case_dir", value } });
    }
    assert.deepEqual(sandbox.touched, []);
  } finally {
    await session.close();
  }
});
