/**
 * The Flight Recorder: an append-only audit trail of everything the server (or host) does, in
 * DuckDB (`fr_events`), written by a Worker that alone holds FFI for the DuckDB binding.
 *
 * - `openFlightRecorder({ stateDir, serverId })` starts the writer Worker, waits until its
 *   database is open and revokes FFI in the calling thread. `record(event)` never waits on the
 *   disk; events are written in batches (every `batchSize` events or `flushIntervalMs`, and on
 *   `flush`/`close`). After a crash every event written before it is in the database.
 * - `readFlightEvents(stateDir, filter)` and `runFlightCommand(args, stateDir)` read the history
 *   of every recorder process that used the state dir, including servers still running.
 *
 * Importing this module never loads DuckDB (only the Workers do).
 *
 * File layout (`<stateDir>/recorder/`): one segment per process, `fr-<start>-<random>.duckdb`,
 * because DuckDB locks a database file against every other process; segments of ended processes
 * are merged into `fr-archive.duckdb` by the next recorder that starts. Readers copy files that a
 * live process holds (snapshot) and read the copy.
 *
 * @module
 */
export {
  boundedJson,
  clientClaimsFrom,
  EVENT_KINDS,
  EVENT_LEVELS,
  EVENT_SOURCES,
  type EventKind,
  type EventLevel,
  type EventSource,
  type FlightEvent,
  type FlightEventRow,
  type FlightFilter,
  type GateDecisionValue,
  LIMITS,
  type PendingRow,
  toPendingRow,
} from "./events.ts";
export {
  type FlightRecorder,
  openFlightRecorder,
  type OpenFlightRecorderOptions,
  type RecorderStats,
} from "./recorder.ts";
export { readFlightEvents, type ReadFlightOptions } from "./history.ts";
export {
  FLIGHT_USAGE,
  type FlightCommandIo,
  formatTable,
  parseFlightArgs,
  parseSince,
  runFlightCommand,
} from "./flight_command.ts";
export { ARCHIVE_FILE, recorderDir } from "./segments.ts";
export { RECORDER_SOURCE_DIR } from "./spawn.ts";
export {
  type Correlation,
  createRecorderObserver,
  type RecorderObservedRequest,
  type RecorderObserver,
  type RecorderObserverOptions,
} from "./observer.ts";
