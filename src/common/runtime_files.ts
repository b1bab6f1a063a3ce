/**
 * Absolute paths of the native and WebAssembly files the server loads at run time.
 *
 * The launch line grants exactly these files (read for the HiGHS wasm, FFI for the DuckDB
 * binding), so every layer must load them from the paths returned here. Resolution goes through
 * the module graph (`import.meta.resolve`, `require.resolve`), which needs no file-system
 * permission and yields the canonical file inside `node_modules/.deno/`: Deno checks permissions
 * against the path string it is given, so granting a symlinked alias would not cover the file.
 *
 * @module
 */
import { createRequire } from "node:module";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { CobreError, errorRecord } from "./error_record.ts";

/** Files the server process needs beyond the allowed directories and the state directory. */
export interface RuntimeFiles {
  /** HiGHS WebAssembly module; the engine reads its bytes and hands them to the loader. */
  highsWasm: string;
  /** DuckDB Node-API binding for this platform; only the recorder Worker may load it. */
  duckdbBinding: string;
}

/** Resolves the runtime files of this checkout; throws a CobreError when one is missing. */
export function runtimeFiles(): RuntimeFiles {
  return { highsWasm: highsWasmPath(), duckdbBinding: duckdbBindingPath() };
}

function highsWasmPath(): string {
  const loader = fileURLToPath(import.meta.resolve("highs"));
  return resolveOrExplain(loader, "./highs.wasm", "HiGHS WebAssembly module (highs.wasm)");
}

/** Mirrors `@duckdb/node-bindings/duckdb.js`, which picks one package per platform and libc. */
function duckdbBindingPath(): string {
  const api = fileURLToPath(import.meta.resolve("@duckdb/node-api"));
  const bindings = resolveOrExplain(api, "@duckdb/node-bindings", "DuckDB bindings package");
  const musl = process.platform === "linux" && Deno.build.env === "musl" ? "-musl" : "";
  const pkg = `@duckdb/node-bindings-${process.platform}-${process.arch}${musl}`;
  return resolveOrExplain(bindings, `${pkg}/duckdb.node`, `DuckDB native binding (${pkg})`);
}

function resolveOrExplain(fromFile: string, request: string, what: string): string {
  try {
    return createRequire(fromFile).resolve(request);
  } catch {
    throw new CobreError(errorRecord(
      "InternalError",
      `The ${what} is not installed`,
      { request },
      'Run "npx -y deno@2.9.5 install" in the cobre-mcp checkout.',
    ));
  }
}
