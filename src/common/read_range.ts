/**
 * The positional read behind every `RandomAccessFile`, direct or sandboxed.
 *
 * @module
 */
import type { FileHandle } from "node:fs/promises";

/**
 * Reads `[start, end)` of an open file, clamped to `size`, with positional reads: hyparquet
 * fetches column chunks concurrently on one handle, so nothing may depend on a file cursor.
 */
export async function readRange(
  handle: FileHandle,
  size: number,
  start: number,
  end: number,
): Promise<Uint8Array> {
  const from = Math.max(0, Math.min(start, size));
  const out = new Uint8Array(Math.max(0, Math.min(end, size) - from));
  let filled = 0;
  while (filled < out.length) {
    const { bytesRead } = await handle.read(out, filled, out.length - filled, from + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === out.length ? out : out.subarray(0, filled);
}
