import assert from "node:assert/strict";
import { tableFromIPC } from "apache-arrow";
import { COSTS_TABLE, encodeParquet } from "../../src/output/mod.ts";
import type { FlightEvent } from "../../src/recorder/mod.ts";
import { openRefRegistry, type RefRegistry } from "../../src/refs/mod.ts";
import { EXPORT_LINK_THRESHOLD_BYTES, WRITE_DISABLED_MESSAGE } from "../../src/server/mod.ts";
import { makeWorkspace, openSession, rejection, type Workspace } from "./catalog_helpers.ts";

type Link = { type: string; uri: string; name: string; mimeType: string; size: number };

/** A workspace plus a ref registry in its own state dir, recording the registry's events. */
async function exportWorkspace(): Promise<
  Workspace & { refs: RefRegistry; events: FlightEvent[] }
> {
  const ws = await makeWorkspace();
  await Deno.mkdir(`${ws.root}/state`);
  const events: FlightEvent[] = [];
  const refs = await openRefRegistry({
    stateDir: `${ws.root}/state`,
    serverId: "export-test",
    onEvent: (event) => events.push(event),
  });
  return {
    ...ws,
    refs,
    events,
    [Symbol.asyncDispose]: async () => {
      refs.close();
      await ws[Symbol.asyncDispose]();
    },
  };
}

function structured(result: object): { file_path: string; rows: number; size_bytes: number } {
  return (result as { structuredContent: { file_path: string; rows: number; size_bytes: number } })
    .structuredContent;
}

function links(result: object): Link[] {
  const content = (result as { content: { type: string }[] }).content;
  return content.filter((block) => block.type === "resource_link") as Link[];
}

Deno.test("cobre/export-results on a read-only server answers WriteDisabled and writes nothing", async () => {
  await using ws = await exportWorkspace();
  const session = await openSession({ sandbox: ws.sandbox, refs: ws.refs });
  try {
    const result = await session.client.callTool({
      name: "cobre/export-results",
      arguments: { output_dir: `${ws.allowed}/output`, format: "csv", entity_type: "hydros" },
    });
    assert.equal(result.isError, true);
    const record = JSON.parse((result.content as { text: string }[])[0]?.text ?? "null");
    assert.equal(record.kind, "WriteDisabled");
    assert.equal(record.message, WRITE_DISABLED_MESSAGE);
    assert.equal(await Deno.stat(`${ws.allowed}/output/exports`).catch(() => null), null);
    const { tools } = await session.client.listTools();
    const listed = tools.find((tool) => tool.name === "cobre/export-results");
    assert.match(listed?.description ?? "", /Unavailable on this server/);
  } finally {
    await session.close();
  }
});

Deno.test("cobre/export-results writes filtered CSV from the real-CLI output under exports/", async () => {
  await using ws = await exportWorkspace();
  const session = await openSession({ sandbox: ws.sandbox, refs: ws.refs, mode: "read-write" });
  try {
    await session.client.listTools();
    const result = await session.client.callTool({
      name: "cobre/export-results",
      arguments: {
        output_dir: `${ws.allowed}/output`,
        format: "csv",
        entity_type: "hydros",
        filters: { entity_id: "ITAIPU", stage_range: [1, 2] },
      },
    });
    assert.equal(result.isError, false);
    const { file_path, rows, size_bytes } = structured(result);
    // ITAIPU is hydro 1; 3 scenarios x 2 stages (1..2) x 2 blocks.
    assert.equal(rows, 12);
    assert.equal(file_path, `${ws.allowed}/output/exports/hydros_ITAIPU_stages-1-2.csv`);
    const text = await Deno.readTextFile(file_path);
    assert.equal(size_bytes, new TextEncoder().encode(text).byteLength);
    const [header, ...lines] = text.trimEnd().split("\n");
    assert.equal(lines.length, 12);
    const columns = header?.split(",") ?? [];
    const at = (name: string) => columns.indexOf(name);
    // generation_mw = 1000 s + 100 t + 10 e + b for scenario 0, stage 1, hydro 1, block 0.
    const first = lines[0]?.split(",") ?? [];
    assert.equal(Number(first[at("generation_mw")]), 110);
    assert.equal(first[at("evaporation_m3s")], ""); // null for hydro 1
    assert.deepEqual(links(result), []); // small text exports carry no link
    // No hidden temporary file is left behind by the atomic write.
    const names = [];
    for await (const entry of Deno.readDir(`${ws.allowed}/output/exports`)) names.push(entry.name);
    assert.deepEqual(names, ["hydros_ITAIPU_stages-1-2.csv"]);
  } finally {
    await session.close();
  }
});

