/**
 * Loading the HiGHS WebAssembly runtime from bytes the caller read (the path comes from
 * `runtimeFiles().highsWasm` in `src/common`), so a sandboxed process needs read permission on
 * exactly one file (`highs.wasm`) and nothing else of the package.
 *
 * @module
 */
import * as highsPackage from "highs";
import type { Highs, InitOptions } from "highs";

// The package's types describe a CommonJS module while Deno loads its ES build; the default
// export is the loader either way, so name its declared signature instead of the interop shape.
const highsLoader = highsPackage.default as unknown as (options: InitOptions) => Promise<Highs>;

/** A loaded HiGHS runtime; solver models are created from it. */
export type HighsRuntime = Highs;

/** Instantiates HiGHS from the wasm bytes (or an already compiled module). */
export function loadHighsRuntime(wasm: Uint8Array | WebAssembly.Module): Promise<HighsRuntime> {
  return wasm instanceof WebAssembly.Module
    ? highsLoader({ wasmModule: wasm })
    : highsLoader({ wasmBinary: wasm });
}
