import assert from "node:assert/strict";
import { posix } from "node:path";
import { directFileAccess, isCobreError } from "../../src/common/mod.ts";
import { comparePolicies, inspectPolicy, writeRunOutput } from "../../src/output/mod.ts";
import { CLI_FIXTURE, copyTree, SAMPLE_CONTEXT, sampleRunResult, withTempDir } from "./helpers.ts";

const FIXTURE_POLICY = posix.join(CLI_FIXTURE, "policy");

Deno.test("inspectPolicy() summarises the real-CLI policy (3, 2 and 0 cuts per stage)", async () => {
  const summary = await inspectPolicy({ policyDir: FIXTURE_POLICY }, directFileAccess);
  assert.deepEqual(summary, {
    stages: 3,
    total_cuts: 5,
    state_dimension: 3,
    cuts_per_stage: [3, 2, 0],
    active_cuts_per_stage: [2, 2, 0],
    total_active_cuts: 4,
  });
  // An output directory is accepted in place of its policy/ directory.
  assert.deepEqual(await inspectPolicy({ policyDir: CLI_FIXTURE }, directFileAccess), summary);
});

Deno.test("inspectPolicy() stage N (1-based) shows the cuts of stage_id N-1", async () => {
  const first = await inspectPolicy({ policyDir: FIXTURE_POLICY, stage: 1 }, directFileAccess);
  assert.deepEqual(first, {
    stage: 1,
    stage_id: 0,
    cuts: 3,
    active_cuts: 2,
    state_dimension: 3,
    intercepts: [10, 20, 30],
    intercepts_truncated: false,
    coefficients_sample: [[-1, -2, 0.5], [-1.5, -2.5, 0.25], [-2, -3, 0.125]],
    coefficients_truncated: false,
  });
  const last = await inspectPolicy({ policyDir: FIXTURE_POLICY, stage: 3 }, directFileAccess);
  assert.equal("stage_id" in last && last.stage_id, 2);
  assert.equal("cuts" in last && last.cuts, 0);
});

Deno.test("inspectPolicy() limits the coefficient sample to 10 cuts", async () => {
  await withTempDir(async (dir) => {
    const result = sampleRunResult(0);
    const stage0 = result.training.policy.stages[0];
    assert.ok(stage0);
    stage0.cuts = Array.from({ length: 12 }, (_, i) => ({
      cut_id: i,
      slot_index: i,
      iteration: i + 1,
      forward_pass_index: 0,
      intercept: i * 1.5,
      coefficients: [i, -i],
      is_active: true,
    }));
    await writeRunOutput(posix.join(dir, "out"), directFileAccess, result, SAMPLE_CONTEXT);
    const detail = await inspectPolicy(
      { policyDir: posix.join(dir, "out/policy"), stage: 1 },
      directFileAccess,
    );
    assert.ok("coefficients_sample" in detail);
    assert.equal(detail.cuts, 12);
    assert.equal(detail.intercepts.length, 12);
    assert.equal(detail.intercepts[11], 16.5);
    assert.equal(detail.coefficients_sample.length, 10);
    assert.deepEqual(detail.coefficients_sample[9], [9, -9]);
    assert.equal(detail.coefficients_truncated, true);
  });
});

Deno.test("inspectPolicy() rejects stage 0 and reports stages that do not exist", async () => {
  const zero = await inspectPolicy({ policyDir: FIXTURE_POLICY, stage: 0 }, directFileAccess)
    .catch((e) => e);
  assert.ok(isCobreError(zero));
  assert.equal(zero.record.kind, "InvalidArgument");
  const beyond = await inspectPolicy({ policyDir: FIXTURE_POLICY, stage: 4 }, directFileAccess)
    .catch((e) => e);
  assert.ok(isCobreError(beyond));
  assert.equal(beyond.record.kind, "OutputNotFound");
  assert.match(String(beyond.record.context.expected_content), /stages 1\.\.3/);
});

