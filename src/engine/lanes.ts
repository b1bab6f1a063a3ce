/**
 * Lanes: the unit of work that keeps results independent of the number of Workers.
 *
 * A lane owns one LP per stage for the whole run. Every solve of a lane continues from the
 * previous optimum of the same LP (no basis is ever installed), so the sequence of operations
 * each LP sees (cut rows appended, bounds patched, solves) is fixed by the case alone: which
 * forward passes, openings and simulated scenarios fall to which lane depends only on the case,
 * and a lane always runs whole on one Worker. One Worker or four give bit-identical results.
 *
 * Why not install a saved basis per task instead: on 4ree an installed basis cost about 5x a
 * continued solve (refactorisation plus fresh dual edge weights), and one solve in five needed
 * one. Lanes need none after each LP's first solve.
 *
 * @module
 */

/**
 * Lanes per stage. It bounds the useful Worker count (a lane never splits), and each lane holds
 * its own copy of the stage's cut rows, so it stays small; 4 divides evenly over 1, 2 or 4
 * Workers.
 */
export const LANES = 4;

/** Forward passes (or simulated scenarios) per lane: item `i` goes to lane `i % LANES`. */
export function roundRobin(count: number): number[][] {
  const lanes: number[][] = Array.from({ length: Math.min(LANES, count) }, () => []);
  for (let i = 0; i < count; i++) lanes[i % LANES]!.push(i);
  return lanes;
}

/** Splits ordered items into at most `LANES` contiguous near-equal parts; part `k` is lane `k`. */
export function contiguousLanes<T>(items: readonly T[]): T[][] {
  const count = Math.min(LANES, items.length);
  const lanes: T[][] = [];
  let start = 0;
  for (let k = 0; k < count; k++) {
    const end = start + Math.floor(items.length / count) + (k < items.length % count ? 1 : 0);
    lanes.push(items.slice(start, end));
    start = end;
  }
  return lanes;
}

/** Executor that hosts lane `lane` when there are `executors` of them. */
export function executorOfLane(lane: number, executors: number): number {
  return lane % executors;
}

/**
 * LP solves per training iteration from which a second thread pays off. Each backward stage is a
 * barrier where every thread waits for the slowest, and a solver Worker takes 0.1-1 s to start:
 * measured on 2 cores, 4ree (528 solves per iteration, 40 per backward stage) trains faster on
 * two threads, while 1dtoy (44 per iteration, 10 per stage, ~0.1 ms each) ran slower.
 */
export const PARALLEL_MIN_SOLVES_PER_ITERATION = 200;

/**
 * Threads for `workers: "auto"`: one per core up to `LANES` when an iteration has enough solves
 * to share (`PARALLEL_MIN_SOLVES_PER_ITERATION`), else one. Results do not depend on it.
 */
export function autoThreads(
  forwardPasses: number,
  openingsPerStage: readonly number[],
  cores: number,
): number {
  const solves = forwardPasses * openingsPerStage.reduce((sum, openings) => sum + 1 + openings, 0);
  if (solves < PARALLEL_MIN_SOLVES_PER_ITERATION) return 1;
  return Math.max(1, Math.min(LANES, Math.floor(cores)));
}
