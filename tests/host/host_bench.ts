/**
 * Benchmarks of the gated host (run with
 * `npx -y deno@2.9.5 bench -A --unstable-worker-options tests/host/host_bench.ts`): the cost of
 * both gates, the job row, screening, redaction and audit per call, against a bare SDK client
 * calling the same kind of server process; redaction of a large result; a progress flood.
 */
import {
  copyTree,
  DEFAULT_REDACTION,
  defaultHostPolicy,
  GatedHost,
  launchCobreServer,
  Redactor,
  StdioServerTransport,
} from "../../src/host/mod.ts";
import { Client } from "@modelcontextprotocol/sdk/client";
import { hostilePolicy, hostileTarget, REPO_ROOT } from "./support.ts";

const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-host-bench-" }));
const cases = `${root}/cases`;
await copyTree(`${REPO_ROOT}/fixtures/case/tiny_hydrothermal`, `${cases}/tiny`);
const target = await launchCobreServer({
  allowedDirs: [cases],
  stateDir: `${root}/server`,
  write: false,
});

const host = await GatedHost.open({
  policy: defaultHostPolicy({ roots: [cases], write: false }),
  stateDir: `${root}/host`,
  revokeFfi: false,
});
await host.connect(target);

const bare = new Client({ name: "bench", version: "0" });
await bare.connect(new StdioServerTransport(target));
await bare.listTools();

Deno.bench(
  "cobre/get-config-schema, bare SDK client",
  { group: "schema", baseline: true },
  async () => {
    await bare.callTool({ name: "cobre/get-config-schema", arguments: {} });
  },
);

Deno.bench("cobre/get-config-schema through the gated host", { group: "schema" }, async () => {
  await host.callTool("cobre/get-config-schema", {});
});

Deno.bench(
  "cobre/validate tiny case, bare SDK client",
  { group: "validate", baseline: true },
  async () => {
    await bare.callTool({ name: "cobre/validate", arguments: { case_dir: `${cases}/tiny` } });
  },
);

Deno.bench("cobre/validate tiny case through the gated host", { group: "validate" }, async () => {
  await host.callTool("cobre/validate", { case_dir: `${cases}/tiny` });
});

Deno.bench("outbound denial (path outside the roots), nothing sent", async () => {
  await host.callTool("cobre/validate", { case_dir: "/etc" });
});

const redactor = new Redactor(DEFAULT_REDACTION, [cases]);
const big = {
  content: [{
    type: "text",
    text: `${"row,1.0,2.0,/data/x/y\n".repeat(40_000)}ghp_${"a".repeat(36)}`,
  }],
};
Deno.bench("redaction of a ~1 MB text result", () => {
  redactor.redact(big);
});

const flooded = await GatedHost.open({
  policy: hostilePolicy(root),
  stateDir: `${root}/flood`,
  revokeFfi: false,
});
await flooded.connect(hostileTarget());
Deno.bench(
  "5000 progress notifications for unknown tokens, then the result",
  { n: 5 },
  async () => {
    await flooded.callTool("progress_flood", { count: 5_000 });
  },
);

globalThis.addEventListener("unload", () => {
  Deno.removeSync(root, { recursive: true });
});
