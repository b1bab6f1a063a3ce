/**
 * The shape of one `cobre://` resource template: what `resources/templates/list` shows, which of
 * its variables are paths (resolved by the sandbox before the handler runs), what its other
 * variables may be (for completions), and how it reads.
 *
 * @module
 */
import type { JsonValue, ReadAccess } from "../../common/mod.ts";

/** What a resource handler may use: the sandboxed file access and the request's signal. */
export interface ResourceContext {
  readonly access: ReadAccess;
  readonly signal: AbortSignal;
}

/** Variables of one read: decoded values as given, and canonical paths for path variables. */
export interface ResourceRequest {
  /** Every template variable, percent-decoded once (paths as the client wrote them). */
  readonly variables: Readonly<Record<string, string>>;
  /** Canonical, existing directory for each path variable (`case_dir`, `output_dir`). */
  readonly paths: Readonly<Record<string, string>>;
}

/** One resource template of spec SS3.1. */
export interface ResourceTemplateDefinition {
  readonly uriTemplate: string;
  /** A short programmatic name (`case-config`). */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** What each path variable must name, for `OutputNotFound` records. */
  readonly pathContents: Readonly<Record<string, string>>;
  /** The accepted values of enumerated variables (offered as completions). */
  readonly choices?: Readonly<Record<string, readonly string[]>>;
  /** Reads the resource as a JSON value (served as `application/json`). */
  read(request: ResourceRequest, ctx: ResourceContext): Promise<JsonValue | object>;
}
