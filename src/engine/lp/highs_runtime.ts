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
import type { HighsCApi } from "./highs_native.ts";
import { HighsNative } from "./highs_native.ts";

/** A loaded HiGHS runtime; solver models are created from it. */
export interface HighsRuntime {
  /** HiGHS version string, e.g. "1.15.1". */
  readonly version: string;
  /** The C API with scratch memory (see `highs_native.ts`). */
  readonly native: HighsNative;
}

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
export async function loadHighsRuntime(
  wasm: Uint8Array | WebAssembly.Module,
): Promise<HighsRuntime> {
  // Bytes come from a file read or a structured clone, never from shared memory.
  const compiled = wasm instanceof WebAssembly.Module
    ? wasm
    : await WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>);
  // The hook also hands over the instance, whose exported memory the solvers read directly.
  let memory: WebAssembly.Memory | null = null;
  const highs = await highsLoader({
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(compiled, imports).then((instance) => {
        memory = Object.values(instance.exports).find((value) =>
          value instanceof WebAssembly.Memory
        ) ?? null;
        receive(instance);
      });
      return {};
    },
  });
  if (memory === null) throw new Error("The HiGHS module exports no memory");
  // The C API functions are module properties the package's types do not declare.
  const api = highs as unknown as HighsCApi;
  return { version: highs.version.string, native: new HighsNative(api, memory) };
}
