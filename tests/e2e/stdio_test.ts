/**
 * The real server, started through its least-privilege launch line as a subprocess, driven by
 * the SDK client over stdio: what an MCP client configured from `launch-line` experiences.
 */
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { Client, InitializeResultSchema, parsedText } from "../server/support.ts";
import { FIXTURE_CASES, FIXTURE_OUTPUT, makeWorkspace, readOnlyLaunchLine } from "./support.ts";
import { SPEC_SCHEMAS } from "./spec_schemas.ts";

/** Tools the server implements today, in spec order. */
const SERVED_TOOLS = [
  "cobre/validate",
  "cobre/run",
  "cobre/query-results",
  "cobre/query-convergence",
  "cobre/inspect-policy",
  "cobre/compare-policies",
  "cobre/inspect-case",
  "cobre/list-scenarios",
  "cobre/export-results",
  "cobre/get-config-schema",
];

/** Served tools that write (spec SS8.1); a read-only server lists them as disabled. */
const WRITE_TOOLS = ["cobre/run", "cobre/export-results"];

async function connectOverStdio(allowedDirs: string[], stateDir: string) {
  const line = await readOnlyLaunchLine(allowedDirs, stateDir);
  const transport = new StdioClientTransport({
    command: line.command,
    args: line.args,
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Uint8Array) => (stderr += new TextDecoder().decode(chunk)));
  const client = new Client({ name: "cobre-e2e", version: "0.0.0" });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

Deno.test("e2e: the launched server speaks MCP 2025-11-25 and serves the spec's tools and schemas", async () => {
  await using ws = await makeWorkspace();
  const { client, stderr } = await connectOverStdio([ws.allowed], ws.stateDir);
  try {
    assert.deepEqual(client.getServerCapabilities(), {
      tools: { listChanged: false },
      logging: {},
      resources: { subscribe: false, listChanged: false },
      prompts: { listChanged: false },
      completions: {},
    });
    assert.equal(client.getServerVersion()?.name, "cobre-mcp");
    const latest = await client.request(
      {
        method: "initialize",
        params: {
          protocolVersion: "2025-11-25",
          capabilities: {},
          clientInfo: { name: "again", version: "1" },
        },
      },
      InitializeResultSchema,
    );
    assert.equal(latest.protocolVersion, "2025-11-25");

    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), SERVED_TOOLS);
    for (const tool of tools) {
      const spec = SPEC_SCHEMAS[tool.name];
      assert.ok(spec, `${tool.name} has no spec schema`);
      assert.deepEqual(tool.inputSchema, spec.input, `${tool.name} inputSchema`);
      const { $defs, ...output }: Record<string, unknown> = tool.outputSchema ?? {};
      assert.deepEqual(output, spec.output, `${tool.name} outputSchema`);
      if (JSON.stringify(output).includes("#/$defs/ErrorRecord")) {
        assert.ok(($defs as Record<string, unknown> | undefined)?.ErrorRecord);
      }
      assert.equal(tool.annotations?.readOnlyHint, !WRITE_TOOLS.includes(tool.name));
    }
  } finally {
    await client.close();
  }
  assert.doesNotMatch(stderr(), /warn|deprecat|error/i);
});

Deno.test("e2e: cobre/validate over stdio reports the fixture cases", async () => {
  await using ws = await makeWorkspace();
  const { client } = await connectOverStdio([ws.allowed, FIXTURE_CASES], ws.stateDir);
  try {
    await client.listTools();
    const tiny = await client.callTool({
      name: "cobre/validate",
      arguments: { case_dir: `${ws.allowed}/tiny` },
    });
    assert.deepEqual(tiny.structuredContent, {
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
    const broken = await client.callTool({
      name: "cobre/validate",
      arguments: { case_dir: `${ws.allowed}/broken` },
    });
    const report = parsedText(broken) as { valid: boolean; errors: { kind: string }[] };
    assert.equal(report.valid, false);
    assert.deepEqual(report.errors.map((e) => e.kind), ["MissingReference"]);
    // A case with Parquet inputs, read through the sandbox under the launch line's permissions.
    const hydro = await client.callTool({
      name: "cobre/validate",
      arguments: { case_dir: `${FIXTURE_CASES}/tiny_hydrothermal` },
    });
    assert.equal((hydro.structuredContent as { valid: boolean }).valid, true);
  } finally {
    await client.close();
  }
});

Deno.test("e2e: paths outside the allowed dirs are refused without revealing the allowlist", async () => {
  await using ws = await makeWorkspace();
  await Deno.symlink(`${ws.outside}/secret-case`, `${ws.allowed}/link-out`);
  const { client } = await connectOverStdio([ws.allowed], ws.stateDir);
  try {
    for (
      const path of [
        `${ws.outside}/secret-case`,
        `${ws.allowed}/../outside/secret-case`,
        `${ws.allowed}/link-out`,
        "/etc",
        "relative/case",
      ]
    ) {
      const result = await client.callTool({
        name: "cobre/validate",
        arguments: { case_dir: path },
      });
      assert.equal(result.isError, true, path);
      const record = parsedText(result) as { message: string; context: Record<string, unknown> };
      assert.match(record.message, /not within the allowed directories/, path);
      const shown = JSON.stringify(result).replaceAll(path, "");
      assert.ok(!shown.includes(ws.allowed), `allowlist revealed for ${path}: ${shown}`);
    }
  } finally {
    await client.close();
  }
});

Deno.test("e2e: output tools read a real-CLI-layout output under the launch line's permissions", async () => {
  await using ws = await makeWorkspace();
  const { client } = await connectOverStdio([FIXTURE_OUTPUT], ws.stateDir);
  try {
    await client.listTools();
    const convergence = await client.callTool({
      name: "cobre/query-convergence",
      arguments: { output_dir: FIXTURE_OUTPUT, iteration_range: [2, 3] },
    });
    assert.equal(convergence.isError, false, JSON.stringify(convergence.content));
    const history = convergence.structuredContent as { iterations: { iteration: number }[] };
    assert.deepEqual(history.iterations.map((it) => it.iteration), [2, 3]);
    const costs = await client.callTool({
      name: "cobre/query-results",
      arguments: { output_dir: FIXTURE_OUTPUT, entity_type: "costs", filters: { limit: 1 } },
    });
    assert.equal(costs.isError, false, JSON.stringify(costs.content));
    assert.equal((costs.structuredContent as { rows: unknown[] }).rows.length, 1);
  } finally {
    await client.close();
  }
});
