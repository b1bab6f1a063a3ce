/**
 * The records a client gets when a `ref://` URI cannot be used. Each reason has its own message
 * and `context.reason`, so an agent (and a test) can tell a forged ref from a released, expired
 * or foreign one.
 *
 * @module
 */
import { type ErrorRecord, errorRecord } from "../common/mod.ts";

/** Why a ref could not be used. */
export type RefRefusal = "malformed" | "unknown" | "released" | "expired" | "foreign";

/** The error record for `reason`, quoting at most 200 characters of the URI. */
export function refused(reason: RefRefusal, uri: string): ErrorRecord {
  const shown = uri.length > 200 ? `${uri.slice(0, 199)}…` : uri;
  switch (reason) {
    case "malformed":
      return errorRecord(
        "InvalidArgument",
        `"${shown}" is not a ref URI (expected ref://<server_id>/<32 hex characters>)`,
        { uri: shown, reason },
        "Use a ref URI exactly as the server returned it in a resource_link.",
      );
    case "unknown":
      return errorRecord(
        "OutputNotFound",
        `Reference ${shown} is unknown to this server`,
        { uri: shown, reason },
        "Use a ref this server returned; run the tool again to get a fresh one.",
      );
    case "released":
      return errorRecord(
        "OutputNotFound",
        `Reference ${shown} was released and its content deleted`,
        { uri: shown, reason },
        "Run the tool again to get a fresh reference.",
      );
    case "expired":
      return errorRecord(
        "OutputNotFound",
        `Reference ${shown} expired and its content was deleted`,
        { uri: shown, reason },
        "Run the tool again to get a fresh reference, and read it before it expires.",
      );
    case "foreign":
      return errorRecord(
        "PermissionDenied",
        `Reference ${shown} belongs to another session`,
        { uri: shown, reason },
        "A session can only read the references it was given.",
      );
  }
}
