/**
 * Identifiers the server mints itself (never taken from a client): 128 random bits as 32 lowercase
 * hex characters, the same shape as a W3C trace-id.
 *
 * @module
 */

/** A fresh 128-bit random id, 32 hex characters. */
export function randomId128(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** True when `value` has the shape `randomId128` produces. */
export function isId128(value: string): boolean {
  return /^[0-9a-f]{32}$/.test(value);
}
