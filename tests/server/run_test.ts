/**
 * `cobre/run` in process, over an in-memory MCP session with the real sandbox: results, outputs,
 * progress, refusals and errors. Cancellation, Busy and tasks are in `run_cancel_test.ts` and
 * `run_tasks_test.ts`; real processes in `tests/e2e/run_*_test.ts`.
 *
 * Every fixture stage is one 720 h block. Expected costs are derived by hand below (the same
 * derivations as `tests/engine/train_test.ts`).
 */
import assert from "node:assert/strict";
import { readSimulationStatus, readTrainingStatus } from "../../src/output/mod.ts";
import { directFileAccess, runtimeFiles } from "../../src/common/mod.ts";
import {
  engineWorkerPermissions,
  type RunSummary,
  WRITE_DISABLED_MESSAGE,
} from "../../src/server/mod.ts";
import {
  exists,
  listNames,
  openRunSession,
  recordOf,
  runWorkspace,
  sandboxFailingWrite,
} from "./run_support.ts";

type Progress = {
  progress: number;
  total?: number;
  message?: string;
  _meta?: Record<string, Record<string, unknown>>;
};

function assertClose(actual: number | undefined, expected: number, label: string): void {
  assert.ok(actual !== undefined, `${label}: missing`);
  assert.ok(
    Math.abs(actual - expected) <= 1e-6 * Math.max(1, Math.abs(expected)),
    `${label}: ${actual} != ${expected}`,
  );
}

Deno.test("cobre/run trains and simulates a case and publishes its outputs with _SUCCESS markers", async () => {
  await using ws = await runWorkspace(["thermal_merit_order"]);
  const session = await openRunSession(ws);
  try {
    const caseDir = ws.caseDir("thermal_merit_order");
    const result = await session.client.callTool({
      name: "cobre/run",
      arguments: { case_dir: caseDir },
    });
    assert.equal(result.isError, false, JSON.stringify(result.content));
    const summary = result.structuredContent as RunSummary;
    assert.equal(summary.status, "completed");
    assert.equal(summary.output_dir, `${caseDir}/output`);
    // T0: 80 MW at 10 $/MWh, T1: 100 MW at 30 $/MWh; load 60 MW then 120 MW, 720 h each:
    // 60 * 10 * 720 + (80 * 10 + 40 * 30) * 720 = 432,000 + 1,440,000 = 1,872,000.
    assertClose(summary.training?.final_lower_bound, 1_872_000, "lower bound");
    assertClose(summary.training?.final_upper_bound, 1_872_000, "upper bound");
    // The config's only stopping rule is an iteration limit of 4.
    assert.equal(summary.training?.iterations, 4);
    assert.equal(summary.training?.termination_reason, "iteration_limit");
    assert.ok(Math.abs(summary.training?.final_gap ?? 1) < 1e-9, "deterministic: no gap");
    // One forward pass x one cut per stage with a successor (stage 0) x 4 iterations.
    assert.equal(summary.training?.total_cuts, 4);
    assert.equal(summary.simulation?.scenarios, 2); // config: num_scenarios 2
    assert.deepEqual(summary.simulation?.output_files, [
      "simulation/buses",
      "simulation/costs",
      "simulation/thermals",
    ]);
    // The JSON text block carries the same result.
    const text = (result.content as { type: string; text: string }[])[0]!.text;
    assert.deepEqual(JSON.parse(text), summary);

    const output = summary.output_dir;
    assert.ok(await exists(`${output}/training/_SUCCESS`));
    assert.ok(await exists(`${output}/simulation/_SUCCESS`));
    assert.ok(await exists(`${output}/policy/cuts/stage_000.bin`));
    assert.deepEqual(await listNames(`${output}/simulation/costs`), [
      "scenario_id=0000",
      "scenario_id=0001",
    ]);
    // Published by one rename: no hidden staging directory is left beside it.
    assert.deepEqual(await listNames(caseDir).then((n) => n.filter((x) => x.startsWith("."))), []);
    const training = await readTrainingStatus(output, directFileAccess);
    assert.equal(training.status, "complete");
    const simulation = await readSimulationStatus(output, directFileAccess);
    assert.equal(simulation?.status, "complete");

    // What cobre/run wrote is what the query tools read: both scenarios cost 1,872,000.
    const costs = await session.client.callTool({
      name: "cobre/query-results",
      arguments: { output_dir: output, entity_type: "costs" },
    });
    assert.equal(costs.isError, false, JSON.stringify(costs.content));
    const table = costs.structuredContent as { columns: string[]; rows: number[][] };
    const scenarioAt = table.columns.indexOf("scenario_id");
    const costAt = table.columns.indexOf("immediate_cost");
    const perScenario = new Map<number, number>();
    for (const row of table.rows) {
      const scenario = row[scenarioAt]!;
      perScenario.set(scenario, (perScenario.get(scenario) ?? 0) + row[costAt]!);
    }
    assert.deepEqual([...perScenario.keys()].sort(), [0, 1]);
    for (const total of perScenario.values()) assertClose(total, 1_872_000, "scenario cost");
  } finally {
    await session.close();
  }
});

