/**
 * Stands in for `main.ts` behind a launch line: takes the same `serve` arguments, then reports
 * as JSON what the runtime really granted and what the server code can and cannot do with it.
 */
import { runtimeFiles } from "../../../src/common/mod.ts";
import { openFlightRecorder } from "../../../src/recorder/mod.ts";
import { detectServerMode, Sandbox, SERVER_ENV_VARS } from "../../../src/security/mod.ts";

function option(name: string): string {
  const at = Deno.args.indexOf(name);
  const value = at >= 0 ? Deno.args[at + 1] : undefined;
  if (value === undefined) throw new Error(`missing ${name}`);
  return value;
}

async function state(descriptor: Deno.PermissionDescriptor): Promise<string> {
  return (await Deno.permissions.query(descriptor)).state;
}

/** "ok" (or the string the action returns), else the error's record kind or class name. */
async function outcome(action: () => Promise<unknown>): Promise<string> {
  try {
    const result = await action();
    return typeof result === "string" ? result : "ok";
  } catch (error) {
    const record = (error as { record?: { kind: string } }).record;
    return record?.kind ?? (error instanceof Error ? error.name : String(error));
  }
}

const allowedDirs = option("--allowed-dirs").split(",");
const stateDir = option("--state-dir");
const [firstDir] = allowedDirs;
const files = runtimeFiles();
const sandbox = await Sandbox.create(allowedDirs, { stateDir });
const stamp = `${Date.now()}_${Math.random().toString(36).slice(2)}`;

const probePath = Deno.args.includes("--probe-path") ? option("--probe-path") : null;

const report = {
  args: Deno.args,
  mode: await outcome(() => detectServerMode({ allowedDirs, stateDir })),
  unrestricted: Object.fromEntries(
    await Promise.all(
      (["read", "write", "ffi", "run", "env", "net", "sys"] as const).map(async (name) =>
        [name, await state({ name })] as const
      ),
    ),
  ),
  readAllowed: await Promise.all(allowedDirs.map((path) => state({ name: "read", path }))),
  writeAllowed: await Promise.all(allowedDirs.map((path) => state({ name: "write", path }))),
  stateDir: [
    await state({ name: "read", path: stateDir }),
    await state({ name: "write", path: stateDir }),
  ],
  env: Object.fromEntries(
    await Promise.all(
      [...SERVER_ENV_VARS, "PATH", "AWS_SECRET_ACCESS_KEY"].map(async (variable) =>
        [variable, await state({ name: "env", variable })] as const
      ),
    ),
  ),
  probePath: probePath === null ? null : await outcome(() => sandbox.resolve(probePath)),
  ffiBinding: await state({ name: "ffi", path: files.duckdbBinding }),
  net: await state({ name: "net", host: "127.0.0.1:3000" }),
  highsWasmBytes: await outcome(() => Deno.readFile(files.highsWasm)),
  duckdb: await outcome(async () => {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    await connection.run("select 42");
    connection.closeSync();
  }),
  readOutside: await outcome(() => Deno.readTextFile("/etc/hostname")),
  sandboxRead: await outcome(() => sandbox.access.readDir(firstDir!)),
  procSelf: await outcome(() => Deno.readTextFile("/proc/self/environ")),
  raceProofReads: sandbox.raceProofReads,
  rawWriteAllowed: await outcome(() => Deno.writeTextFile(`${firstDir}/raw_${stamp}.txt`, "x")),
  sandboxWriteAllowed: await outcome(() =>
    sandbox.access.writeNewFile(`${firstDir}/sandboxed_${stamp}.txt`, new Uint8Array([1]))
  ),
  writeState: await outcome(async () => {
    await Deno.mkdir(stateDir, { recursive: true });
    await Deno.writeTextFile(`${stateDir}/probe_${stamp}.txt`, "x");
  }),
  // Last: the recorder Worker takes FFI with it and the main thread revokes its own.
  recorder: await outcome(async () => {
    const recorder = await openFlightRecorder({ stateDir, serverId: "launch-probe" });
    await recorder.close();
  }),
  ffiAfterRecorder: await state({ name: "ffi", path: files.duckdbBinding }),
};
console.log(JSON.stringify(report));
