/**
 * Direct calls into the HiGHS C API inside the WebAssembly instance, for the solvers of this
 * folder.
 *
 * The `highs` package wraps every call with argument validation, a fresh allocation per array
 * and a full copy of every result (all four solution vectors even when only duals are read).
 * The engine calls HiGHS tens of thousands of times per run on small LPs, so these solvers copy
 * their inputs into one reused scratch block and read only the results they need straight from
 * wasm memory.
 *
 * Views into wasm memory are made right before use and never kept: any HiGHS call may grow the
 * memory, which detaches earlier views.
 *
 * @module
 */

/** The C API functions the solvers call (`Highs_*` of `highs_c_api.h`, HighsInt = int32). */
export interface HighsCApi {
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  _Highs_create(): number;
  _Highs_destroy(highs: number): void;
  _Highs_run(highs: number): number;
  _Highs_clearSolver(highs: number): number;
  _Highs_passLp(
    highs: number,
    numCol: number,
    numRow: number,
    numNz: number,
    aFormat: number,
    sense: number,
    offset: number,
    colCost: number,
    colLower: number,
    colUpper: number,
    rowLower: number,
    rowUpper: number,
    aStart: number,
    aIndex: number,
    aValue: number,
  ): number;
  _Highs_addRows(
    highs: number,
    numNewRow: number,
    lower: number,
    upper: number,
    numNewNz: number,
    starts: number,
    index: number,
    value: number,
  ): number;
  _Highs_deleteRowsBySet(highs: number, count: number, set: number): number;
  _Highs_changeRowsBoundsByRange(
    highs: number,
    from: number,
    to: number,
    lower: number,
    upper: number,
  ): number;
  _Highs_changeRowsBoundsBySet(
    highs: number,
    count: number,
    set: number,
    lower: number,
    upper: number,
  ): number;
  _Highs_changeColsBoundsBySet(
    highs: number,
    count: number,
    set: number,
    lower: number,
    upper: number,
  ): number;
  _Highs_getModelStatus(highs: number): number;
  _Highs_getObjectiveValue(highs: number): number;
  _Highs_getSolution(
    highs: number,
    colValue: number,
    colDual: number,
    rowValue: number,
    rowDual: number,
  ): number;
  _Highs_getBasis(highs: number, colStatus: number, rowStatus: number): number;
  _Highs_setBasis(highs: number, colStatus: number, rowStatus: number): number;
  _Highs_getIntInfoValue(highs: number, name: number, value: number): number;
  _Highs_getOptionType(highs: number, name: number, type: number): number;
  _Highs_setBoolOptionValue(highs: number, name: number, value: number): number;
  _Highs_setIntOptionValue(highs: number, name: number, value: number): number;
  _Highs_setDoubleOptionValue(highs: number, name: number, value: number): number;
  _Highs_setStringOptionValue(highs: number, name: number, value: number): number;
}

/** HiGHS call status for an error (`kHighsStatusError`). */
export const HIGHS_ERROR = -1;

/** HiGHS option type codes (`kHighsOptionType*`). */
const OPTION_TYPE = { bool: 0, int: 1, double: 2, string: 3 } as const;

/** The C API of one runtime plus reusable scratch memory. Single-threaded, like the runtime. */
export class HighsNative {
  readonly api: HighsCApi;
  readonly #memory: WebAssembly.Memory;
  #scratch = 0;
  #scratchBytes = 0;
  /** Next free byte of the scratch block in the current `begin` sequence. */
  #next = 0;
  /** Eight bytes for single values HiGHS writes back (option types, info values). */
  readonly #slot: number;
  readonly #strings = new Map<string, number>();

  constructor(api: HighsCApi, memory: WebAssembly.Memory) {
    this.api = api;
    this.#memory = memory;
    this.#slot = api._malloc(8);
  }

