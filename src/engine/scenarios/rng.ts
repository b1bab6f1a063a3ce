/**
 * Seeded, portable random numbers.
 *
 * - Streams are xoshiro128** (Blackman & Vigna, 2018): 128-bit state, 32-bit outputs built only
 *   from `Math.imul`, shifts and xors, so every JavaScript engine produces the same bits.
 * - Each stream is derived from `(seed, domain, k1, k2, k3)` by SplitMix64 (Steele et al., 2014),
 *   computed with BigInt once per stream. Deriving one stream per (stage, opening) or per
 *   (iteration, forward pass, stage) makes a draw depend only on its coordinates, never on the
 *   order in which work is done or on which Worker does it.
 * - Uniform doubles use 53 random bits; standard normals use the inverse normal CDF (Wichura's
 *   AS241, double precision), one uniform per normal, so a vector's k-th entry is the k-th draw.
 *
 * @module
 */

const MASK64 = (1n << 64n) - 1n;

/** Purposes a stream can be drawn for; part of the derivation so streams never collide. */
export const RNG_DOMAIN = {
  opening: 1,
  forward: 2,
  simulation: 3,
} as const;

/** One SplitMix64 step: returns the next state and its mixed output. */
function splitMix64(state: bigint): [bigint, bigint] {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return [next, z ^ (z >> 31n)];
}

/** A xoshiro128** stream. */
export class RandomStream {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /** Builds a stream from four 32-bit words (not all zero). */
  constructor(s0: number, s1: number, s2: number, s3: number) {
    this.#s0 = s0 | 0;
    this.#s1 = s1 | 0;
    this.#s2 = s2 | 0;
    this.#s3 = s3 | 0;
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s1 = this.#s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result >>> 0;
  }

  /** Uniform double in the open interval (0, 1) with 53 random bits. */
  nextUniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low + 0.5) / 9007199254740992;
  }

  /** Uniform integer in `[0, n)`. */
  nextIndex(n: number): number {
    return Math.min(n - 1, Math.floor(this.nextUniform() * n));
  }

  /** Standard normal draw. */
  nextNormal(): number {
    return inverseNormalCdf(this.nextUniform());
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Derives the stream for `(seed, domain, k1, k2, k3)`; equal coordinates give equal streams. */
export function deriveStream(
  seed: number,
  domain: number,
  k1: number,
  k2 = 0,
  k3 = 0,
): RandomStream {
  let state = BigInt.asUintN(64, BigInt(Math.trunc(seed)));
  let mixed = 0n;
  for (const key of [domain, k1, k2, k3]) {
    [state, mixed] = splitMix64(state ^ BigInt.asUintN(64, BigInt(Math.trunc(key))));
    state = mixed;
  }
  const words: number[] = [];
  for (let i = 0; i < 2; i++) {
    [state, mixed] = splitMix64(state);
    words.push(Number(mixed & 0xffffffffn), Number(mixed >> 32n));
  }
  return new RandomStream(words[0]!, words[1]!, words[2]!, words[3]!);
}

/** Inverse of the standard normal CDF (Wichura 1988, algorithm AS241 PPND16). */
export function inverseNormalCdf(p: number): number {
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q *
      (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r +
                            67265.770927008700853) * r + 45921.953931549871457) * r +
                    13731.693765509461125) * r + 1971.5909503065514427) * r +
            133.14166789178437745) * r + 3.387132872796366608)) /
      (((((((r * 5226.495278852545925 + 28729.085735721942674) * r +
                            39307.89580009271061) * r + 21213.794301586595867) * r +
                    5394.1960214247511077) * r + 687.1870074920579083) * r +
            42.313330701600911252) * r + 1.0);
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r +
                          0.24178072517745061177) * r + 1.27045825245236838258) * r +
                  3.64784832476320460504) * r + 5.7694972214606914055) * r +
          4.6303378461565452959) * r + 1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r +
                            0.0151986665636164571966) * r + 0.14810397642748007459) * r +
                    0.68976733498510000455) * r + 1.6763848301838038494) * r +
            2.05319162663775882187) * r + 1.0);
  } else {
    r -= 5;
    value = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r +
                          0.0012426609473880784386) * r + 0.026532189526576123093) * r +
                  0.29656057182850489123) * r + 1.7848265399172913358) * r +
          5.4637849111641143699) * r + 6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r +
                            1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
                    0.0148753612908506148525) * r + 0.13692988092273580531) * r +
            0.59983220655588793769) * r + 1.0);
  }
  return q < 0 ? -value : value;
}
