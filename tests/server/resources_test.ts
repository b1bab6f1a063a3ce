import assert from "node:assert/strict";
import { parquetWriteBuffer } from "hyparquet-writer";
// @ts-types="@modelcontextprotocol/sdk/types"
import { ListResourceTemplatesResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { CONVERGENCE_TABLE, encodeParquet } from "../../src/output/mod.ts";
import { createGateObserver, READ_ONLY_PROFILE } from "../../src/security/mod.ts";
import type { ObservedRequest, RequestCompletion } from "../../src/server/mod.ts";
import {
  makeWorkspace,
  openSession,
  recordingSandbox,
  rejection,
  resourceJson,
  resourceUri,
} from "./catalog_helpers.ts";

const CONFIG = "cobre://case/{case_dir}/config";
const ENTITIES = "cobre://case/{case_dir}/entities/{entity_type}";
const SCENARIOS = "cobre://case/{case_dir}/scenarios/{entity_id}";
const CONVERGENCE = "cobre://output/{output_dir}/convergence";
const RESULTS = "cobre://output/{output_dir}/results/{entity_type}";
const POLICY = "cobre://output/{output_dir}/policy/summary";

type Records = {
  columns: string[];
  rows: Record<string, unknown>[];
  total_rows: number;
  truncated: boolean;
};

Deno.test("resources/templates/list serves the six templates of SS3.1 as application/json", async () => {
  await using ws = await makeWorkspace();
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    const { resourceTemplates } = await session.client.listResourceTemplates();
    assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate), [
      CONFIG,
      ENTITIES,
      SCENARIOS,
      CONVERGENCE,
      RESULTS,
      POLICY,
    ]);
    for (const template of resourceTemplates) {
      assert.equal(template.mimeType, "application/json");
      assert.ok(template.name && template.description, template.uriTemplate);
    }
    assert.deepEqual(session.client.getServerCapabilities()?.resources, {
      subscribe: false,
      listChanged: false,
    });
    assert.deepEqual((await session.client.listResources()).resources, []);
    assert.match(session.client.getInstructions() ?? "", /resources\/templates\/list/);
  } finally {
    await session.close();
  }
});

Deno.test("the config resource returns the case's config.json as written", async () => {
  await using ws = await makeWorkspace();
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    const uri = resourceUri(CONFIG, { case_dir: `${ws.allowed}/case` });
    const result = await session.client.readResource({ uri });
    assert.equal(result.contents[0]?.uri, uri);
    const expected = JSON.parse(await Deno.readTextFile(`${ws.allowed}/case/config.json`));
    assert.deepEqual(resourceJson(result), expected);
  } finally {
    await session.close();
  }
});

Deno.test("the entities resource returns each registry with its count", async () => {
  await using ws = await makeWorkspace();
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    // two_bus_cascade: hydros DOWNSTREAM/UPSTREAM, thermals COAL/DIESEL, buses SOUTH/NORTH, 1 line.
    const cases: [string, string, string[]][] = [
      ["hydros", "system/hydros.json", ["DOWNSTREAM", "UPSTREAM"]],
      ["thermals", "system/thermals.json", ["COAL", "DIESEL"]],
      ["buses", "system/buses.json", ["SOUTH", "NORTH"]],
      ["lines", "system/lines.json", ["NORTH-SOUTH"]],
    ];
    for (const [type, file, names] of cases) {
      const uri = resourceUri(ENTITIES, { case_dir: `${ws.allowed}/case`, entity_type: type });
      const body = resourceJson(await session.client.readResource({ uri })) as {
        entity_type: string;
        file: string;
        count: number;
        entities: { name: string }[];
      };
      assert.equal(body.entity_type, type);
      assert.equal(body.file, file);
      assert.equal(body.count, names.length);
      assert.deepEqual(body.entities.map((e) => e.name), names);
    }
  } finally {
    await session.close();
  }
});

