/**
 * Which references the host will resolve: only `ref://<server_id>/<id>` URIs whose authority is
 * the id of the server this host is connected to. `file://`, `http(s)://` and every other form
 * are refused as `invalid_reference_uri` (a server handing out a file URI is asking the host to
 * read its disk; an http URI would make the host fetch for it).
 *
 * @module
 */
import { type ErrorRecord, errorRecord, type JsonValue } from "../common/mod.ts";
import { parseRefUri } from "../refs/mod.ts";

/** Why a reference was refused. */
export type ReferenceRefusal =
  | "file_uri"
  | "web_uri"
  | "other_scheme"
  | "malformed_ref"
  | "foreign_server"
  | "server_id_unknown";

/** The verdict on one reference URI. */
export type ReferenceCheck =
  | { readonly ok: true; readonly uri: string; readonly refId: string }
  | { readonly ok: false; readonly refusal: ReferenceRefusal; readonly error: ErrorRecord };

/** A URI as it may be shown: bounded, and a file URI's path is not echoed back. */
export function shownUri(uri: string): string {
  if (/^file:/i.test(uri)) return "(a file URI, withheld)";
  return uri.length > 200 ? `${uri.slice(0, 199)}…` : uri;
}

function refused(refusal: ReferenceRefusal, uri: string, detail: string): ReferenceCheck {
  const context: Record<string, JsonValue> = {
    reason: "invalid_reference_uri",
    refusal,
    uri: shownUri(uri),
  };
  return {
    ok: false,
    refusal,
    error: errorRecord(
      "InvalidArgument",
      `invalid_reference_uri: ${detail}`,
      context,
      "Use a ref:// URI exactly as the connected server returned it in a resource_link.",
    ),
  };
}

/** Checks `uri` against the connected server's id (null when the host could not learn it). */
export function checkReferenceUri(uri: string, serverId: string | null): ReferenceCheck {
  if (/^file:/i.test(uri)) {
    return refused("file_uri", uri, "the host never resolves file URIs");
  }
  if (/^https?:/i.test(uri)) {
    return refused("web_uri", uri, "the host never fetches http(s) references");
  }
  if (!uri.startsWith("ref://")) {
    return refused("other_scheme", uri, "only ref:// references are resolved");
  }
  const parsed = parseRefUri(uri);
  if (parsed === null) {
    return refused(
      "malformed_ref",
      uri,
      "the reference is not ref://<server_id>/<32 hex characters>",
    );
  }
  if (serverId === null) {
    return refused(
      "server_id_unknown",
      uri,
      "the connected server's id is unknown, so no reference can be attributed to it",
    );
  }
  if (parsed.serverId !== serverId) {
    return refused("foreign_server", uri, "the reference was issued by another server");
  }
  return { ok: true, uri, refId: parsed.refId };
}
