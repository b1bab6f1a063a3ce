/**
 * Shared helpers for engine tests: fixture paths and loading.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { CaseModel } from "../../src/case/mod.ts";
import { loadCase } from "../../src/case/mod.ts";
import { directFileAccess } from "../../src/common/mod.ts";

/** Absolute path of an engine fixture case. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../fixtures/engine/${name}`, import.meta.url));
}

/** Loads an engine fixture case through the real case loader. */
export function loadFixture(name: string): Promise<CaseModel> {
  return loadCase(fixturePath(name), directFileAccess);
}

/** Relative closeness for costs derived by hand (the LP works in scaled floating point). */
export function assertClose(actual: number | null, expected: number, label: string): void {
  if (actual === null || Math.abs(actual - expected) > 1e-9 * Math.max(1, Math.abs(expected))) {
    throw new Error(`${label}: expected ${expected}, got ${actual}`);
  }
}
