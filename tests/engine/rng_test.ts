import assert from "node:assert/strict";
import {
  deriveStream,
  generateOpeningTree,
  inverseNormalCdf,
  openingNoise,
  RandomStream,
  RNG_DOMAIN,
  sampleOpening,
} from "../../src/engine/scenarios/mod.ts";

Deno.test("RandomStream() reproduces the xoshiro128** reference outputs", () => {
  // Reference: state {1, 2, 3, 4} gives 11520, 0, 5927040, ... (Blackman & Vigna's C code).
  const stream = new RandomStream(1, 2, 3, 4);
  assert.deepEqual([stream.nextUint32(), stream.nextUint32(), stream.nextUint32()], [
    11520,
    0,
    5927040,
  ]);
});

Deno.test("inverseNormalCdf() matches standard normal quantiles", () => {
  const table: [number, number][] = [
    [0.5, 0],
    [0.975, 1.959963984540054],
    [0.025, -1.959963984540054],
    [0.999, 3.090232306167813],
    [1e-10, -6.361340902404056],
  ];
  for (const [p, z] of table) assert.ok(Math.abs(inverseNormalCdf(p) - z) < 1e-12, `p=${p}`);
});

Deno.test("deriveStream() gives equal streams for equal coordinates and different ones otherwise", () => {
  const draw = (s: RandomStream) => [s.nextUniform(), s.nextUniform()];
  assert.deepEqual(draw(deriveStream(42, 1, 3, 4)), draw(deriveStream(42, 1, 3, 4)));
  assert.notDeepEqual(draw(deriveStream(42, 1, 3, 4)), draw(deriveStream(42, 1, 4, 3)));
  assert.notDeepEqual(draw(deriveStream(42, 1, 3, 4)), draw(deriveStream(43, 1, 3, 4)));
});

Deno.test("RandomStream() draws uniforms in (0, 1) and standard normals with the right moments", () => {
  const stream = deriveStream(7, RNG_DOMAIN.opening, 0);
  const n = 20_000;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const u = stream.nextUniform();
    assert.ok(u > 0 && u < 1);
    const z = stream.nextNormal();
    sum += z;
    squares += z * z;
  }
  assert.ok(Math.abs(sum / n) < 0.03, "mean near 0");
  assert.ok(Math.abs(squares / n - 1) < 0.05, "variance near 1");
});

Deno.test("generateOpeningTree() does not depend on the other stages' opening counts", () => {
  const small = generateOpeningTree(5, [2, 3], 4);
  const large = generateOpeningTree(5, [7, 3], 4);
  assert.deepEqual(openingNoise(small, 1, 2), openingNoise(large, 1, 2));
  assert.deepEqual(openingNoise(small, 0, 1), openingNoise(large, 0, 1));
  assert.equal(small.noise[0]!.length, 2 * 4);
});

Deno.test("sampleOpening() stays in range and depends only on its coordinates", () => {
  const picks = Array.from(
    { length: 200 },
    (_, m) => sampleOpening(9, RNG_DOMAIN.forward, 1, m, 0, 7),
  );
  assert.ok(picks.every((o) => o >= 0 && o < 7));
  assert.equal(new Set(picks).size, 7, "every opening is visited");
  assert.equal(sampleOpening(9, RNG_DOMAIN.forward, 1, 5, 0, 7), picks[5]);
});
