/**
 * MCP resources of the Cobre server: the six `cobre://` templates of spec SS3.1 and `ref://`
 * artifacts, served by `resourcesFeature`; JSON-RPC errors that carry error records.
 *
 * @example
 * ```ts
 * createCobreServer({ tools: cobreTools(), resources: cobreResourceTemplates(), refs, sandbox, mode });
 * // resources/read cobre://output/%2Fdata%2Fcase%2Foutput/convergence
 * ```
 *
 * @module
 */
import {
  caseConfigResource,
  caseEntitiesResource,
  caseScenariosResource,
} from "./case_resources.ts";
import type { ResourceTemplateDefinition } from "./definition.ts";
import {
  outputConvergenceResource,
  outputPolicySummaryResource,
  outputResultsResource,
} from "./output_resources.ts";

export type { ResourceContext, ResourceRequest, ResourceTemplateDefinition } from "./definition.ts";
export {
  RESOURCE_MIME_TYPE,
  ResourceReleasedNotificationSchema,
  resourcesFeature,
} from "./feature.ts";
export { RecordError, RESOURCE_NOT_FOUND } from "./errors.ts";
export { observeRecorded } from "./observed.ts";
export { expandTemplate, isPathVariable } from "./uri.ts";
export { type SessionRefs, sessionRefs } from "./session_refs.ts";
export { readRegistry, REGISTRY_TYPES, type RegistryType } from "./case_files.ts";
export {
  caseConfigResource,
  caseEntitiesResource,
  caseScenariosResource,
  outputConvergenceResource,
  outputPolicySummaryResource,
  outputResultsResource,
};

/** The six resource templates of spec SS3.1, in the spec's order. */
export function cobreResourceTemplates(): ResourceTemplateDefinition[] {
  return [
    caseConfigResource,
    caseEntitiesResource,
    caseScenariosResource,
    outputConvergenceResource,
    outputResultsResource,
    outputPolicySummaryResource,
  ];
}
