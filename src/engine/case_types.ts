/**
 * The case-model types the engine reads, in one place so the engine depends on `src/case` through
 * a single import.
 *
 * @module
 */
export type { CaseModel, Hydro, HydroPenalties, Stage, StoppingRule } from "../case/mod.ts";