Deno.test("cobre/run reports one progress per iteration, then simulation on the same rising scale", async () => {
  await using ws = await runWorkspace(["stochastic_par"]);
  const session = await openRunSession(ws);
  try {
    const seen: Progress[] = [];
    const result = await session.client.callTool(
      { name: "cobre/run", arguments: { case_dir: ws.caseDir("stochastic_par") } },
      undefined,
      { onprogress: (p) => void seen.push(p as Progress) },
    );
    assert.equal(result.isError, false, JSON.stringify(result.content));
    // stochastic_par: iteration limit 8, then 6 simulated scenarios.
    const training = seen.filter((p) => p._meta?.["dev.cobre/update"]?.phase === "training");
    const simulation = seen.filter((p) => p._meta?.["dev.cobre/update"]?.phase === "simulation");
    assert.deepEqual(training.map((p) => p.progress), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.ok(training.every((p) => p.total === 8), "the iteration limit is the total");
    assert.ok(simulation.length >= 1);
    const last = simulation.at(-1)!;
    assert.equal(last.progress, 8 + 6, "simulation continues after the last iteration");
    assert.equal(last.total, 8 + 6);
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i]!.progress > seen[i - 1]!.progress, "progress always increases");
    }
    const update = training.at(-1)!._meta!["dev.cobre/update"]!;
    assert.equal(update.iteration, 8);
    assert.deepEqual(
      Object.keys(update).filter((k) =>
        ["lower_bound", "upper_bound", "gap", "wall_time_ms"].includes(k)
      ).sort(),
      ["gap", "lower_bound", "upper_bound", "wall_time_ms"],
    );
    const summary = result.structuredContent as RunSummary;
    assert.equal(update.lower_bound, summary.training?.final_lower_bound);
    assert.match(training.at(-1)!.message ?? "", /^iteration 8\/8 · LB \S+ · UB \S+ · gap /);
    assert.match(last.message ?? "", /^simulation 6\/6 scenarios · \d+\.\d s$/);
    assert.deepEqual(last._meta!["dev.cobre/update"], {
      phase: "simulation",
      scenarios_complete: 6,
      scenarios_total: 6,
      elapsed_ms: last._meta!["dev.cobre/update"]!.elapsed_ms,
    });
  } finally {
    await session.close();
  }
});

Deno.test("cobre/run on a read-only server answers WriteDisabled and writes nothing", async () => {
  await using ws = await runWorkspace(["thermal_merit_order"]);
  const session = await openRunSession(ws, { mode: "read-only" });
  try {
    const caseDir = ws.caseDir("thermal_merit_order");
    const before = await listNames(caseDir);
    const result = await session.client.callTool({
      name: "cobre/run",
      arguments: { case_dir: caseDir },
    });
    assert.equal(result.isError, true);
    const record = recordOf(result);
    assert.equal(record.kind, "WriteDisabled");
    assert.equal(record.message, WRITE_DISABLED_MESSAGE);
    assert.deepEqual(await listNames(caseDir), before);
    const { tools } = await session.client.listTools();
    assert.match(tools.find((t) => t.name === "cobre/run")?.description ?? "", /Unavailable/);
  } finally {
    await session.close();
  }
});

Deno.test("cobre/run refuses a case validation rejects, listing every error, before the engine starts", async () => {
  await using ws = await runWorkspace(["thermal_merit_order"]);
  const caseDir = ws.caseDir("thermal_merit_order");
  // Two errors: a thermal on a bus that does not exist, and a negative capacity.
  const thermals = JSON.parse(await Deno.readTextFile(`${caseDir}/system/thermals.json`));
  thermals.thermals[0].bus_id = 7;
  thermals.thermals[1].generation.max_mw = -5;
  await Deno.writeTextFile(`${caseDir}/system/thermals.json`, JSON.stringify(thermals));
  const session = await openRunSession(ws);
  try {
    const result = await session.client.callTool({
      name: "cobre/run",
      arguments: { case_dir: caseDir },
    });
    assert.equal(result.isError, true);
    const record = recordOf(result);
    const errors = record.context.errors as { kind: string; message: string }[];
    assert.ok(errors.length >= 2, JSON.stringify(record));
    assert.equal(record.context.error_count, errors.length);
    assert.equal(record.kind, errors[0]!.kind, "the first error speaks for the refusal");
    assert.ok(errors.some((e) => e.kind === "MissingReference"), JSON.stringify(errors));
    // The engine never ran: nothing was written next to the case.
    assert.equal(await exists(`${caseDir}/output`), false);
    assert.deepEqual((await listNames(caseDir)).filter((n) => n.startsWith(".")), []);
  } finally {
    await session.close();
  }
});

