import assert from "node:assert/strict";
import { runtimeFiles } from "../../src/common/mod.ts";
import {
  openFlightRecorder,
  readFlightEvents,
  RECORDER_SOURCE_DIR,
} from "../../src/recorder/mod.ts";
import { killHard, spawnChild, withStateDir } from "./helpers.ts";

const binding = runtimeFiles().duckdbBinding;

/** The least privilege a server process gets for its recorder. */
function leastPrivilege(stateDir: string): string[] {
  return [
    "--unstable-worker-options",
    `--allow-ffi=${binding}`,
    `--allow-read=${binding},${stateDir},${RECORDER_SOURCE_DIR}`,
    `--allow-write=${stateDir}`,
  ];
}

interface ChildReport {
  flushed: string[];
  ffiState: string;
  dlopenError: string;
  afterRevoke: string;
  storedAfterRevoke: string[];
}

Deno.test("Privilege separation: after start the main thread cannot dlopen, the Worker still writes", async () => {
  await withStateDir(async (dir) => {
    const child = await spawnChild(
      leastPrivilege(dir),
      new URL("./record_child.ts", import.meta.url),
      [dir],
    );
    try {
      const report: ChildReport = JSON.parse(child.firstLine);
      assert.notEqual(report.ffiState, "granted");
      assert.equal(report.dlopenError, "NotCapable");
      assert.deepEqual(report.storedAfterRevoke, [report.afterRevoke]);
    } finally {
      await killHard(child.process);
    }
  });
});

Deno.test("Crash: after SIGKILL the database holds every event flushed before it", async () => {
  await withStateDir(async (dir) => {
    const child = await spawnChild(
      leastPrivilege(dir),
      new URL("./record_child.ts", import.meta.url),
      [dir],
    );
    let report: ChildReport;
    try {
      report = JSON.parse(child.firstLine);
      // While the child runs, its segment is locked: the reader works from a snapshot copy.
      const live = await readFlightEvents(dir);
      assert.deepEqual(
        live.rows.filter((r) => r.eventKind === "mcp.progress").map((r) => r.eventId),
        report.flushed,
      );
    } finally {
      await killHard(child.process);
    }
    const afterCrash = await readFlightEvents(dir);
    const ids = afterCrash.rows.map((r) => r.eventId);
    for (const id of [...report.flushed, report.afterRevoke]) assert.ok(ids.includes(id), id);
    assert.equal(afterCrash.rows.filter((r) => r.message.startsWith("flushed")).length, 50);
    assert.ok(afterCrash.rows.every((r) => r.serverId === "srv-child"));

    // The next recorder merges the crashed segment into the archive; nothing is lost or doubled.
    const next = await openFlightRecorder({
      stateDir: dir,
      serverId: "srv-next",
      revokeFfi: false,
    });
    try {
      await next.flush();
      const deadline = Date.now() + 5_000;
      while (next.stats().mergedSegments === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(next.stats().mergedSegments, 1);
      const merged = await readFlightEvents(dir);
      assert.deepEqual(merged.rows.map((r) => r.eventId), ids);
    } finally {
      await next.close();
    }
  });
});

Deno.test("Importing the recorder module never loads DuckDB (works with no FFI permission)", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      new URL("../../deno.json", import.meta.url).pathname,
      new URL("./import_child.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  const report = JSON.parse(new TextDecoder().decode(output.stdout));
  assert.notEqual(report.ffi, "granted");
  assert.equal(report.kind, "mcp.logging");
});
