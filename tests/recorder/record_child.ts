/**
 * Child process for the crash and privilege tests (not a test file). Started with only
 * `--allow-ffi=<binding>`, read/write on the state dir and read on the binding. It opens a recorder
 * (which revokes FFI in this thread), records and flushes 50 events, checks that this thread can
 * no longer load native code while the Worker still writes, queues 5 more events it never flushes,
 * prints one JSON line and waits to be killed.
 */
import { runtimeFiles } from "../../src/common/mod.ts";
import { openFlightRecorder } from "../../src/recorder/mod.ts";

const [stateDir] = Deno.args;
if (stateDir === undefined) throw new Error("usage: record_child.ts <stateDir>");
const recorder = await openFlightRecorder({
  stateDir,
  serverId: "srv-child",
  batchSize: 10_000,
  flushIntervalMs: 600_000,
});
const flushed: string[] = [];
for (let i = 0; i < 50; i++) {
  flushed.push(
    recorder.record({ kind: "mcp.progress", source: "engine", message: `flushed ${i}` }),
  );
}
await recorder.flush();

const ffiState = (await Deno.permissions.query({ name: "ffi" })).state;
let dlopenError = "none";
try {
  Deno.dlopen(runtimeFiles().duckdbBinding, {});
} catch (error) {
  dlopenError = error instanceof Error ? error.name : String(error);
}
const afterRevoke = recorder.record({
  kind: "mcp.logging",
  source: "server",
  message: "after revoke",
});
await recorder.flush();
const storedAfterRevoke = (await recorder.query({ kind: "mcp.logging" })).map((r) => r.eventId);

for (let i = 0; i < 5; i++) {
  recorder.record({ kind: "mcp.progress", source: "engine", message: `unflushed ${i}` });
}
console.log(JSON.stringify({ flushed, ffiState, dlopenError, afterRevoke, storedAfterRevoke }));
setInterval(() => {}, 60_000);