Deno.test("the entities resource reads contracts when present and says MissingFile when not", async () => {
  await using ws = await makeWorkspace();
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    const uri = resourceUri(ENTITIES, { case_dir: `${ws.allowed}/case`, entity_type: "contracts" });
    const missing = await rejection(session.client.readResource({ uri }));
    assert.equal(missing.code, -32002);
    assert.equal(missing.data?.kind, "MissingFile");
    assert.equal(missing.data?.context.file, "system/energy_contracts.json");

    await Deno.writeTextFile(
      `${ws.allowed}/case/system/energy_contracts.json`,
      JSON.stringify({ contracts: [{ id: 0, name: "IMPORT" }] }),
    );
    const body = resourceJson(await session.client.readResource({ uri })) as { count: number };
    assert.equal(body.count, 1);

    const unknown = await rejection(
      session.client.readResource({
        uri: resourceUri(ENTITIES, { case_dir: `${ws.allowed}/case`, entity_type: "dams" }),
      }),
    );
    assert.equal(unknown.code, -32602);
    assert.equal(unknown.data?.kind, "InvalidArgument");
  } finally {
    await session.close();
  }
});

Deno.test("the scenarios resource returns one hydro's PAR model, found by id or by name", async () => {
  await using ws = await makeWorkspace();
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    // fixtures/case/make_fixtures.ts: hydro 1 has means 55, 70, 65, 60 (stages -1..2), std
    // 10, 12, 11, 10, and one lag per stage 0..2 with coefficient 0.4, residual ratio 0.9.
    const expectedStats = [[-1, 55, 10], [0, 70, 12], [1, 65, 11], [2, 60, 10]].map((
      [stage_id, mean_m3s, std_m3s],
    ) => ({ stage_id, mean_m3s, std_m3s }));
    const expectedAr = [0, 1, 2].map((stage_id) => ({
      stage_id,
      lag: 1,
      coefficient: 0.4,
      residual_std_ratio: 0.9,
    }));
    for (const entity of ["1", "downstream", "DOWNSTREAM"]) {
      const uri = resourceUri(SCENARIOS, { case_dir: `${ws.allowed}/case`, entity_id: entity });
      const body = resourceJson(await session.client.readResource({ uri })) as {
        entity_id: number;
        name: string;
        seasonal_stats: Records;
        ar_coefficients: Records;
        ar_order: number;
        external_scenarios: Records | null;
      };
      assert.equal(body.entity_id, 1);
      assert.equal(body.name, "DOWNSTREAM");
      assert.deepEqual(body.seasonal_stats.rows, expectedStats);
      assert.deepEqual(body.seasonal_stats.columns, ["stage_id", "mean_m3s", "std_m3s"]);
      assert.deepEqual(body.ar_coefficients.rows, expectedAr);
      assert.equal(body.ar_order, 1);
      assert.equal(body.external_scenarios, null);
    }
    const unknown = await rejection(session.client.readResource({
      uri: resourceUri(SCENARIOS, { case_dir: `${ws.allowed}/case`, entity_id: "ITAIPU" }),
    }));
    assert.equal(unknown.code, -32602);
    assert.deepEqual(unknown.data?.context.known_names, ["DOWNSTREAM", "UPSTREAM"]);
  } finally {
    await session.close();
  }
});

