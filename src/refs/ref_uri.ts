/**
 * `ref://<server_id>/<ref_id>` URIs: opaque handles for artifacts the server keeps in its state
 * directory. The ref id is 128 random bits in hex; nothing in the URI names a host path.
 *
 * @module
 */

const SERVER_ID = /^[A-Za-z0-9._-]{1,128}$/;
const REF_ID = /^[0-9a-f]{32}$/;

/** True when `serverId` can be the authority of a ref URI. */
export function isValidServerId(serverId: string): boolean {
  return SERVER_ID.test(serverId);
}

/** A fresh ref id: 128 bits from the CSPRNG, 32 lowercase hex characters. */
export function newRefId(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/** Builds the URI of a ref. */
export function formatRefUri(serverId: string, refId: string): string {
  return `ref://${serverId}/${refId}`;
}

/** The parts of a well-formed ref URI, or null when `uri` is not one (exact form only). */
export function parseRefUri(uri: string): { serverId: string; refId: string } | null {
  if (!uri.startsWith("ref://")) return null;
  const rest = uri.slice("ref://".length);
  const slash = rest.indexOf("/");
  if (slash < 0) return null;
  const serverId = rest.slice(0, slash);
  const refId = rest.slice(slash + 1);
  if (!SERVER_ID.test(serverId) || !REF_ID.test(refId)) return null;
  return { serverId, refId };
}
