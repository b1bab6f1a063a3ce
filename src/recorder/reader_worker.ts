/**
 * The `flight` reader Worker: holds FFI for the DuckDB binding, reads the recorder directory and
 * writes only into its private snapshot directory.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { describeError } from "./duck.ts";
import type { ReaderReply, ReaderRequest } from "./protocol.ts";
import { readHistory } from "./reader.ts";

self.onmessage = async (event: MessageEvent<ReaderRequest>) => {
  const { dir, snapshotDir, filter } = event.data;
  let message: ReaderReply;
  try {
    const { rows, files } = await readHistory(dir, snapshotDir, filter);
    message = { type: "rows", rows, files };
  } catch (error) {
    message = { type: "failed", message: describeError(error) };
  } finally {
    await Deno.remove(snapshotDir, { recursive: true }).catch(() => {});
  }
  self.postMessage(message);
};
