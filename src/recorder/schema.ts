/**
 * The `fr_events` table in DuckDB: DDL, the batched insert and the filtered read. Every statement
 * is fixed text prepared once; values only ever arrive as bound parameters, so nothing an agent
 * sends becomes SQL.
 *
 * @module
 */
import {
  BIGINT,
  DOUBLE,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  DuckDBTimestampValue,
  type DuckDBValue,
  LIST,
  listValue,
  TIMESTAMP,
  VARCHAR,
} from "@duckdb/node-api";
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

// One list parameter per column, unnested side by side: a whole batch is one prepared execution.
const INSERT_SQL = `
INSERT INTO fr_events SELECT
  UNNEST($1::VARCHAR[]), UNNEST($2::BIGINT[]), UNNEST($3::TIMESTAMP[]), UNNEST($4::VARCHAR[]),
  UNNEST($5::VARCHAR[]), UNNEST($6::VARCHAR[]), UNNEST($7::VARCHAR[]), UNNEST($8::VARCHAR[]),
  UNNEST($9::VARCHAR[]), UNNEST($10::VARCHAR[]), UNNEST($11::VARCHAR[]), UNNEST($12::VARCHAR[]),
  UNNEST($13::VARCHAR[]), UNNEST($14::VARCHAR[])::JSON, UNNEST($15::VARCHAR[]),
  UNNEST($16::VARCHAR[]), UNNEST($17::VARCHAR[]), UNNEST($18::DOUBLE[]), UNNEST($19::VARCHAR[]),
  UNNEST($20::VARCHAR[])::JSON
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

const VARCHAR_LIST = LIST(VARCHAR);

function timestamp(ms: number): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(Math.round(ms)) * 1000n);
}

type Column = (row: PendingRow) => DuckDBValue;

const COLUMNS: readonly [Column, ReturnType<typeof LIST>][] = [
  [(r) => r.eventId, VARCHAR_LIST],
  [(r) => BigInt(r.seq), LIST(BIGINT)],
  [(r) => timestamp(r.tsMs), LIST(TIMESTAMP)],
  [(r) => r.serverId, VARCHAR_LIST],
  [(r) => r.sessionId, VARCHAR_LIST],
  [(r) => r.taskId, VARCHAR_LIST],
  [(r) => r.jobId, VARCHAR_LIST],
  [(r) => r.workflowRunId, VARCHAR_LIST],
  [(r) => r.traceId, VARCHAR_LIST],
  [(r) => r.eventKind, VARCHAR_LIST],
  [(r) => r.source, VARCHAR_LIST],
  [(r) => r.level, VARCHAR_LIST],
  [(r) => r.message, VARCHAR_LIST],
  [(r) => r.payloadJson, VARCHAR_LIST],
  [(r) => r.toolName, VARCHAR_LIST],
  [(r) => r.capabilityProfileId, VARCHAR_LIST],
  [(r) => r.gateDecision, VARCHAR_LIST],
  [(r) => r.durationMs, LIST(DOUBLE)],
  [(r) => r.errorCode, VARCHAR_LIST],
  [(r) => r.clientClaimsJson, VARCHAR_LIST],
];

/** Creates the table and indexes if missing. */
export async function createSchema(connection: DuckDBConnection): Promise<void> {
  await connection.run(FR_EVENTS_DDL);
}

/** A prepared batch insert bound to `connection`. */
export interface EventWriter {
  write(rows: readonly PendingRow[]): Promise<void>;
}

/** Prepares the batch insert once; each `write` is one execution for the whole batch. */
export async function prepareWriter(connection: DuckDBConnection): Promise<EventWriter> {
  const insert: DuckDBPreparedStatement = await connection.prepare(INSERT_SQL);
  return {
    async write(rows) {
      if (rows.length === 0) return;
      COLUMNS.forEach(([pick, type], index) => {
        insert.bindList(index + 1, listValue(rows.map(pick)), type);
      });
      await insert.run();
    },
  };
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
