/**
 * The `fr_events` table in DuckDB: DDL, the batched insert and the filtered read. Inserts go
 * through DuckDB's Appender (typed values, no SQL); reads are fixed statements prepared with bound
 * parameters. Nothing an agent sends ever becomes SQL text.
 *
 * @module
 */
import { type DuckDBAppender, type DuckDBConnection, DuckDBTimestampValue } from "@duckdb/node-api";
import type { JsonValue } from "../common/mod.ts";
import type { FlightEventRow, FlightFilter, PendingRow } from "./events.ts";

/** DDL; idempotent. Indexes serve the `flight --job` and `--kind` filters. */
export const FR_EVENTS_DDL = `
CREATE TABLE IF NOT EXISTS fr_events (
  event_id              VARCHAR NOT NULL,
  seq                   BIGINT NOT NULL,
  ts_utc                TIMESTAMP NOT NULL,
  server_id             VARCHAR NOT NULL,
  session_id            VARCHAR,
  task_id               VARCHAR,
  job_id                VARCHAR,
  workflow_run_id       VARCHAR,
  trace_id              VARCHAR,
  event_kind            VARCHAR NOT NULL,
  source                VARCHAR NOT NULL,
  level                 VARCHAR NOT NULL,
  message               VARCHAR NOT NULL,
  payload               JSON,
  tool_name             VARCHAR,
  capability_profile_id VARCHAR,
  gate_decision         VARCHAR,
  duration_ms           DOUBLE,
  error_code            VARCHAR,
  client_claims         JSON
);
CREATE INDEX IF NOT EXISTS idx_fr_events_job_id ON fr_events(job_id);
CREATE INDEX IF NOT EXISTS idx_fr_events_event_kind ON fr_events(event_kind);
`;

const SELECT_COLUMNS = `
SELECT event_id, seq, epoch_ms(ts_utc) AS ts_ms, server_id, session_id, task_id, job_id,
       workflow_run_id, trace_id, event_kind, source, level, message, payload::VARCHAR AS payload,
       tool_name, capability_profile_id, gate_decision, duration_ms, error_code,
       client_claims::VARCHAR AS client_claims
FROM fr_events`;

const FILTER = `
WHERE ($1::VARCHAR IS NULL OR job_id = $1)
  AND ($2::VARCHAR IS NULL OR event_kind = $2)
  AND ($3::TIMESTAMP IS NULL OR ts_utc >= $3)
  AND ($4::VARCHAR IS NULL OR session_id = $4)`;

const SELECT_OLDEST_SQL = `${SELECT_COLUMNS} ${FILTER} ORDER BY ts_utc, seq LIMIT $5`;
const SELECT_NEWEST_SQL = `${SELECT_COLUMNS} ${FILTER} ORDER BY ts_utc DESC, seq DESC LIMIT $5`;
const SELECT_AFTER_SEQ_SQL = `${SELECT_COLUMNS} WHERE seq > $1 ORDER BY seq LIMIT $2`;

function timestamp(ms: number): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(Math.round(ms)) * 1000n);
}

/** Creates the table and indexes if missing. */
export async function createSchema(connection: DuckDBConnection): Promise<void> {
  await connection.run(FR_EVENTS_DDL);
}

/** A prepared batch insert bound to `connection`. */
export interface EventWriter {
  write(rows: readonly PendingRow[]): Promise<void>;
}

function appendText(appender: DuckDBAppender, value: string | null): void {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}

/**
 * The batch writer: DuckDB's Appender, column by column in table order, one flush per batch.
 * No SQL text at all on the write path (typed values only), and about ten times faster than a
 * prepared `INSERT ... SELECT UNNEST(...)` of the same batch (see tests/recorder/recorder_bench.ts).
 */
