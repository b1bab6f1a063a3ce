/**
 * Progress notifications (Cobre MCP spec SS6). The spec puts its Cobre payload under
 * `params.metadata`, a field MCP clients strip when they parse the notification, so the same
 * payload also travels under `params._meta["dev.cobre/update"]`, which they keep. `total: null`
 * (spec: unknown) is omitted because MCP requires a number when present.
 *
 * @module
 */
import type { JsonValue } from "../common/mod.ts";
import type { ProgressUpdate } from "./types.ts";

/** `_meta` key carrying the Cobre progress payload. */
export const PROGRESS_META_KEY = "dev.cobre/update";

/** `notifications/progress` params as this server sends them. */
export interface ProgressParams {
  progressToken: string | number;
  progress: number;
  total?: number;
  message?: string;
  metadata?: Record<string, JsonValue>;
  _meta?: Record<string, Record<string, JsonValue>>;
}

/** Sends one `notifications/progress` related to the current request. */
export type ProgressSink = (params: ProgressParams) => Promise<void>;

/** Builds the notification params for `update` under `token`. */
export function progressParams(token: string | number, update: ProgressUpdate): ProgressParams {
  return {
    progressToken: token,
    progress: update.progress,
    ...(typeof update.total === "number" ? { total: update.total } : {}),
    ...(update.message !== undefined ? { message: update.message } : {}),
    ...(update.metadata !== undefined
      ? { metadata: update.metadata, _meta: { [PROGRESS_META_KEY]: update.metadata } }
      : {}),
  };
}

/**
 * The `sendProgress` of one request. Without a progress token the client asked for no
 * notifications, so nothing is sent; observers (recorder, job store) hear of every update anyway.
 */
export function progressSender(
  token: string | number | null,
  sink: ProgressSink,
  observe: (update: ProgressUpdate, sent: boolean) => void,
): (update: ProgressUpdate) => Promise<void> {
  return async (update) => {
    observe(update, token !== null);
    if (token === null) return;
    await sink(progressParams(token, update));
  };
}
