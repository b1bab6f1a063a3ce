import assert from "node:assert/strict";
import { posix } from "node:path";
import { directFileAccess } from "../../src/common/mod.ts";
import {
  decodeStageCuts,
  decodeStageStates,
  readTrainingStatus,
  RunOutputWriter,
  scenarioTablesOf as scenarioTables,
  writeRunOutput,
} from "../../src/output/mod.ts";
import {
  failingAccess,
  InjectedCrash,
  listTree,
  SAMPLE_CONTEXT,
  sampleRunResult,
  sampleScenario,
  withTempDir,
} from "./helpers.ts";

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

Deno.test("writeRunOutput() writes the Cobre layout with manifests and _SUCCESS markers", async () => {
  await withTempDir(async (dir) => {
    const out = posix.join(dir, "output");
    await writeRunOutput(out, directFileAccess, sampleRunResult(2), SAMPLE_CONTEXT);
    assert.deepEqual(
      await listTree(out),
      [
        "policy/cuts/stage_000.bin",
        "policy/cuts/stage_001.bin",
        "policy/metadata.json",
        "policy/states/stage_000.bin",
        "simulation/_SUCCESS",
        "simulation/_manifest.json",
        ...["buses", "costs", "exchanges", "hydros", "inflow_lags", "thermals"].flatMap((t) => [
          `simulation/${t}/scenario_id=0000/data.parquet`,
          `simulation/${t}/scenario_id=0001/data.parquet`,
        ]).sort(),
        "simulation/metadata.json",
        "training/_SUCCESS",
        "training/_manifest.json",
        "training/convergence.parquet",
        "training/dictionaries/codes.json",
        "training/dictionaries/entities.csv",
        "training/dictionaries/state_dictionary.json",
        "training/metadata.json",
      ].sort(),
    );
    // policy/basis exists (empty): the real CLI lists it unconditionally when loading a policy.
    assert.equal((await Deno.stat(posix.join(out, "policy/basis"))).isDirectory, true);
    // Nothing hidden is left next to the target.
    assert.deepEqual((await listTree(dir)).filter((p) => !p.startsWith("output/")), []);
  });
});

Deno.test("writeRunOutput() fills manifests and metadata from the run result", async () => {
  await withTempDir(async (dir) => {
    const out = posix.join(dir, "output");
    await writeRunOutput(out, directFileAccess, sampleRunResult(2), SAMPLE_CONTEXT);
    const manifest = await readJson(posix.join(out, "training/_manifest.json"));
    assert.equal(manifest.status, "complete");
    assert.deepEqual(manifest.iterations, { max_iterations: 3, completed: 3, converged_at: null });
    assert.deepEqual(manifest.convergence, {
      achieved: false,
      final_gap_percent: 0,
      termination_reason: "iteration_limit",
    });
    assert.deepEqual(manifest.cuts, { total_generated: 6, total_active: 5, peak_active: 6 });

    // The CLI's merged metadata fields (what `cobre report` deserialises) are all present.
    const metadata = await readJson(posix.join(out, "training/metadata.json"));
    for (
      const field of [
        "cobre_version",
        "hostname",
        "solver",
        "started_at",
        "completed_at",
        "duration_seconds",
        "status",
        "configuration",
        "problem_dimensions",
        "iterations",
        "convergence",
        "row_pool",
        "distribution",
      ]
    ) {
      assert.ok(field in metadata, `training/metadata.json lacks ${field}`);
    }
    assert.equal(metadata.duration_seconds, 0.09);
    assert.deepEqual((metadata.configuration as Record<string, unknown>).seed, 11);

    const simulation = await readJson(posix.join(out, "simulation/_manifest.json"));
    assert.deepEqual(simulation.scenarios, { total: 2, completed: 2, failed: 0 });
    assert.deepEqual(simulation.partitions_written, ["scenario_id=0000/", "scenario_id=0001/"]);

    const policy = await readJson(posix.join(out, "policy/metadata.json"));
    assert.equal(policy.final_lower_bound, 300);
    assert.equal(policy.best_upper_bound, 250);
    assert.equal(policy.state_dimension, 2);
    assert.equal(policy.num_stages, 2);
    assert.equal(policy.rng_seed, 11);
    assert.equal(policy.total_visited_states, 1);

    assert.equal(
      await Deno.readTextFile(posix.join(out, "training/dictionaries/entities.csv")),
      'entity_type_code,entity_id,name,bus_id,system_id\n0,7,Serra da Mesa,0,0\n1,3,"ANGRA, 1",0,0\n',
    );
  });
});

