/**
 * Scenario generation: seeded portable RNG, PAR(p) inflow model and the opening tree.
 *
 * @module
 */
export { deriveStream, inverseNormalCdf, RandomStream, RNG_DOMAIN } from "./rng.ts";
export { buildParModel, parInflow } from "./par.ts";
export type { ParModel } from "./par.ts";
export { generateOpeningTree, openingNoise, sampleOpening } from "./opening_tree.ts";
export type { OpeningTree } from "./opening_tree.ts";
