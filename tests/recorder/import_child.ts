/**
 * Child process (not a test file) started without any FFI permission: importing the recorder's
 * public module and using its pure parts must work, which proves the import never loads DuckDB.
 */
import { toPendingRow } from "../../src/recorder/mod.ts";

const row = toPendingRow({ kind: "mcp.logging", source: "server", message: "m" }, {
  eventId: "e",
  seq: 0,
  tsMs: 0,
  serverId: "s",
});
console.log(
  JSON.stringify({
    ffi: (await Deno.permissions.query({ name: "ffi" })).state,
    kind: row.eventKind,
  }),
);