Deno.test("output resources read the real-CLI-layout fixture: convergence, results, policy summary", async () => {
  await using ws = await makeWorkspace();
  const session = await openSession({ sandbox: ws.sandbox });
  const output = `${ws.allowed}/output`;
  try {
    const convergence = resourceJson(
      await session.client.readResource({ uri: resourceUri(CONVERGENCE, { output_dir: output }) }),
    ) as Records & { termination_reason: string; status: string };
    assert.deepEqual(convergence.columns, CONVERGENCE_TABLE.columns.map((c) => c.name));
    assert.deepEqual(convergence.rows.map((r) => r.lower_bound), [100, 150, 180, 190]);
    assert.deepEqual(convergence.rows.map((r) => r.gap_percent === null), [
      true,
      false,
      false,
      false,
    ]);
    assert.equal(convergence.total_rows, 4);
    assert.equal(convergence.truncated, false);
    assert.equal(convergence.termination_reason, "iteration_limit");
    assert.equal(convergence.status, "complete");

    // 3 scenarios x 3 stages x 2 blocks x 2 hydros; generation_mw = 1000 s + 100 t + 10 e + b.
    const hydros = resourceJson(
      await session.client.readResource({
        uri: resourceUri(RESULTS, { output_dir: output, entity_type: "hydros" }),
      }),
    ) as Records;
    assert.equal(hydros.total_rows, 36);
    assert.equal(hydros.rows.length, 36);
    assert.equal(hydros.columns[0], "scenario_id");
    const row = hydros.rows.find((r) =>
      r.scenario_id === 2 && r.stage_id === 1 && r.hydro_id === 1 && r.block_id === 1
    );
    assert.equal(row?.generation_mw, 2111);
    assert.equal(row?.evaporation_m3s, null); // hydro 1 has a null evaporation

    const policy = resourceJson(
      await session.client.readResource({ uri: resourceUri(POLICY, { output_dir: output }) }),
    ) as Record<string, unknown>;
    assert.equal(policy.stages, 3);
    assert.equal(policy.total_cuts, 5);
    assert.equal(policy.state_dimension, 3);
    assert.deepEqual(policy.cuts_per_stage, [3, 2, 0]);
  } finally {
    await session.close();
  }
});

Deno.test("resources cap Parquet responses at 10,000 rows with truncated and the exact total_rows", async () => {
  await using ws = await makeWorkspace();
  const output = `${ws.allowed}/big`;
  await Deno.mkdir(`${output}/training`, { recursive: true });
  const rows = Array.from({ length: 10_001 }, (_, i) => ({
    iteration: i + 1,
    lower_bound: i,
    upper_bound_mean: 2 * i,
    upper_bound_std: 1,
    gap_percent: null,
    cuts_added: 1,
    cuts_removed: 0,
    cuts_active: BigInt(i + 1),
    time_forward_ms: 1n,
    time_backward_ms: 1n,
    time_total_ms: 2n,
    forward_passes: 1,
    lp_solves: 3n,
  }));
  await Deno.writeFile(
    `${output}/training/convergence.parquet`,
    encodeParquet(CONVERGENCE_TABLE, rows),
  );
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    const body = resourceJson(
      await session.client.readResource({ uri: resourceUri(CONVERGENCE, { output_dir: output }) }),
    ) as Records;
    assert.equal(body.rows.length, 10_000);
    assert.equal(body.total_rows, 10_001);
    assert.equal(body.truncated, true);
    assert.equal(body.rows.at(-1)?.iteration, 10_000);
    assert.equal(body.rows.at(-1)?.cuts_active, 10_000); // INT64 arrives as a JSON number
  } finally {
    await session.close();
  }
});

