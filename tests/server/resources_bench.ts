/**
 * Benchmarks of the catalog over an in-memory link through the real sandbox:
 *
 *   npx -y deno@2.9.5 bench -A tests/server/resources_bench.ts
 *
 * Each resource template on the real-CLI output fixture and the cascade case, the scenarios
 * resource on a national-size inflow model (160 hydros x 120 stages, PAR(6): 19,200 statistics
 * rows and 115,200 AR rows), one prompt with file reads, a directory completion, and an Arrow
 * export shared as a `ref://` link.
 *
 * @module
 */
import { parquetBytes } from "../../fixtures/case/parquet.ts";
import { openRefRegistry } from "../../src/refs/mod.ts";
import { makeWorkspace, openSession, resourceUri } from "./catalog_helpers.ts";

const ws = await makeWorkspace();
await Deno.mkdir(`${ws.root}/state`);
const refs = await openRefRegistry({ stateDir: `${ws.root}/state`, serverId: "bench" });
const session = await openSession({ sandbox: ws.sandbox, refs, mode: "read-write" });
const output = `${ws.allowed}/output`;
const caseDir = `${ws.allowed}/case`;

// A national-size inflow model next to the cascade case.
const HYDROS = 160;
const STAGES = 120;
const LAGS = 6;
const big = `${ws.allowed}/big-case`;
await Deno.mkdir(`${big}/system`, { recursive: true });
await Deno.mkdir(`${big}/scenarios`);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
await Deno.writeTextFile(
  `${big}/system/hydros.json`,
  JSON.stringify({ hydros: range(HYDROS).map((id) => ({ id, name: `H${id}` })) }),
);
const statPairs = range(HYDROS).flatMap((h) => range(STAGES).map((s) => [h, s]));
await Deno.writeFile(
  `${big}/scenarios/inflow_seasonal_stats.parquet`,
  parquetBytes([
    { name: "hydro_id", type: "INT32", data: statPairs.map(([h]) => h as number) },
    { name: "stage_id", type: "INT32", data: statPairs.map(([, s]) => s as number) },
    { name: "mean_m3s", type: "DOUBLE", data: statPairs.map(([h, s]) => 100 + h! + s!) },
    { name: "std_m3s", type: "DOUBLE", data: statPairs.map(([h]) => 10 + h!) },
  ]),
);
const arRows = statPairs.flatMap(([h, s]) => range(LAGS).map((l) => [h!, s!, l + 1]));
await Deno.writeFile(
  `${big}/scenarios/inflow_ar_coefficients.parquet`,
  parquetBytes([
    { name: "hydro_id", type: "INT32", data: arRows.map(([h]) => h!) },
    { name: "stage_id", type: "INT32", data: arRows.map(([, s]) => s!) },
    { name: "lag", type: "INT32", data: arRows.map(([, , l]) => l!) },
    { name: "coefficient", type: "DOUBLE", data: arRows.map(([, , l]) => 0.5 / l!) },
  ]),
);

// An async function: Deno awaits only those, a plain function returning a promise is timed as sync.
const read = (uri: string) => async () => {
  await session.client.readResource({ uri });
};

Deno.bench("resources/templates/list", async () => {
  await session.client.listResourceTemplates();
});
Deno.bench(
  "resources/read case config",
  read(resourceUri("cobre://case/{case_dir}/config", { case_dir: caseDir })),
);
Deno.bench(
  "resources/read case entities (hydros)",
  read(resourceUri("cobre://case/{case_dir}/entities/{entity_type}", {
    case_dir: caseDir,
    entity_type: "hydros",
  })),
);
Deno.bench(
  "resources/read scenarios of one hydro, cascade case",
  read(resourceUri("cobre://case/{case_dir}/scenarios/{entity_id}", {
    case_dir: caseDir,
    entity_id: "UPSTREAM",
  })),
);
Deno.bench(
  "resources/read scenarios of one hydro, 160 hydros x 120 stages PAR(6)",
  read(resourceUri("cobre://case/{case_dir}/scenarios/{entity_id}", {
    case_dir: big,
    entity_id: "H80",
  })),
);
Deno.bench(
  "resources/read output convergence (real-CLI layout)",
  read(resourceUri("cobre://output/{output_dir}/convergence", { output_dir: output })),
);
Deno.bench(
  "resources/read output results hydros (3 partitions)",
  read(resourceUri("cobre://output/{output_dir}/results/{entity_type}", {
    output_dir: output,
    entity_type: "hydros",
  })),
);
Deno.bench(
  "resources/read policy summary",
  read(resourceUri("cobre://output/{output_dir}/policy/summary", { output_dir: output })),
);
Deno.bench("prompts/get cobre/diagnose-convergence", async () => {
  await session.client.getPrompt({
    name: "cobre/diagnose-convergence",
    arguments: { output_dir: output },
  });
});
Deno.bench("completion/complete case_dir", async () => {
  await session.client.complete({
    ref: { type: "ref/resource", uri: "cobre://case/{case_dir}/config" },
    argument: { name: "case_dir", value: `${ws.allowed}/` },
  });
});
Deno.bench("cobre/export-results thermals as Arrow, shared and read back", async () => {
  const result = await session.client.callTool({
    name: "cobre/export-results",
    arguments: { output_dir: output, format: "arrow", entity_type: "thermals" },
  });
  const link = (result.content as { type: string; uri: string }[])
    .find((block) => block.type === "resource_link");
  await session.client.readResource({ uri: link?.uri ?? "" });
  await session.client.notification({
    method: "notifications/resource_released",
    params: { uri: link?.uri ?? "" },
  });
});

globalThis.addEventListener("unload", () => {
  refs.close();
  Deno.removeSync(ws.root, { recursive: true });
});
