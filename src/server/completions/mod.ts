/**
 * Argument completions (`completion/complete`) for the server's prompts and resource templates:
 * sandboxed directories, enumerated values, hydro names of a case, metrics of a table.
 *
 * @module
 */
export { completionsFeature } from "./feature.ts";
export {
  completeDirectory,
  completeFrom,
  type Completion,
  MAX_COMPLETIONS,
  MAX_SCANNED,
} from "./directories.ts";