Deno.test("an Arrow export comes back as a ref:// link whose bytes only its session can read", async () => {
  await using ws = await exportWorkspace();
  const owner = await openSession({
    sandbox: ws.sandbox,
    refs: ws.refs,
    mode: "read-write",
    transportSessionId: "session-a",
  });
  const other = await openSession({
    sandbox: ws.sandbox,
    refs: ws.refs,
    mode: "read-write",
    transportSessionId: "session-b",
  });
  try {
    const result = await owner.client.callTool({
      name: "cobre/export-results",
      arguments: { output_dir: `${ws.allowed}/output`, format: "arrow", entity_type: "thermals" },
    });
    assert.equal(result.isError, false);
    const { file_path, rows } = structured(result);
    assert.equal(rows, 36); // 3 scenarios x 3 stages x 2 blocks x 2 thermals
    const [link] = links(result);
    assert.ok(link);
    assert.match(link.uri, /^ref:\/\/export-test\/[0-9a-f]{32}$/);
    assert.equal(link.mimeType, "application/vnd.apache.arrow.file");
    assert.equal(link.name, "thermals.arrow");
    assert.ok(!JSON.stringify(link).includes(ws.root), "the link names no host path");

    const read = await owner.client.readResource({ uri: link.uri });
    const content = read.contents[0] as { blob: string; mimeType: string };
    assert.equal(content.mimeType, "application/vnd.apache.arrow.file");
    const bytes = Uint8Array.from(atob(content.blob), (c) => c.charCodeAt(0));
    assert.deepEqual(bytes, await Deno.readFile(file_path));
    const table = tableFromIPC(bytes);
    assert.equal(table.numRows, 36);
    assert.equal(table.getChild("is_gnl")?.get(1), true); // rows alternate thermal 0, 1

    const foreign = await rejection(other.client.readResource({ uri: link.uri }));
    assert.equal(foreign.code, -32600);
    assert.equal(foreign.data?.kind, "PermissionDenied");
    assert.ok(!JSON.stringify(foreign).includes(ws.root));
  } finally {
    await owner.close();
    await other.close();
  }
});

Deno.test("notifications/resource_released deletes a ref's bytes and is recorded", async () => {
  await using ws = await exportWorkspace();
  const session = await openSession({ sandbox: ws.sandbox, refs: ws.refs, mode: "read-write" });
  try {
    const result = await session.client.callTool({
      name: "cobre/export-results",
      arguments: {
        output_dir: `${ws.allowed}/output`,
        format: "arrow",
        entity_type: "convergence",
      },
    });
    assert.equal(structured(result).rows, 4);
    const [link] = links(result);
    assert.ok(link);
    await session.client.readResource({ uri: link.uri });
    await session.client.notification({
      method: "notifications/resource_released",
      params: { uri: link.uri },
    });
    for (let i = 0; i < 100 && !ws.events.some((e) => e.kind === "mcp.ref_released"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const released = ws.events.find((e) => e.kind === "mcp.ref_released");
    assert.equal((released?.payload as { uri?: string } | undefined)?.uri, link.uri);
    const gone = await rejection(session.client.readResource({ uri: link.uri }));
    assert.equal(gone.code, -32002);
    assert.equal(gone.data?.context.reason, "released");
  } finally {
    await session.close();
  }
});

Deno.test("large CSV exports are linked too; JSON exports of convergence hold one object per row", async () => {
  await using ws = await exportWorkspace();
  // 3,000 stage rows of costs: far above the link threshold as CSV.
  const output = `${ws.allowed}/big`;
  await Deno.mkdir(`${output}/simulation/costs/scenario_id=0000`, { recursive: true });
  const rows = Array.from({ length: 3000 }, (_, stage) => {
    const row: Record<string, number | null> = {};
    for (const column of COSTS_TABLE.columns) {
      row[column.name] = column.type === "float64" ? stage + 0.5 : 0;
    }
    row.stage_id = stage;
    row.block_id = null;
    return row;
  });
  await Deno.writeFile(
    `${output}/simulation/costs/scenario_id=0000/data.parquet`,
    encodeParquet(COSTS_TABLE, rows),
  );
  const session = await openSession({ sandbox: ws.sandbox, refs: ws.refs, mode: "read-write" });
  try {
    const csv = await session.client.callTool({
      name: "cobre/export-results",
      arguments: { output_dir: output, format: "csv", entity_type: "costs" },
    });
    assert.equal(structured(csv).rows, 3000);
    assert.ok(structured(csv).size_bytes > EXPORT_LINK_THRESHOLD_BYTES);
    const [link] = links(csv);
    assert.equal(link?.mimeType, "text/csv");
    assert.equal(link?.size, structured(csv).size_bytes);

    const json = await session.client.callTool({
      name: "cobre/export-results",
      arguments: { output_dir: `${ws.allowed}/output`, format: "json", entity_type: "convergence" },
    });
    const records = JSON.parse(await Deno.readTextFile(structured(json).file_path));
    assert.deepEqual(records.map((r: { lower_bound: number }) => r.lower_bound), [
      100,
      150,
      180,
      190,
    ]);
    assert.deepEqual(links(json), []);
  } finally {
    await session.close();
  }
});

Deno.test("cobre/export-results refuses outputs outside the sandbox and names missing ones", async () => {
  await using ws = await exportWorkspace();
  await Deno.symlink(`${ws.outside}/output`, `${ws.allowed}/link-out`);
  const session = await openSession({ sandbox: ws.sandbox, refs: ws.refs, mode: "read-write" });
  try {
    for (const dir of [`${ws.outside}/output`, `${ws.allowed}/link-out`]) {
      const result = await session.client.callTool({
        name: "cobre/export-results",
        arguments: { output_dir: dir, format: "csv", entity_type: "hydros" },
      });
      assert.equal(result.isError, true);
      const record = JSON.parse((result.content as { text: string }[])[0]?.text ?? "null");
      assert.match(record.message, /not within the allowed directories/);
    }
    assert.equal(await Deno.stat(`${ws.outside}/output/exports`).catch(() => null), null);
    const missing = await session.client.callTool({
      name: "cobre/export-results",
      arguments: { output_dir: `${ws.allowed}/none`, format: "csv", entity_type: "hydros" },
    });
    const record = JSON.parse((missing.content as { text: string }[])[0]?.text ?? "null");
    assert.equal(record.kind, "OutputNotFound");
  } finally {
    await session.close();
  }
});
