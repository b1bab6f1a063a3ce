/**
 * Loading the HiGHS WebAssembly runtime from bytes the caller read (the path comes from
 * `runtimeFiles().highsWasm` in `src/common`), so a sandboxed process needs read permission on
 * exactly one file (`highs.wasm`) and nothing else of the package; a Worker that receives an
 * already compiled module needs no file access at all.
 *
 * @module
 */
import * as highsPackage from "highs";
import type { Highs, InitOptions } from "highs";

/** A loaded HiGHS runtime; solver models are created from it. */
export type HighsRuntime = Highs;

/**
 * Loader options including Emscripten's `instantiateWasm` hook. The package's `wasmModule`
 * option is not honoured by this build (it still fetches `highs.wasm`), so a precompiled module
 * is instantiated through the hook instead.
 */
type LoaderOptions = InitOptions & {
  instantiateWasm?: (
    imports: WebAssembly.Imports,
    receive: (instance: WebAssembly.Instance) => void,
  ) => Record<string, never>;
};

// The package's types describe a CommonJS module while Deno loads its ES build; the default
// export is the loader either way, so name its declared signature instead of the interop shape.
const highsLoader = highsPackage.default as unknown as (options: LoaderOptions) => Promise<Highs>;

/** Instantiates HiGHS from the wasm bytes or an already compiled module (no file access). */
export function loadHighsRuntime(wasm: Uint8Array | WebAssembly.Module): Promise<HighsRuntime> {
  if (!(wasm instanceof WebAssembly.Module)) return highsLoader({ wasmBinary: wasm });
  return highsLoader({
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(wasm, imports).then(receive);
      return {};
    },
  });
}