Deno.test("inspectPolicy() reports missing and corrupted policies with registry kinds", async () => {
  await withTempDir(async (dir) => {
    const missing = await inspectPolicy({ policyDir: posix.join(dir, "x") }, directFileAccess)
      .catch((e) => e);
    assert.ok(isCobreError(missing));
    assert.equal(missing.record.kind, "OutputNotFound");
    assert.equal(missing.record.context.path, posix.join(dir, "x"));

    const empty = await inspectPolicy({ policyDir: dir }, directFileAccess).catch((e) => e);
    assert.ok(isCobreError(empty));
    assert.equal(empty.record.kind, "OutputNotFound");

    const policy = posix.join(dir, "policy");
    await copyTree(FIXTURE_POLICY, policy);
    const victim = posix.join(policy, "cuts/stage_000.bin");
    const bytes = await Deno.readFile(victim);
    await Deno.writeFile(victim, bytes.slice(0, bytes.length - 40));
    const corrupted = await inspectPolicy({ policyDir: policy }, directFileAccess).catch((e) => e);
    assert.ok(isCobreError(corrupted));
    assert.equal(corrupted.record.kind, "OutputCorrupted");
    assert.equal(corrupted.record.context.file, victim);
  });
});

Deno.test("comparePolicies() gives deltas for two compatible policies", async () => {
  await withTempDir(async (dir) => {
    const ours = posix.join(dir, "ours");
    const result = sampleRunResult(0);
    // Same shape as the fixture: 3 stages, state dimension 3.
    result.training.policy.state_dictionary.state_dimension = 3;
    result.training.policy.stages = [0, 1, 2].map((stage_id) => ({
      stage_id,
      cuts: [{
        cut_id: stage_id,
        slot_index: 0,
        iteration: 1,
        forward_pass_index: 0,
        intercept: 1,
        coefficients: [0, 0, 0],
        is_active: true,
      }],
    }));
    await writeRunOutput(ours, directFileAccess, result, SAMPLE_CONTEXT);
    const comparison = await comparePolicies(
      { policyDirs: [FIXTURE_POLICY, posix.join(ours, "policy")] },
      directFileAccess,
    );
    assert.equal(comparison.compatible, true);
    assert.deepEqual(comparison.incompatibilities, []);
    assert.deepEqual(comparison.policies[0], {
      policy_dir: FIXTURE_POLICY,
      stages: 3,
      total_cuts: 5,
      state_dimension: 3,
      cuts_per_stage: [3, 2, 0],
      final_lower_bound: 190,
      final_upper_bound: 195,
      final_gap: 5 / 195,
      iterations: 4,
    });
    // Ours: LB 300, UB 250 → deltas against the fixture's 190 / 195.
    assert.deepEqual(comparison.deltas, {
      lb_delta: 110,
      lb_delta_pct: 110 / 190,
      ub_delta: 55,
      ub_delta_pct: 55 / 195,
      cut_count_delta: -2,
    });
    const countsOnly = await comparePolicies(
      { policyDirs: [FIXTURE_POLICY, posix.join(ours, "policy")], metrics: ["cut_counts"] },
      directFileAccess,
    );
    assert.deepEqual(countsOnly.deltas, { cut_count_delta: -2 });
    assert.equal("final_lower_bound" in (countsOnly.policies[0] ?? {}), false);
  });
});

Deno.test("comparePolicies() reports incompatible policies in the result, not as an error", async () => {
  await withTempDir(async (dir) => {
    const ours = posix.join(dir, "ours");
    await writeRunOutput(ours, directFileAccess, sampleRunResult(0), SAMPLE_CONTEXT);
    const comparison = await comparePolicies(
      { policyDirs: [FIXTURE_POLICY, ours] },
      directFileAccess,
    );
    assert.equal(comparison.compatible, false);
    assert.equal(comparison.deltas, null);
    assert.deepEqual(
      comparison.incompatibilities.map((r) => [
        r.kind,
        r.context.field,
        r.context.run_a_value,
        r.context.run_b_value,
      ]),
      [["IncompatibleRuns", "stages", 3, 2], ["IncompatibleRuns", "state_dimension", 3, 2]],
    );
    const bad = await comparePolicies({ policyDirs: [FIXTURE_POLICY] }, directFileAccess)
      .catch((e) => e);
    assert.ok(isCobreError(bad));
    assert.equal(bad.record.kind, "InvalidArgument");
    const metric = await comparePolicies(
      { policyDirs: [FIXTURE_POLICY, ours], metrics: ["speed"] },
      directFileAccess,
    ).catch((e) => e);
    assert.ok(isCobreError(metric));
    assert.match(
      metric.record.message,
      /valid values: convergence, cut_counts, state_dimension, all/,
    );
  });
});
