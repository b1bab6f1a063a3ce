/**
 * Error records as JSON-RPC errors, for the methods that have no `isError` result to carry them
 * (`resources/read`, `prompts/get`, `completion/complete`).
 *
 * The record travels whole in `error.data`; `error.message` is the record's message, readable as
 * is. Codes follow MCP where it names one:
 *
 * | record kind                                   | resources/read       | prompts/get          |
 * | --------------------------------------------- | -------------------- | -------------------- |
 * | `OutputNotFound`, `MissingFile`               | -32002 (not found)   | -32602 (bad params)  |
 * | `InvalidArgument`                             | -32602 (bad params)  | -32602               |
 * | `PermissionDenied`, `WriteDisabled` (Gate)    | -32600 (refused)     | -32600               |
 * | anything else (`OutputCorrupted`, `ParseError`, `InternalError`, ...) | -32603 | -32603 |
 *
 * MCP reserves -32002 for "resource not found"; a prompt argument naming a missing directory is
 * an invalid parameter of that prompt instead. Sandbox refusals are `MissingFile` records, so a
 * path outside the allowed directories gets the same code as a missing one.
 *
 * @module
 */
import { CobreError, type ErrorRecord } from "../../common/mod.ts";
import { ErrorCode } from "../sdk.ts";
import { recordOf } from "../tool_results.ts";
import type { ServerLog } from "../logger.ts";

/** MCP's error code for a resource that does not exist. */
export const RESOURCE_NOT_FOUND = -32002;

/** A JSON-RPC error carrying an error record; the SDK sends `code`, `message` and `data`. */
export class RecordError extends Error {
  readonly code: number;
  readonly data: ErrorRecord;

  constructor(code: number, record: ErrorRecord) {
    super(record.message);
    this.name = "RecordError";
    this.code = code;
    this.data = record;
  }
}

/** The JSON-RPC code for `record` answered on `method` (`resources/read`, `prompts/get`, ...). */
export function codeOf(record: ErrorRecord, method: string): number {
  switch (record.kind) {
    case "OutputNotFound":
    case "MissingFile":
      return method === "resources/read" ? RESOURCE_NOT_FOUND : ErrorCode.InvalidParams;
    case "InvalidArgument":
      return ErrorCode.InvalidParams;
    case "PermissionDenied":
    case "WriteDisabled":
      return ErrorCode.InvalidRequest;
    default:
      return ErrorCode.InternalError;
  }
}

/** The error to throw from a handler for `record`. */
export function recordError(record: ErrorRecord, method: string): RecordError {
  return new RecordError(codeOf(record, method), record);
}

/**
 * The record for anything a handler threw. Unexpected errors go to the operator log with their
 * stack and reach the client as an `InternalError` record without details.
 */
export function failureRecord(error: unknown, what: string, log: ServerLog): ErrorRecord {
  const record = recordOf(error, what);
  if (!(error instanceof CobreError)) {
    log.operator("error", `${what} threw`, {
      detail: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
  return record;
}
