/**
 * The official MCP Inspector CLI against our server, started through its least-privilege launch
 * line: it must list our tools and call `cobre/validate`. `@modelcontextprotocol/inspector`
 * 1.0.3 is the newest release whose CLI runs here: it declares Node >= 22.7.5 but works on the
 * machine's Node 20 (npm prints an EBADENGINE warning), and the separately published
 * `inspector-cli` 1.0.3 cannot run on its own (it imports its monorepo's package.json). Under
 * `deno run npm:` the Inspector spawns `node` on a module tree Node cannot resolve, so it runs
 * through npx.
 */
import assert from "node:assert/strict";
import { launchLine } from "../../src/security/mod.ts";
import { copyTree } from "../../src/host/mod.ts";
import { makeHostWorkspace, REPO_ROOT } from "./support.ts";

export const INSPECTOR = "@modelcontextprotocol/inspector@1.0.3";

async function inspector(config: string, method: string[]): Promise<unknown> {
  const output = await new Deno.Command("npx", {
    args: ["-y", INSPECTOR, "--cli", "--config", config, "--server", "cobre", ...method],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  assert.ok(output.success, `inspector failed: ${new TextDecoder().decode(output.stderr)}`);
  return JSON.parse(stdout);
}

Deno.test({
  name: "the MCP Inspector CLI lists our tools and calls cobre/validate through the launch line",
  fn: async () => {
    await using ws = await makeHostWorkspace();
    await copyTree(`${REPO_ROOT}/fixtures/case/tiny_hydrothermal`, `${ws.allowed}/tiny`);
    const line = await launchLine({
      allowedDirs: [ws.allowed],
      stateDir: ws.serverState,
      write: false,
    });
    const config = `${ws.root}/mcp.json`;
    await Deno.writeTextFile(config, JSON.stringify({ mcpServers: { cobre: line } }));

    const listed = await inspector(config, ["--method", "tools/list"]) as {
      tools: { name: string }[];
    };
    const names = listed.tools.map((tool) => tool.name);
    assert.ok(names.includes("cobre/validate"), names.join(", "));
    assert.ok(names.includes("cobre/inspect-case"));

    const called = await inspector(config, [
      "--method",
      "tools/call",
      "--tool-name",
      "cobre/validate",
      "--tool-arg",
      `case_dir=${ws.allowed}/tiny`,
    ]) as {
      isError: boolean;
      structuredContent: { valid: boolean; summary: { layers_completed: number } };
    };
    assert.equal(called.isError, false);
    assert.equal(called.structuredContent.valid, true);
    assert.equal(called.structuredContent.summary.layers_completed, 5);
  },
});
