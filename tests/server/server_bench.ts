/**
 * Benchmarks of the server core (run with `deno bench -A tests/server/server_bench.ts`):
 * framework overhead per call over an in-memory link, and `cobre/validate` end to end on the
 * tiny case through the real sandbox.
 */
import { Sandbox } from "../../src/security/mod.ts";
import { cobreTools } from "../../src/server/mod.ts";
import { connect } from "./support.ts";
import { echoTool } from "./test_tools.ts";
import { writeTinyCase } from "./tiny_case.ts";

const echo = await connect({ tools: [echoTool] });
await echo.client.listTools();

Deno.bench("tools/call round trip of a trivial tool (validation + result check)", async () => {
  await echo.client.callTool({ name: "test/echo", arguments: { message: "x", repeat: 2 } });
});

Deno.bench("tools/call with invalid arguments (InvalidArgument record)", async () => {
  await echo.client.callTool({ name: "test/echo", arguments: { repeat: 9 } });
});

const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-bench-" }));
await writeTinyCase(`${root}/tiny`);
const cases = await connect({ tools: cobreTools(), sandbox: await Sandbox.create([root]) });
await cases.client.listTools();

Deno.bench("cobre/validate on the tiny case through the sandbox", async () => {
  await cases.client.callTool({ name: "cobre/validate", arguments: { case_dir: `${root}/tiny` } });
});

Deno.bench("cobre/inspect-case on the tiny case through the sandbox", async () => {
  await cases.client.callTool({
    name: "cobre/inspect-case",
    arguments: { case_dir: `${root}/tiny` },
  });
});

globalThis.addEventListener("unload", () => {
  Deno.removeSync(root, { recursive: true });
});
