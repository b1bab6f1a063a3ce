/**
 * `ref://` references: binary or large artifacts handed out as `resource_link` content, readable
 * only by the session that received them, released by the client or expired after a TTL.
 *
 * @example
 * ```ts
 * const refs = await openRefRegistry({ stateDir, serverId, onEvent: (e) => recorder.record(e) });
 * const link = await refs.register({ sessionId, bytes, mimeType: "application/vnd.apache.arrow.file", name: "convergence.arrow" });
 * // tool result content: [link]; later, resources/read of link.uri:
 * const { bytes, mimeType } = await refs.resolve(uri, sessionId);
 * ```
 *
 * @module
 */
export { formatRefUri, isValidServerId, newRefId, parseRefUri } from "./ref_uri.ts";
export { type RefRefusal, refused } from "./refusals.ts";
export {
  type NewRef,
  openRefRegistry,
  type OpenRefRegistryOptions,
  type RefLink,
  RefRegistry,
  type ReleaseResult,
  type ResolvedRef,
} from "./registry.ts";
