/**
 * Which capability profile each HTTP session runs under. A session gets the server's default
 * profile unless its `initialize` POST names a narrower one in the `Cobre-Profile` header (a
 * host handing a sub-agent a read-only session of a read-write server). A profile can only be
 * offered if it allows nothing the default does not, so asking can never widen access.
 *
 * @module
 */
import { type CapabilityProfile, isWithin } from "../../security/mod.ts";
import type { RequestObserver } from "../observer.ts";

/** Request header naming the profile a new session asks for. */
export const PROFILE_HEADER = "cobre-profile";

/** The profiles an HTTP server offers and the observer chain each one runs. */
export interface SessionProfiles {
  /** The profile of a session that asks for none. */
  readonly default: CapabilityProfile;
  /** Narrower profiles a session may ask for by id. */
  readonly selectable: readonly CapabilityProfile[];
  /** The request observers (Gate included) of a session under `profile`. */
  observersFor(profile: CapabilityProfile): readonly RequestObserver[];
}

/** Throws `RangeError` when a selectable profile allows a tool, path or feature the default does not. */
export function assertNarrower(profiles: SessionProfiles): void {
  const wide = profiles.default;
  for (const profile of profiles.selectable) {
    const extraTool = [...profile.tools].find((tool) => !wide.tools.has(tool));
    const widePrefixes = wide.pathPrefixes;
    const widerPaths = widePrefixes !== null &&
      (profile.pathPrefixes === null ||
        profile.pathPrefixes.some((prefix) =>
          !widePrefixes.some((root) => isWithin(root, prefix))
        ));
    if (
      extraTool !== undefined || widerPaths || (profile.resources && !wide.resources) ||
      (profile.prompts && !wide.prompts)
    ) {
      throw new RangeError(`Profile "${profile.id}" is wider than the default "${wide.id}"`);
    }
  }
}

/** The profile a session asked for, the default when it asked for none, or null if unknown. */
export function chooseProfile(
  profiles: SessionProfiles,
  requested: string | null,
): CapabilityProfile | null {
  if (requested === null || requested === profiles.default.id) return profiles.default;
  return profiles.selectable.find((profile) => profile.id === requested) ?? null;
}
