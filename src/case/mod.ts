/**
 * The Cobre case format: loading a case directory into a typed model, the 5-layer validation
 * behind `cobre/validate`, case introspection and the `config.json` JSON Schema.
 *
 * Every read goes through the `ReadAccess` passed in, so the sandbox sits under all file I/O.
 *
 * @example
 * ```ts
 * import { directFileAccess } from "../common/mod.ts";
 * import { loadCase, validateCase } from "./mod.ts";
 * const report = await validateCase("/cases/1dtoy", directFileAccess);
 * if (report.valid) {
 *   const model = await loadCase("/cases/1dtoy", directFileAccess);
 *   console.log(model.hydros[0]?.stage_bounds[0]?.max_storage_hm3);
 * }
 * ```
 *
 * @module
 */
export type * from "./model.ts";
export { HYDRO_PENALTY_FIELDS } from "./model.ts";
export { loadCase, validateCase, type ValidationReport } from "./validate.ts";
export { inflowArModel, inflowStats, initialStorage, loadFactor, loadStats } from "./lookup.ts";
export { KNOWN_FILES, REQUIRED_FILES, SUPPORTED_OPTIONAL_FILES } from "./files.ts";
export { type CaseReadOptions, DEFAULT_READ_LIMITS, type ReadLimits } from "./read.ts";
export {
  type CaseInspection,
  inspectCase,
  listScenarios,
  type ScenarioListing,
} from "./introspect.ts";
export { configJsonSchema } from "./config_schema.ts";