Deno.test("cobre/run reports an infeasible stage as SolverFailure with stage, iteration, opening and status", async () => {
  await using ws = await runWorkspace(["negative_inflow"]);
  const session = await openRunSession(ws);
  try {
    const caseDir = ws.caseDir("negative_inflow");
    const result = await session.client.callTool({
      name: "cobre/run",
      arguments: { case_dir: caseDir },
    });
    assert.equal(result.isError, true);
    const record = recordOf(result);
    assert.equal(record.kind, "SolverFailure");
    // Inflow -10 m3/s into an empty reservoir cannot balance in the first forward solve.
    assert.equal(record.context.solver_status, "infeasible");
    assert.equal(record.context.stage, 0);
    assert.equal(record.context.iteration, 1);
    assert.ok("opening" in record.context);
    assert.equal(await exists(`${caseDir}/output`), false, "a failed run publishes nothing");
    assert.equal(session.coordinator.busy, false, "the run slot is free again");
  } finally {
    await session.close();
  }
});

Deno.test("cobre/run phases: training skips simulation; simulation alone is refused", async () => {
  await using ws = await runWorkspace(["thermal_merit_order"]);
  const session = await openRunSession(ws);
  try {
    const caseDir = ws.caseDir("thermal_merit_order");
    const refused = await session.client.callTool({
      name: "cobre/run",
      arguments: { case_dir: caseDir, phases: "simulation" },
    });
    assert.equal(refused.isError, true);
    assert.equal(recordOf(refused).kind, "IncompatibleSettings");
    assert.equal(await exists(`${caseDir}/output`), false);

    const trained = await session.client.callTool({
      name: "cobre/run",
      arguments: { case_dir: caseDir, phases: "training" },
    });
    assert.equal(trained.isError, false, JSON.stringify(trained.content));
    const summary = trained.structuredContent as RunSummary;
    assert.equal(summary.simulation, null);
    assertClose(summary.training?.final_lower_bound, 1_872_000, "lower bound");
    assert.ok(await exists(`${caseDir}/output/training/_SUCCESS`));
    assert.equal(await exists(`${caseDir}/output/simulation`), false);
  } finally {
    await session.close();
  }
});

Deno.test("cobre/run refuses case paths outside the sandbox without revealing it", async () => {
  await using ws = await runWorkspace(["thermal_merit_order"]);
  const session = await openRunSession(ws);
  try {
    for (const path of [`${ws.root}/state`, "/etc", "relative/case", `${ws.allowed}/missing`]) {
      const result = await session.client.callTool({
        name: "cobre/run",
        arguments: { case_dir: path },
      });
      assert.equal(result.isError, true, path);
      const record = recordOf(result);
      assert.equal(record.kind, "MissingFile", path);
      assert.ok(!JSON.stringify(record).includes(ws.allowed + '"'), "allowlist not revealed");
    }
  } finally {
    await session.close();
  }
});

Deno.test("cobre/run reports CheckpointFailed when its outputs cannot be written, and publishes nothing", async () => {
  await using ws = await runWorkspace(["thermal_merit_order"]);
  const caseDir = ws.caseDir("thermal_merit_order");
  // A disk that fills up while the outputs are written: the third file fails.
  const sandbox = sandboxFailingWrite(ws, 3);
  const session = await openRunSession(ws, { sandbox });
  try {
    const result = await session.client.callTool({
      name: "cobre/run",
      arguments: { case_dir: caseDir },
    });
    assert.equal(result.isError, true);
    const record = recordOf(result);
    assert.equal(record.kind, "CheckpointFailed");
    assert.deepEqual(record.context.cause, { error: "Error" }, "the raw message is not passed on");
    assert.equal(sandbox.writes, 3);
    // Nothing published, and the staging directory was cleaned up.
    assert.equal(await exists(`${caseDir}/output`), false);
    assert.deepEqual((await listNames(caseDir)).filter((n) => n.startsWith(".")), []);
    assert.equal(session.coordinator.busy, false);
  } finally {
    await session.close();
  }
});

Deno.test("engineWorkerPermissions() lets the engine read the solver and the source code, nothing else", () => {
  const permissions = engineWorkerPermissions();
  const { read, ...others } = permissions;
  assert.deepEqual(others, {
    write: false,
    net: false,
    env: false,
    run: false,
    ffi: false,
    sys: false,
    import: false,
  });
  assert.ok(Array.isArray(read));
  assert.equal(read.length, 2);
  assert.equal(read[0], runtimeFiles().highsWasm);
  assert.match(String(read[1]), /\/src$/, "the source folder, never a case or the state dir");
});
