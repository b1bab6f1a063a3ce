/**
 * The records a client gets when a `ref://` URI cannot be used. Each reason has its own message
 * and `context.reason`, so an agent (and a test) can tell a forged ref from a released, expired
 * or foreign one.
 *
 * @module
 */
import { type ErrorKind, type ErrorRecord, errorRecord } from "../common/mod.ts";

/** Why a ref could not be used. */
export type RefRefusal = "malformed" | "unknown" | "released" | "expired" | "foreign";

/** What each refusal says: its kind, its message about the (shortened) URI, what to do next. */
const REFUSALS: Record<
  RefRefusal,
  { kind: ErrorKind; message: (shown: string) => string; suggestion: string }
> = {
  malformed: {
    kind: "InvalidArgument",
    message: (shown) =>
      `"${shown}" is not a ref URI (expected ref://<server_id>/<32 hex characters>)`,
    suggestion: "Use a ref URI exactly as the server returned it in a resource_link.",
  },
  unknown: {
    kind: "OutputNotFound",
    message: (shown) => `Reference ${shown} is unknown to this server`,
    suggestion: "Use a ref this server returned; run the tool again to get a fresh one.",
  },
  released: {
    kind: "OutputNotFound",
    message: (shown) => `Reference ${shown} was released and its content deleted`,
    suggestion: "Run the tool again to get a fresh reference.",
  },
  expired: {
    kind: "OutputNotFound",
    message: (shown) => `Reference ${shown} expired and its content was deleted`,
    suggestion: "Run the tool again to get a fresh reference, and read it before it expires.",
  },
  foreign: {
    kind: "PermissionDenied",
    message: (shown) => `Reference ${shown} belongs to another session`,
    suggestion: "A session can only read the references it was given.",
  },
};

/** The error record for `reason`, quoting at most 200 characters of the URI. */
export function refused(reason: RefRefusal, uri: string): ErrorRecord {
  const shown = uri.length > 200 ? `${uri.slice(0, 199)}…` : uri;
  const { kind, message, suggestion } = REFUSALS[reason];
  return errorRecord(kind, message(shown), { uri: shown, reason }, suggestion);
}
