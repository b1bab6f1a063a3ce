/**
 * The catalog through the real launch line: resources, prompts and completions from a read-only
 * server process, and an export shared as a `ref://` link by a read-write one (the ref store in
 * the state dir, under the process's least-privilege permissions).
 */
import assert from "node:assert/strict";
import { launchLine } from "../../src/security/mod.ts";
import { spawnServer } from "../e2e/support.ts";
import { makeWorkspace, resourceJson, resourceUri } from "./catalog_helpers.ts";

Deno.test("e2e: templates, a resource read, prompts and completions work through the launch line", async () => {
  await using ws = await makeWorkspace();
  await Deno.mkdir(`${ws.root}/state`);
  const line = await launchLine({
    allowedDirs: [ws.allowed],
    stateDir: `${ws.root}/state`,
    write: false,
  });
  const server = await spawnServer(line);
  try {
    const { client } = server;
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.equal(resourceTemplates.length, 6);

    const summary = resourceJson(
      await client.readResource({
        uri: resourceUri("cobre://output/{output_dir}/policy/summary", {
          output_dir: `${ws.allowed}/output`,
        }),
      }),
    ) as { total_cuts: number; cuts_per_stage: number[] };
    assert.equal(summary.total_cuts, 5);
    assert.deepEqual(summary.cuts_per_stage, [3, 2, 0]);

    const { prompts } = await client.listPrompts();
    assert.equal(prompts.length, 4);
    const prompt = await client.getPrompt({
      name: "cobre/diagnose-convergence",
      arguments: { output_dir: `${ws.allowed}/output` },
    });
    const text = (prompt.messages[1]?.content as { text: string }).text;
    assert.match(text, /"termination_reason": "iteration_limit"/);

    const { completion } = await client.complete({
      ref: { type: "ref/resource", uri: "cobre://case/{case_dir}/config" },
      argument: { name: "case_dir", value: `${ws.allowed}/ca` },
    });
    assert.deepEqual(completion.values, [`${ws.allowed}/case`]);
  } finally {
    await server.closeStdin();
    const status = await server.child.status;
    assert.equal(status.code, 0, await server.stderr);
  }
});

Deno.test("e2e: a read-write server shares an Arrow export as a ref:// link it serves back", async () => {
  await using ws = await makeWorkspace();
  await Deno.mkdir(`${ws.root}/state`);
  const line = await launchLine({
    allowedDirs: [ws.allowed],
    stateDir: `${ws.root}/state`,
    write: true,
  });
  const server = await spawnServer(line);
  try {
    const { client } = server;
    const result = await client.callTool({
      name: "cobre/export-results",
      arguments: { output_dir: `${ws.allowed}/output`, format: "arrow", entity_type: "buses" },
    });
    assert.equal(result.isError, false, JSON.stringify(result.content));
    const link = (result.content as { type: string; uri: string }[])
      .find((block) => block.type === "resource_link");
    assert.match(link?.uri ?? "", /^ref:\/\/[A-Za-z0-9._-]+\/[0-9a-f]{32}$/);
    const read = await client.readResource({ uri: link?.uri ?? "" });
    const blob = (read.contents[0] as { blob: string }).blob;
    const bytes = Uint8Array.from(atob(blob), (c) => c.charCodeAt(0));
    const written = await Deno.readFile(`${ws.allowed}/output/exports/buses.arrow`);
    assert.deepEqual(bytes, written);
  } finally {
    await server.closeStdin();
    const status = await server.child.status;
    assert.equal(status.code, 0, await server.stderr);
  }
});
