/**
 * `expected.json` of a conformance folder: the optimal expected cost (training's final lower
 * bound, in $) of each deterministic case, and the rule that judges a run against it.
 *
 * ```json
 * { "cases": { "d01-thermal-dispatch": { "cost": 182500.0, "abs_tol": 1e-6 } } }
 * ```
 *
 * @module
 */

/** The expected cost of one case. */
export interface ExpectedCost {
  cost: number;
  abs_tol: number;
}

/** Relative tolerance applied on top of `abs_tol`. */
export const RELATIVE_TOLERANCE = 1e-7;

/** Parses `expected.json`; throws an Error naming the offending entry. */
export function parseExpected(text: string): Map<string, ExpectedCost> {
  const root: unknown = JSON.parse(text);
  const cases = (root as { cases?: unknown } | null)?.cases;
  if (typeof cases !== "object" || cases === null || Array.isArray(cases)) {
    throw new Error('expected.json has no "cases" object');
  }
  const expected = new Map<string, ExpectedCost>();
  for (const [name, entry] of Object.entries(cases)) {
    const { cost, abs_tol } = (entry ?? {}) as { cost?: unknown; abs_tol?: unknown };
    if (typeof cost !== "number" || !Number.isFinite(cost)) {
      throw new Error(`expected.json: case "${name}" needs a finite number "cost"`);
    }
    const tolerance = abs_tol === undefined ? 0 : abs_tol;
    if (typeof tolerance !== "number" || !(tolerance >= 0)) {
      throw new Error(`expected.json: case "${name}" has an invalid "abs_tol"`);
    }
    expected.set(name, { cost, abs_tol: tolerance });
  }
  return expected;
}

/** The tolerance for `expected`: `max(abs_tol, 1e-7 * |cost|)`. */
export function toleranceOf(expected: ExpectedCost): number {
  return Math.max(expected.abs_tol, RELATIVE_TOLERANCE * Math.abs(expected.cost));
}

/** True when `lowerBound` matches `expected` within its tolerance. */
export function matchesExpected(lowerBound: number, expected: ExpectedCost): boolean {
  return Math.abs(lowerBound - expected.cost) <= toleranceOf(expected);
}