Deno.test("resources apply SS3.2: dotted names for nested columns, nulls, ISO timestamps", async () => {
  await using ws = await makeWorkspace();
  const output = `${ws.allowed}/nested`;
  await Deno.mkdir(`${output}/training`, { recursive: true });
  const bytes = parquetWriteBuffer({
    columnData: [
      { name: "iteration", data: [1, 2] },
      { name: "at", data: [new Date("2026-01-17T08:00:00.250Z"), null] },
      {
        name: "timing",
        data: [{ forward_ms: 7, backward_ms: 9 }, { forward_ms: 8, backward_ms: null }],
      },
    ],
    schema: [
      { name: "root", num_children: 3 },
      { name: "iteration", type: "INT32", repetition_type: "REQUIRED" },
      {
        name: "at",
        type: "INT64",
        converted_type: "TIMESTAMP_MILLIS",
        repetition_type: "OPTIONAL",
      },
      { name: "timing", repetition_type: "REQUIRED", num_children: 2 },
      { name: "forward_ms", type: "INT32", repetition_type: "REQUIRED" },
      { name: "backward_ms", type: "INT32", repetition_type: "OPTIONAL" },
    ],
  });
  await Deno.writeFile(`${output}/training/convergence.parquet`, new Uint8Array(bytes));
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    const body = resourceJson(
      await session.client.readResource({ uri: resourceUri(CONVERGENCE, { output_dir: output }) }),
    ) as Records;
    assert.deepEqual(body.columns, ["iteration", "at", "timing.forward_ms", "timing.backward_ms"]);
    assert.deepEqual(body.rows, [
      {
        iteration: 1,
        at: "2026-01-17T08:00:00.250Z",
        "timing.forward_ms": 7,
        "timing.backward_ms": 9,
      },
      { iteration: 2, at: null, "timing.forward_ms": 8, "timing.backward_ms": null },
    ]);
  } finally {
    await session.close();
  }
});

Deno.test("path variables are decoded exactly once: %252F names a directory called a%2Fb", async () => {
  await using ws = await makeWorkspace();
  await Deno.rename(`${ws.allowed}/output`, `${ws.allowed}/a%2Fb`);
  await Deno.mkdir(`${ws.allowed}/a/b`, { recursive: true }); // what a double decode would reach
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    const encoded = `cobre://output/${encodeURIComponent(`${ws.allowed}/a%2Fb`)}/policy/summary`;
    assert.ok(encoded.includes("a%252Fb"));
    const body = resourceJson(await session.client.readResource({ uri: encoded })) as {
      total_cuts: number;
    };
    assert.equal(body.total_cuts, 5);
    // The raw form (slashes not encoded) names the same directory.
    const raw = `cobre://output/${ws.allowed}/a%252Fb/policy/summary`;
    assert.deepEqual(resourceJson(await session.client.readResource({ uri: raw })), body);
    // Invalid percent-encoding is refused as a bad parameter.
    const bad = await rejection(
      session.client.readResource({ uri: "cobre://output/%E0%A4/convergence" }),
    );
    assert.equal(bad.code, -32602);
  } finally {
    await session.close();
  }
});

Deno.test("paths outside the sandbox are refused before any file is touched", async () => {
  await using ws = await makeWorkspace();
  await Deno.symlink(`${ws.outside}/output`, `${ws.allowed}/link-out`);
  const sandbox = recordingSandbox(ws.sandbox);
  const session = await openSession({ sandbox });
  try {
    const attempts = [
      resourceUri(POLICY, { output_dir: `${ws.outside}/output` }), // outside
      resourceUri(POLICY, { output_dir: `${ws.allowed}/../outside/output` }), // traversal
      resourceUri(POLICY, { output_dir: `${ws.allowed}/link-out` }), // symlink out
      resourceUri(CONFIG, { case_dir: `${ws.outside}/case` }),
      resourceUri(CONFIG, { case_dir: "case" }), // relative
      `cobre://output/${ws.outside}/output/convergence`, // raw form
    ];
    for (const uri of attempts) {
      const error = await rejection(session.client.readResource({ uri }));
      assert.equal(error.code, -32002, uri);
      assert.equal(error.data?.kind, "MissingFile", uri);
      assert.match(error.data?.message ?? "", /is not within the allowed directories/, uri);
      assert.ok(!JSON.stringify(error).includes(`${ws.root}/allowed'`), "allowlist revealed");
    }
    assert.deepEqual(sandbox.touched, []);
    // A missing path inside is OutputNotFound, also before any read.
    const missing = await rejection(session.client.readResource({
      uri: resourceUri(CONVERGENCE, { output_dir: `${ws.allowed}/no-such-run` }),
    }));
    assert.equal(missing.code, -32002);
    assert.equal(missing.data?.kind, "OutputNotFound");
    assert.deepEqual(sandbox.touched, []);
  } finally {
    await session.close();
  }
});

