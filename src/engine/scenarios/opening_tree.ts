/**
 * The opening tree: for every stage, `num_scenarios` noise vectors (standard normals) shared by
 * the backward pass (all openings) and in-sample forward sampling (one opening per stage).
 *
 * A vector holds one entry per hydro (sorted by id) followed by one per stochastic load bus
 * (sorted by id). Every vector comes from its own stream `(seed, stage, opening)`, so the tree
 * does not depend on generation order and growing a stage's opening count keeps earlier openings.
 *
 * @module
 */
import { deriveStream, RNG_DOMAIN } from "./rng.ts";

/** Noise of every opening: `noise[t][o * dimension + d]`. */
export interface OpeningTree {
  dimension: number;
  openings: number[];
  noise: Float64Array[];
}

/** Generates the tree for `openingsPerStage[t]` openings of `dimension` entries each. */
export function generateOpeningTree(
  seed: number,
  openingsPerStage: readonly number[],
  dimension: number,
): OpeningTree {
  const noise = openingsPerStage.map((count, t) => {
    const values = new Float64Array(count * dimension);
    for (let o = 0; o < count; o++) {
      const stream = deriveStream(seed, RNG_DOMAIN.opening, t, o);
      for (let d = 0; d < dimension; d++) values[o * dimension + d] = stream.nextNormal();
    }
    return values;
  });
  return { dimension, openings: [...openingsPerStage], noise };
}

/** The noise vector of opening `o` at stage `t` (a view, not a copy). */
export function openingNoise(tree: OpeningTree, t: number, o: number): Float64Array {
  return tree.noise[t]!.subarray(o * tree.dimension, (o + 1) * tree.dimension);
}

/** In-sample draw of the opening a forward pass or simulated scenario visits at stage `t`. */
export function sampleOpening(
  seed: number,
  domain: number,
  iteration: number,
  pass: number,
  t: number,
  openings: number,
): number {
  return deriveStream(seed, domain, iteration, pass, t).nextIndex(openings);
}