export function prepareWriter(connection: DuckDBConnection): Promise<EventWriter> {
  return Promise.resolve({
    async write(rows) {
      if (rows.length === 0) return;
      const appender = await connection.createAppender("fr_events");
      try {
        for (const row of rows) {
          appender.appendVarchar(row.eventId);
          appender.appendBigInt(BigInt(row.seq));
          appender.appendTimestamp(timestamp(row.tsMs));
          appender.appendVarchar(row.serverId);
          appendText(appender, row.sessionId);
          appendText(appender, row.taskId);
          appendText(appender, row.jobId);
          appendText(appender, row.workflowRunId);
          appendText(appender, row.traceId);
          appender.appendVarchar(row.eventKind);
          appender.appendVarchar(row.source);
          appender.appendVarchar(row.level);
          appender.appendVarchar(row.message);
          appendText(appender, row.payloadJson);
          appendText(appender, row.toolName);
          appendText(appender, row.capabilityProfileId);
          appendText(appender, row.gateDecision);
          if (row.durationMs === null) appender.appendNull();
          else appender.appendDouble(row.durationMs);
          appendText(appender, row.errorCode);
          appendText(appender, row.clientClaimsJson);
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
    },
  });
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function numberOrNull(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return null;
}

function jsonOrNull(value: unknown): JsonValue | null {
  return typeof value === "string" ? JSON.parse(value) as JsonValue : null;
}

type RawRow = Record<string, unknown>;

function eventRow(row: RawRow): FlightEventRow {
  return {
    eventId: String(row.event_id),
    seq: Number(row.seq),
    tsUtc: new Date(Number(row.ts_ms)).toISOString(),
    serverId: String(row.server_id),
    sessionId: textOrNull(row.session_id),
    taskId: textOrNull(row.task_id),
    jobId: textOrNull(row.job_id),
    workflowRunId: textOrNull(row.workflow_run_id),
    traceId: textOrNull(row.trace_id),
    eventKind: String(row.event_kind),
    source: String(row.source),
    level: String(row.level),
    message: String(row.message),
    payload: jsonOrNull(row.payload),
    toolName: textOrNull(row.tool_name),
    capabilityProfileId: textOrNull(row.capability_profile_id),
    gateDecision: textOrNull(row.gate_decision),
    durationMs: numberOrNull(row.duration_ms),
    errorCode: textOrNull(row.error_code),
    clientClaims: jsonOrNull(row.client_claims),
  };
}

function pendingRow(row: RawRow): PendingRow {
  return {
    eventId: String(row.event_id),
    seq: Number(row.seq),
    tsMs: Number(row.ts_ms),
    serverId: String(row.server_id),
    sessionId: textOrNull(row.session_id),
    taskId: textOrNull(row.task_id),
    jobId: textOrNull(row.job_id),
    workflowRunId: textOrNull(row.workflow_run_id),
    traceId: textOrNull(row.trace_id),
    eventKind: String(row.event_kind),
    source: String(row.source),
    level: String(row.level),
    message: String(row.message),
    payloadJson: textOrNull(row.payload),
    toolName: textOrNull(row.tool_name),
    capabilityProfileId: textOrNull(row.capability_profile_id),
    gateDecision: textOrNull(row.gate_decision),
    durationMs: numberOrNull(row.duration_ms),
    errorCode: textOrNull(row.error_code),
    clientClaimsJson: textOrNull(row.client_claims),
  };
}

/** Reads events matching `filter`, oldest first (the newest `limit` when `filter.newest`). */
export async function queryEvents(
  connection: DuckDBConnection,
  filter: FlightFilter = {},
): Promise<FlightEventRow[]> {
  const select = await connection.prepare(filter.newest ? SELECT_NEWEST_SQL : SELECT_OLDEST_SQL);
  const bindText = (index: number, value: string | undefined) =>
    value === undefined ? select.bindNull(index) : select.bindVarchar(index, value);
  bindText(1, filter.jobId);
  bindText(2, filter.kind);
  if (filter.sinceMs === undefined) select.bindNull(3);
  else select.bindTimestamp(3, timestamp(filter.sinceMs));
  bindText(4, filter.sessionId);
  select.bindBigInt(5, BigInt(Math.max(0, Math.floor(filter.limit ?? 10_000))));
  const rows = (await select.runAndReadAll()).getRowObjects().map(eventRow);
  return filter.newest ? rows.reverse() : rows;
}

/** Up to `limit` stored rows with `seq > afterSeq`, in sequence order, ready to re-insert. */
export async function readRowsAfter(
  connection: DuckDBConnection,
  afterSeq: number,
  limit: number,
): Promise<PendingRow[]> {
  const select = await connection.prepare(SELECT_AFTER_SEQ_SQL);
  select.bindBigInt(1, BigInt(afterSeq));
  select.bindBigInt(2, BigInt(limit));
  return (await select.runAndReadAll()).getRowObjects().map(pendingRow);
}