Deno.test("writeRunOutput() records the run's solving threads as threads_per_rank", async () => {
  await withTempDir(async (dir) => {
    const out = posix.join(dir, "output");
    const result = sampleRunResult(1);
    result.solver.workers = 2;
    await writeRunOutput(out, directFileAccess, result, SAMPLE_CONTEXT);
    const distributions = {
      "training/_manifest.json": (json: Record<string, unknown>) => json.distribution,
      "training/metadata.json": (json: Record<string, unknown>) => json.distribution,
      "training/metadata.json environment": (json: Record<string, unknown>) =>
        (json.environment as Record<string, unknown>).distribution,
      "simulation/metadata.json": (json: Record<string, unknown>) => json.distribution,
    };
    for (const [where, distributionOf] of Object.entries(distributions)) {
      const file = where.split(" ")[0]!;
      const distribution = distributionOf(await readJson(posix.join(out, file))) as {
        threads_per_rank: number;
      };
      assert.equal(distribution.threads_per_rank, 2, where);
    }
  });
});

Deno.test("writeRunOutput() writes cut pools as StageCuts with active indices derived from is_active", async () => {
  await withTempDir(async (dir) => {
    const out = posix.join(dir, "output");
    await writeRunOutput(out, directFileAccess, sampleRunResult(1), SAMPLE_CONTEXT);
    const stage1 = decodeStageCuts(
      await Deno.readFile(posix.join(out, "policy/cuts/stage_001.bin")),
    );
    assert.equal(stage1.stage_id, 1);
    assert.equal(stage1.state_dimension, 2);
    assert.equal(stage1.populated_count, 3);
    assert.deepEqual(stage1.active_cut_indices, [1, 2]);
    assert.deepEqual(stage1.cuts.map((c) => c.intercept), [11, 21, 31]);
    assert.deepEqual(stage1.cuts.map((c) => c.cut_id), [4, 5, 6]);
    const states = decodeStageStates(
      await Deno.readFile(posix.join(out, "policy/states/stage_000.bin")),
    );
    assert.deepEqual([...states.data], [55, 20]);
  });
});

Deno.test("a cancelled run is published without _SUCCESS and with status failed", async () => {
  await withTempDir(async (dir) => {
    const out = posix.join(dir, "output");
    const result = { ...sampleRunResult(1), status: "partial" as const, simulation: null };
    await writeRunOutput(out, directFileAccess, result, SAMPLE_CONTEXT);
    const status = await readTrainingStatus(out, directFileAccess);
    assert.equal(status.status, "failed");
    assert.equal(status.success_marker, false);
    assert.equal(await Deno.stat(posix.join(out, "simulation")).catch(() => null), null);
  });
});

Deno.test("writeRunOutput() replaces an existing output as a whole", async () => {
  await withTempDir(async (dir) => {
    const out = posix.join(dir, "output");
    await writeRunOutput(out, directFileAccess, sampleRunResult(3), SAMPLE_CONTEXT);
    await writeRunOutput(out, directFileAccess, sampleRunResult(1), SAMPLE_CONTEXT);
    const partitions = await listTree(posix.join(out, "simulation/costs"));
    assert.deepEqual(partitions, ["scenario_id=0000/data.parquet"]);
    assert.deepEqual((await listTree(dir)).filter((p) => !p.startsWith("output/")), []);
  });
});

/** True when `dir` holds anything that signals a complete output (manifest or marker). */
async function looksComplete(dir: string): Promise<boolean> {
  for (const marker of ["training/_SUCCESS", "training/_manifest.json", "training/metadata.json"]) {
    if (await Deno.stat(posix.join(dir, marker)).catch(() => null)) return true;
  }
  return false;
}

