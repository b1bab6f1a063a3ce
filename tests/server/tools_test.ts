import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { configJsonSchema, listScenarios } from "../../src/case/mod.ts";
import { queryConvergence, queryResults } from "../../src/output/mod.ts";
import { directFileAccess } from "../../src/common/mod.ts";
import { Sandbox } from "../../src/security/mod.ts";
import { cobreTools } from "../../src/server/mod.ts";
import { connect, parsedText } from "./support.ts";
import { tinyCaseFiles, writeTinyCase } from "./tiny_case.ts";

const FIXTURE_CASES = fileURLToPath(new URL("../../fixtures/case", import.meta.url));
/** An output directory in the real Cobre CLI layout (see fixtures/output). */
const FIXTURE_OUTPUT = fileURLToPath(new URL("../../fixtures/output/cobre-cli", import.meta.url));

/** A temp dir with `allowed/tiny` (valid), `allowed/broken` (bad reference) and `outside/`. */
async function workspace() {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-tools-" }));
  await writeTinyCase(`${root}/allowed/tiny`);
  await writeTinyCase(`${root}/allowed/broken`, 9);
  await writeTinyCase(`${root}/outside/secret-case`);
  const sandbox = await Sandbox.create([`${root}/allowed`, FIXTURE_CASES, FIXTURE_OUTPUT]);
  const session = await connect({ tools: cobreTools(), sandbox });
  await session.client.listTools(); // the client now checks results against output schemas
  return {
    root,
    session,
    async [Symbol.asyncDispose]() {
      await session.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("cobre/validate reports a valid case with the counts derived from its files", async () => {
  await using ws = await workspace();
  const result = await ws.session.client.callTool({
    name: "cobre/validate",
    arguments: { case_dir: `${ws.root}/allowed/tiny` },
  });
  assert.equal(result.isError, false);
  assert.deepEqual(result.structuredContent, {
    valid: true,
    errors: [],
    warnings: [],
    summary: {
      files_checked: 8,
      entities_validated: 5,
      layers_completed: 5,
      error_count: 0,
      warning_count: 0,
    },
  });
  assert.deepEqual(parsedText(result), result.structuredContent);
});

Deno.test("cobre/validate lists a broken reference as a MissingReference error, not a failure", async () => {
  await using ws = await workspace();
  const result = await ws.session.client.callTool({
    name: "cobre/validate",
    arguments: { case_dir: `${ws.root}/allowed/broken` },
  });
  assert.equal(result.isError, false);
  const report = result.structuredContent as {
    valid: boolean;
    errors: { kind: string; context: Record<string, unknown> }[];
  };
  assert.equal(report.valid, false);
  assert.deepEqual(report.errors.map((e) => e.kind), ["MissingReference"]);
  assert.equal(report.errors[0]?.context.file, "system/thermals.json");
});

Deno.test("cobre/validate refuses a case outside the allowed dirs without revealing them", async () => {
  await using ws = await workspace();
  for (
    const path of [`${ws.root}/outside/secret-case`, `${ws.root}/allowed/../outside/secret-case`]
  ) {
    const result = await ws.session.client.callTool({
      name: "cobre/validate",
      arguments: { case_dir: path },
    });
    assert.equal(result.isError, true);
    const record = parsedText(result) as { kind: string; message: string };
    assert.match(record.message, /is not within the allowed directories/);
    const text = JSON.stringify(result);
    assert.doesNotMatch(text, new RegExp(`${ws.root}/allowed(?!/\\.\\.)`), "allowlist leaked");
  }
});

Deno.test("cobre/validate on a missing directory inside the sandbox is MissingFile", async () => {
  await using ws = await workspace();
  const result = await ws.session.client.callTool({
    name: "cobre/validate",
    arguments: { case_dir: `${ws.root}/allowed/nope` },
  });
  assert.equal(result.isError, true);
  assert.equal((parsedText(result) as { kind: string }).kind, "MissingFile");
});

Deno.test("cobre/inspect-case summarises the tiny case: config, counts, stages, files", async () => {
  await using ws = await workspace();
  const result = await ws.session.client.callTool({
    name: "cobre/inspect-case",
    arguments: { case_dir: `${ws.root}/allowed/tiny` },
  });
  assert.equal(result.isError, false);
  assert.deepEqual(result.structuredContent, {
    config: tinyCaseFiles()["config.json"],
    entities: { hydros: 0, thermals: 2, buses: 1, lines: 0 },
    stages: 2,
    scenario_source: "par",
    files_present: [
      "config.json",
      "initial_conditions.json",
      "penalties.json",
      "stages.json",
      "system/buses.json",
      "system/hydros.json",
      "system/lines.json",
      "system/thermals.json",
    ],
  });
});

Deno.test("cobre/list-scenarios returns the case layer's listing for a PAR fixture", async () => {
  await using ws = await workspace();
  const caseDir = `${FIXTURE_CASES}/tiny_hydrothermal`;
  const result = await ws.session.client.callTool({
    name: "cobre/list-scenarios",
    arguments: { case_dir: caseDir },
  });
  assert.equal(result.isError, false);
  // One hydro with inflow statistics, two stages of one scenario each (see make_fixtures.ts).
  assert.equal((result.structuredContent as { scenario_source: string }).scenario_source, "par");
  assert.equal((result.structuredContent as { stages: number }).stages, 2);
  assert.equal((result.structuredContent as { entities: number }).entities, 1);
  assert.equal((result.structuredContent as { count: number }).count, 1);
  assert.deepEqual(
    result.structuredContent,
    await listScenarios(await Deno.realPath(caseDir), directFileAccess),
  );
});

Deno.test("cobre/list-scenarios on a case without scenario files is a MissingFile error", async () => {
  await using ws = await workspace();
  const result = await ws.session.client.callTool({
    name: "cobre/list-scenarios",
    arguments: { case_dir: `${ws.root}/allowed/tiny` },
  });
  assert.equal(result.isError, true);
  assert.equal((parsedText(result) as { kind: string }).kind, "MissingFile");
});

Deno.test("cobre/get-config-schema returns the config.json schema and takes no arguments", async () => {
  await using ws = await workspace();
  const result = await ws.session.client.callTool({
    name: "cobre/get-config-schema",
    arguments: {},
  });
  assert.equal(result.isError, false);
  assert.deepEqual(result.structuredContent, { schema: configJsonSchema() });
  const extra = await ws.session.client.callTool({
    name: "cobre/get-config-schema",
    arguments: { case_dir: "/x" },
  });
  assert.equal((parsedText(extra) as { kind: string }).kind, "InvalidArgument");
});

Deno.test("every Cobre tool refuses a path outside the sandbox the same way", async () => {
  await using ws = await workspace();
  const outside = `${ws.root}/outside/secret-case`;
  for (
    const [name, args] of [
      ["cobre/validate", { case_dir: outside }],
      ["cobre/inspect-case", { case_dir: outside }],
      ["cobre/list-scenarios", { case_dir: outside }],
      ["cobre/query-results", { output_dir: outside, entity_type: "costs" }],
      ["cobre/query-convergence", { output_dir: outside }],
      ["cobre/inspect-policy", { policy_dir: outside }],
      ["cobre/compare-policies", { policy_dirs: [`${FIXTURE_OUTPUT}/policy`, outside] }],
    ] as const
  ) {
    const result = await ws.session.client.callTool({ name, arguments: args });
    assert.equal(result.isError, true, name);
    assert.match((parsedText(result) as { message: string }).message, /not within the allowed/);
  }
});

Deno.test("cobre/query-convergence returns the fixture's 4 iterations, nullable gaps included", async () => {
  await using ws = await workspace();
  const result = await ws.session.client.callTool({
    name: "cobre/query-convergence",
    arguments: { output_dir: FIXTURE_OUTPUT },
  });
  assert.equal(result.isError, false, JSON.stringify(result.content));
  const history = result.structuredContent as { total_iterations: number; iterations: unknown[] };
  // policy/metadata.json of the fixture: completed_iterations 4.
  assert.equal(history.total_iterations, 4);
  assert.equal(history.iterations.length, 4);
  assert.deepEqual(
    result.structuredContent,
    await queryConvergence({ outputDir: await Deno.realPath(FIXTURE_OUTPUT) }, directFileAccess),
  );
});

Deno.test("cobre/query-results filters by entity name through the output's dictionary", async () => {
  await using ws = await workspace();
  const filters = { entity_id: "ITAIPU", columns: ["hydro_id", "stage_id"], limit: 3 };
  const result = await ws.session.client.callTool({
    name: "cobre/query-results",
    arguments: { output_dir: FIXTURE_OUTPUT, entity_type: "hydros", filters },
  });
  assert.equal(result.isError, false, JSON.stringify(result.content));
  const table = result.structuredContent as { columns: string[]; rows: unknown[][] };
  assert.deepEqual(table.columns, ["hydro_id", "stage_id"]);
  assert.ok(table.rows.length > 0 && table.rows.length <= 3);
  // entities.csv: hydro ITAIPU has id 1.
  assert.ok(table.rows.every((row) => row[0] === 1));
  assert.deepEqual(
    result.structuredContent,
    await queryResults(
      { outputDir: await Deno.realPath(FIXTURE_OUTPUT), entity_type: "hydros", filters },
      directFileAccess,
    ),
  );
});

Deno.test("cobre/inspect-policy summarises the fixture policy and details one stage", async () => {
  await using ws = await workspace();
  const summary = await ws.session.client.callTool({
    name: "cobre/inspect-policy",
    arguments: { policy_dir: `${FIXTURE_OUTPUT}/policy` },
  });
  assert.equal(summary.isError, false, JSON.stringify(summary.content));
  // policy/metadata.json: num_stages 3, state_dimension 3; cuts/ holds stage_000..002.
  const head = summary.structuredContent as { stages: number; state_dimension: number };
  assert.deepEqual([head.stages, head.state_dimension], [3, 3]);
  const stage = await ws.session.client.callTool({
    name: "cobre/inspect-policy",
    arguments: { policy_dir: `${FIXTURE_OUTPUT}/policy`, stage: 1 },
  });
  assert.equal(stage.isError, false, JSON.stringify(stage.content));
  assert.equal((stage.structuredContent as { stage: number }).stage, 1);
  const zero = await ws.session.client.callTool({
    name: "cobre/inspect-policy",
    arguments: { policy_dir: `${FIXTURE_OUTPUT}/policy`, stage: 0 },
  });
  assert.equal((parsedText(zero) as { kind: string }).kind, "InvalidArgument");
});

Deno.test("cobre/compare-policies reports the paths as given and the run's final bounds", async () => {
  await using ws = await workspace();
  const policy = `${FIXTURE_OUTPUT}/policy`;
  const result = await ws.session.client.callTool({
    name: "cobre/compare-policies",
    arguments: { policy_dirs: [policy, `${FIXTURE_OUTPUT}/./policy`] },
  });
  assert.equal(result.isError, false, JSON.stringify(result.content));
  const comparison = result.structuredContent as {
    compatible: boolean;
    policies: { policy_dir: string; final_lower_bound: number; final_upper_bound: number }[];
  };
  assert.equal(comparison.compatible, true);
  assert.deepEqual(comparison.policies.map((p) => p.policy_dir), [
    policy,
    `${FIXTURE_OUTPUT}/./policy`,
  ]);
  // policy/metadata.json: final_lower_bound 190, best_upper_bound 195.
  assert.equal(comparison.policies[0]?.final_lower_bound, 190);
  assert.equal(comparison.policies[0]?.final_upper_bound, 195);
});

Deno.test("output tools report a missing output directory as OutputNotFound", async () => {
  await using ws = await workspace();
  const missing = `${ws.root}/allowed/no-output`;
  for (
    const [name, args] of [
      ["cobre/query-results", { output_dir: missing, entity_type: "costs" }],
      ["cobre/query-convergence", { output_dir: missing }],
      ["cobre/inspect-policy", { policy_dir: missing }],
      ["cobre/compare-policies", { policy_dirs: [missing, missing] }],
    ] as const
  ) {
    const result = await ws.session.client.callTool({ name, arguments: args });
    assert.equal(result.isError, true, name);
    assert.equal((parsedText(result) as { kind: string }).kind, "OutputNotFound", name);
  }
});
