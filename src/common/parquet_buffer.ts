/**
 * Adapts a `RandomAccessFile` to the `AsyncBuffer` shape hyparquet reads from.
 *
 * @module
 */
import type { RandomAccessFile } from "./file_access.ts";

/** Structurally hyparquet's `AsyncBuffer`, declared here so `common` needs no npm import. */
export interface ByteSource {
  byteLength: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength
    ? bytes.buffer as ArrayBuffer
    : bytes.slice().buffer as ArrayBuffer;
}

/**
 * hyparquet fetches column chunks concurrently, which `RandomAccessFile.read` allows (positional
 * reads). Files up to `wholeFileBytes` are read once and sliced in memory: right for inputs that
 * are read entirely anyway; leave it 0 where only some column chunks should be touched.
 * A short read (file truncated under us) is an error, never silently shorter data.
 */
export function asyncBufferOf(file: RandomAccessFile, wholeFileBytes = 0): ByteSource {
  let whole: Promise<Uint8Array> | null = null;
  return {
    byteLength: file.size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = Math.min(end ?? file.size, file.size);
      if (file.size <= wholeFileBytes) {
        whole ??= file.read(0, file.size);
        const bytes = await whole;
        if (bytes.byteLength !== file.size) throw shortRead(bytes.byteLength, file.size);
        return toArrayBuffer(bytes.slice(start, stop));
      }
      const bytes = await file.read(start, stop);
      if (bytes.byteLength !== stop - start) throw shortRead(bytes.byteLength, stop - start);
      return toArrayBuffer(bytes);
    },
  };
}

function shortRead(got: number, expected: number): Error {
  return new Error(`short read: ${got} of ${expected} bytes`);
}