Deno.test("a URI that matches no template is a bad parameter listing the templates", async () => {
  await using ws = await makeWorkspace();
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    for (
      const uri of [
        "cobre://case/%2Fx/secrets",
        "file:///etc/passwd",
        "cobre://output/x/convergence?y",
      ]
    ) {
      const error = await rejection(session.client.readResource({ uri }));
      assert.equal(error.code, -32602, uri);
      assert.equal(error.data?.kind, "InvalidArgument");
      assert.equal((error.data?.context.templates as string[]).length, 6);
    }
  } finally {
    await session.close();
  }
});

Deno.test("a corrupt output file is OutputCorrupted (-32603) with the file named", async () => {
  await using ws = await makeWorkspace();
  await Deno.writeTextFile(`${ws.allowed}/output/training/convergence.parquet`, "not parquet");
  const session = await openSession({ sandbox: ws.sandbox });
  try {
    const error = await rejection(session.client.readResource({
      uri: resourceUri(CONVERGENCE, { output_dir: `${ws.allowed}/output` }),
    }));
    assert.equal(error.code, -32603);
    assert.equal(error.data?.kind, "OutputCorrupted");
    assert.match(String(error.data?.context.file), /training\/convergence\.parquet$/);
  } finally {
    await session.close();
  }
});

Deno.test("observers see resource reads with their canonical paths, and the Gate's profile applies", async () => {
  await using ws = await makeWorkspace();
  const seen: { request: ObservedRequest; completion: RequestCompletion }[] = [];
  const gate = createGateObserver({
    context: {
      profile: { ...READ_ONLY_PROFILE, pathPrefixes: [`${ws.allowed}/case`] },
      mode: "read-only",
    },
    resolvePath: (path) => ws.sandbox.resolveForCreate(path),
  });
  const session = await openSession({
    sandbox: ws.sandbox,
    observers: [gate, {
      finished: (request, completion) =>
        void (request.method === "resources/read" && seen.push({ request, completion })),
    }],
  });
  try {
    const allowed = resourceUri(CONFIG, { case_dir: `${ws.allowed}/case/.` });
    await session.client.readResource({ uri: allowed });
    assert.deepEqual(seen[0]?.request.resourcePaths, [`${ws.allowed}/case`]);
    assert.equal(seen[0]?.completion.outcome, "ok");

    // Inside the sandbox but outside the profile's prefixes: the Gate denies it.
    const denied = await rejection(session.client.readResource({
      uri: resourceUri(POLICY, { output_dir: `${ws.allowed}/output` }),
    }));
    assert.equal(denied.code, -32600);
    assert.equal(denied.data?.kind, "PermissionDenied");
    assert.equal(seen[1]?.completion.outcome, "denied");

    // Failures reach observers with their record.
    await rejection(session.client.readResource({
      uri: resourceUri(ENTITIES, { case_dir: `${ws.allowed}/case`, entity_type: "contracts" }),
    }));
    assert.equal(seen[2]?.completion.outcome, "tool-error");
    assert.equal(seen[2]?.completion.error?.kind, "MissingFile");
  } finally {
    await session.close();
  }
});

Deno.test("without resources or prompts the server declares neither, nor completions", async () => {
  await using ws = await makeWorkspace();
  const session = await openSession({ sandbox: ws.sandbox, resources: [], prompts: [] });
  try {
    const capabilities = session.client.getServerCapabilities() ?? {};
    assert.equal(capabilities.resources, undefined);
    assert.equal(capabilities.prompts, undefined);
    assert.equal(capabilities.completions, undefined);
    assert.doesNotMatch(session.client.getInstructions() ?? "", /resources|prompts/);
    const error = await rejection(session.client.request(
      { method: "resources/templates/list", params: {} },
      ListResourceTemplatesResultSchema,
    ));
    assert.equal(error.code, -32601);
  } finally {
    await session.close();
  }
});
