/**
 * The `ref://` registry as one session sees it: every register, resolve and release is bound to
 * the session's owner id, so a handler cannot hand a ref to, or read one from, another session.
 *
 * The owner is the transport's session id (Streamable HTTP) or null on stdio, as `src/refs`
 * expects: a stdio client gets its refs back from a server restarted on the same state dir.
 *
 * @module
 */
import type { RefLink, RefRegistry, ReleaseResult, ResolvedRef } from "../../refs/mod.ts";
import type { SharedArtifact } from "../types.ts";

/** The registry bound to one session. */
export interface SessionRefs {
  /** Stores the artifact and returns its `resource_link`. */
  share(artifact: SharedArtifact): Promise<RefLink>;
  /** The bytes of a ref this session was given; throws `CobreError` otherwise. */
  resolve(uri: string): Promise<ResolvedRef>;
  /** Releases a ref this session was given (its bytes are deleted at once). */
  release(uri: string): Promise<ReleaseResult>;
}

/** Binds `registry` to the session `ownerOf()` names at each call. */
export function sessionRefs(registry: RefRegistry, ownerOf: () => string | null): SessionRefs {
  return {
    share: (artifact) =>
      registry.register({
        sessionId: ownerOf(),
        bytes: artifact.bytes,
        mimeType: artifact.mimeType,
        name: artifact.name,
        ...(artifact.description === undefined ? {} : { description: artifact.description }),
      }),
    resolve: (uri) => registry.resolve(uri, ownerOf()),
    release: (uri) => registry.release(uri, ownerOf()),
  };
}