Deno.test("a run killed at any write step never leaves an output that looks complete", async () => {
  await withTempDir(async (dir) => {
    // Count the write operations of a full run, then crash at each of them in turn.
    const probe = failingAccess(Number.MAX_SAFE_INTEGER);
    await writeRunOutput(posix.join(dir, "probe"), probe, sampleRunResult(2), SAMPLE_CONTEXT);
    const total = probe.operations;
    assert.ok(total > 20, `expected many write steps, got ${total}`);
    for (let step = 0; step < total; step++) {
      const root = posix.join(dir, `crash-${step}`);
      await Deno.mkdir(root);
      const out = posix.join(root, "output");
      await assert.rejects(
        writeRunOutput(out, failingAccess(step), sampleRunResult(2), SAMPLE_CONTEXT),
        InjectedCrash,
      );
      const names = [...Deno.readDirSync(root)].map((e) => e.name);
      // The target either does not exist or (crash after the publishing rename) is complete.
      if (names.includes("output")) {
        assert.equal(step, total - 1, `step ${step}: target appeared before the final rename`);
      }
      for (const name of names.filter((n) => n !== "output")) {
        assert.match(name, /^\.output\.staging-/, `step ${step}: unexpected ${name}`);
      }
    }
  });
});

Deno.test("a run killed while replacing keeps the previous complete output or none at all", async () => {
  await withTempDir(async (dir) => {
    const out = posix.join(dir, "output");
    await writeRunOutput(out, directFileAccess, sampleRunResult(1), SAMPLE_CONTEXT);
    const probe = failingAccess(Number.MAX_SAFE_INTEGER);
    await writeRunOutput(posix.join(dir, "probe"), probe, sampleRunResult(2), SAMPLE_CONTEXT);
    // Replacing adds two steps (move aside, remove old); crash at each step of the replacement.
    for (let step = 0; step < probe.operations + 2; step++) {
      const root = posix.join(dir, `replace-${step}`);
      await Deno.mkdir(root);
      const target = posix.join(root, "output");
      await writeRunOutput(target, directFileAccess, sampleRunResult(1), SAMPLE_CONTEXT);
      await writeRunOutput(target, failingAccess(step), sampleRunResult(2), SAMPLE_CONTEXT)
        .catch((error) => {
          if (!(error instanceof InjectedCrash)) throw error;
        });
      const exists = await Deno.stat(target).catch(() => null);
      if (!exists) continue; // between the two renames: no output, never a partial one
      assert.equal(await looksComplete(target), true, `step ${step}`);
      // Old (1 scenario) or new (2) as a whole, never a mix of the two.
      const costs = await listTree(posix.join(target, "simulation/costs"));
      const hydros = await listTree(posix.join(target, "simulation/hydros"));
      assert.ok(costs.length === 1 || costs.length === 2, `step ${step}`);
      assert.equal(hydros.length, costs.length, `step ${step}`);
      const manifest = await readJson(posix.join(target, "simulation/_manifest.json"));
      assert.deepEqual(manifest.scenarios, {
        total: costs.length,
        completed: costs.length,
        failed: 0,
      });
    }
  });
});

Deno.test("RunOutputWriter writes scenarios incrementally and abort() leaves nothing behind", async () => {
  await withTempDir(async (dir) => {
    const out = posix.join(dir, "output");
    const writer = await RunOutputWriter.open(out, directFileAccess);
    await writer.writeScenario(scenarioTables(sampleScenario(0)));
    await writer.writeScenario(scenarioTables(sampleScenario(1)));
    assert.equal(writer.scenariosWritten, 2);
    await assert.rejects(
      writer.writeScenario(scenarioTables(sampleScenario(1))),
      /already written/,
    );
    const staged = await listTree(writer.stagingDir);
    assert.ok(staged.includes("simulation/hydros/scenario_id=0001/data.parquet"));
    assert.equal(await Deno.stat(out).catch(() => null), null, "nothing visible before commit");
    await writer.abort();
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});
