/**
 * Messages between the main thread and the recorder Workers. Types only: importing this never
 * loads DuckDB.
 *
 * @module
 */
import type { FlightEventRow, FlightFilter, PendingRow } from "./events.ts";

/** Main thread → writer Worker. */
export type WriterRequest =
  | {
    readonly type: "open";
    readonly dir: string;
    readonly segment: string;
    readonly batchSize: number;
    readonly flushIntervalMs: number;
  }
  | { readonly type: "events"; readonly rows: readonly PendingRow[] }
  | { readonly type: "flush"; readonly id: number }
  | { readonly type: "query"; readonly id: number; readonly filter: FlightFilter }
  | { readonly type: "close"; readonly id: number };

/** Writer Worker → main thread. */
export type WriterReply =
  | { readonly type: "ready" }
  | { readonly type: "open_failed"; readonly message: string }
  | { readonly type: "flushed"; readonly id: number; readonly written: number }
  | { readonly type: "rows"; readonly id: number; readonly rows: FlightEventRow[] }
  | { readonly type: "failed"; readonly id: number; readonly message: string }
  | { readonly type: "write_failed"; readonly message: string; readonly dropped: number }
  | { readonly type: "merged"; readonly segments: number; readonly events: number }
  | { readonly type: "closed"; readonly id: number };

/** Main thread → reader Worker. */
export interface ReaderRequest {
  readonly type: "read";
  readonly dir: string;
  readonly snapshotDir: string;
  readonly filter: FlightFilter;
}

/** Reader Worker → main thread. */
export type ReaderReply =
  | { readonly type: "rows"; readonly rows: FlightEventRow[]; readonly files: number }
  | { readonly type: "failed"; readonly message: string };