  /** A view of `length` doubles at `pointer` (valid until the next HiGHS call). */
  f64(pointer: number, length: number): Float64Array {
    return new Float64Array(this.#memory.buffer, pointer, length);
  }

  /** A view of `length` int32 values at `pointer` (valid until the next HiGHS call). */
  i32(pointer: number, length: number): Int32Array {
    return new Int32Array(this.#memory.buffer, pointer, length);
  }

  /**
   * Starts filling the scratch block, which must hold `bytes` (count each array rounded up to 8
   * bytes, see `bytesOf`). Pointers from `put` / `take` stay valid until the next `begin`.
   */
  begin(bytes: number): void {
    if (bytes > this.#scratchBytes) {
      if (this.#scratch !== 0) this.api._free(this.#scratch);
      // Grow geometrically so a model that gains rows does not reallocate on every call.
      this.#scratchBytes = Math.max(bytes, this.#scratchBytes * 2, 4096);
      this.#scratch = this.api._malloc(this.#scratchBytes);
      if (this.#scratch === 0) throw new RangeError("HiGHS could not allocate scratch memory");
    }
    this.#next = this.#scratch;
  }

  /** Copies `values` into the scratch block; returns its pointer. */
  put(values: Float64Array | Int32Array): number {
    const pointer = this.take(values.byteLength);
    if (values instanceof Float64Array) this.f64(pointer, values.length).set(values);
    else this.i32(pointer, values.length).set(values);
    return pointer;
  }

  /** Reserves `bytes` of the scratch block for HiGHS to write into; returns its pointer. */
  take(bytes: number): number {
    const pointer = this.#next;
    this.#next += bytesOf(bytes);
    return pointer;
  }

  /** A NUL-terminated copy of an ASCII name, kept for the runtime's lifetime. */
  name(text: string): number {
    let pointer = this.#strings.get(text);
    if (pointer === undefined) {
      const bytes = new TextEncoder().encode(`${text}\0`);
      pointer = this.api._malloc(bytes.length);
      new Uint8Array(this.#memory.buffer, pointer, bytes.length).set(bytes);
      this.#strings.set(text, pointer);
    }
    return pointer;
  }

  /** Sets options of any type; throws naming the first option HiGHS refuses. */
  setOptions(highs: number, options: Readonly<Record<string, string | number | boolean>>): void {
    for (const [key, value] of Object.entries(options)) {
      const name = this.name(key);
      if (this.api._Highs_getOptionType(highs, name, this.#slot) === HIGHS_ERROR) {
        throw new Error(`HiGHS has no option "${key}"`);
      }
      const type = this.i32(this.#slot, 1)[0];
      let status: number;
      if (type === OPTION_TYPE.bool) {
        status = this.api._Highs_setBoolOptionValue(highs, name, value ? 1 : 0);
      } else if (type === OPTION_TYPE.int) {
        status = this.api._Highs_setIntOptionValue(highs, name, Number(value));
      } else if (type === OPTION_TYPE.double) {
        status = this.api._Highs_setDoubleOptionValue(highs, name, Number(value));
      } else status = this.api._Highs_setStringOptionValue(highs, name, this.name(String(value)));
      if (status === HIGHS_ERROR) throw new Error(`HiGHS refused option ${key} = ${value}`);
    }
  }

  /** An integer info value of the last run (e.g. `simplex_iteration_count`), 0 if unknown. */
  intInfo(highs: number, key: string): number {
    const status = this.api._Highs_getIntInfoValue(highs, this.name(key), this.#slot);
    return status === HIGHS_ERROR ? 0 : this.i32(this.#slot, 1)[0]!;
  }
}

/** Scratch bytes `arrays` need (for `begin`). */
export function sizeOf(...arrays: (Float64Array | Int32Array)[]): number {
  let bytes = 0;
  for (const array of arrays) bytes += bytesOf(array.byteLength);
  return bytes;
}

/** Bytes an array of `bytes` takes in the scratch block (8-byte aligned). */
export function bytesOf(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}
