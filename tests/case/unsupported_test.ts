import assert from "node:assert/strict";
import { directFileAccess } from "../../src/common/mod.ts";
import { validateCase } from "../../src/case/mod.ts";
import { type ScratchCase, TINY, TWO_BUS, withScratch } from "./helpers.ts";

interface Unsupported {
  feature: string;
  fixture?: string;
  enable: (c: ScratchCase) => Promise<void>;
  file: string;
}

const UNSUPPORTED: Unsupported[] = [
  {
    feature: "reservoir evaporation",
    enable: (c) =>
      c.editJson(
        "system/hydros.json",
        (d) => (d.hydros[0].evaporation = { coefficients_mm: Array(12).fill(50) }),
      ),
    file: "system/hydros.json",
  },
  {
    feature: "diversion channels",
    fixture: TWO_BUS,
    enable: (c) =>
      c.editJson(
        "system/hydros.json",
        (d) => (d.hydros[1].diversion = { downstream_id: 1, max_flow_m3s: 10 }),
      ),
    file: "system/hydros.json",
  },
  {
    feature: "the CVaR risk measure",
    enable: (c) =>
      c.editJson(
        "stages.json",
        (d) => (d.stages[0].risk_measure = { cvar: { alpha: 0.5, lambda: 0.3 } }),
      ),
    file: "stages.json",
  },
  {
    feature: "chronological block mode",
    enable: (c) => c.editJson("stages.json", (d) => (d.stages[1].block_mode = "chronological")),
    file: "stages.json",
  },
  {
    feature: 'the "lhs" sampling method',
    enable: (c) => c.editJson("stages.json", (d) => (d.stages[0].sampling_method = "lhs")),
    file: "stages.json",
  },
  {
    feature: "cyclic (infinite-horizon) policy graphs",
    enable: (c) =>
      c.editJson(
        "stages.json",
        (d) => (d.policy_graph = { type: "cyclic", annual_discount_rate: 0.1 }),
      ),
    file: "stages.json",
  },
  {
    feature: "policy graph transitions other than the linear stage sequence",
    enable: (c) =>
      c.editJson("stages.json", (d) => {
        d.policy_graph.transitions = [
          { source_id: 0, target_id: 1, probability: 0.5 },
          { source_id: 0, target_id: 0, probability: 0.5 },
        ];
      }),
    file: "stages.json",
  },
  {
    feature: "cut selection (row pruning)",
    enable: (c) =>
      c.editJson(
        "config.json",
        (d) => (d.training.cut_selection = { enabled: true, method: "level1" }),
      ),
    file: "config.json",
  },
  {
    feature: 'policy mode "resume"',
    enable: (c) => c.editJson("config.json", (d) => (d.policy = { mode: "resume" })),
    file: "config.json",
  },
  {
    feature: "terminal boundary cuts from another policy",
    enable: (c) =>
      c.editJson(
        "config.json",
        (d) => (d.policy = { boundary: { path: "../other", source_stage: 2 } }),
      ),
    file: "config.json",
  },
  {
    feature: 'the "out_of_sample" inflow sampling scheme',
    enable: (c) =>
      c.editJson(
        "config.json",
        (d) => (d.training.scenario_source = { seed: 3, inflow: { scheme: "out_of_sample" } }),
      ),
    file: "config.json",
  },
  {
    feature: "inner-approximation upper bound evaluation",
    enable: (c) => c.editJson("config.json", (d) => (d.upper_bound_evaluation = { enabled: true })),
    file: "config.json",
  },
  {
    feature: "GNL dispatch anticipation",
    enable: (c) =>
      c.editJson("system/thermals.json", (d) => (d.thermals[0].gnl_config = { lag_stages: 2 })),
    file: "system/thermals.json",
  },
  {
    feature: "transmission losses",
    fixture: TWO_BUS,
    enable: (c) => c.editJson("system/lines.json", (d) => (d.lines[0].losses_percent = 2.5)),
    file: "system/lines.json",
  },
  {
    feature: "entity lifecycle (entry_stage_id / exit_stage_id)",
    enable: (c) => c.editJson("system/thermals.json", (d) => (d.thermals[0].exit_stage_id = 1)),
    file: "system/thermals.json",
  },
  {
    feature: '"fpha" hydro production model',
    fixture: TWO_BUS,
    enable: (c) =>
      c.editJson("system/hydro_production_models.json", (d) => {
        d.production_models[0].stage_ranges[1] = {
          start_stage_id: 1,
          end_stage_id: null,
          model: "fpha",
          fpha_config: { source: "computed" },
        };
      }),
    file: "system/hydro_production_models.json",
  },
  {
    feature: "cross-series inflow correlation",
    enable: (c) => c.writeJson("scenarios/correlation.json", { method: "spectral", profiles: {} }),
    file: "scenarios/correlation.json",
  },
  {
    feature: "user-defined generic LP constraints",
    enable: (c) => c.writeJson("constraints/generic_constraints.json", { constraints: [] }),
    file: "constraints/generic_constraints.json",
  },
  {
    feature: "non-controllable sources (wind, solar)",
    enable: (c) =>
      c.writeJson("system/non_controllable_sources.json", { non_controllable_sources: [] }),
    file: "system/non_controllable_sources.json",
  },
  {
    feature: "reservoir filling",
    enable: async (c) => {
      await c.editJson(
        "initial_conditions.json",
        (d) => (d.filling_storage = [{ hydro_id: 0, value_hm3: 0 }]),
      );
      await c.editJson("initial_conditions.json", (d) => (d.storage = []));
    },
    file: "initial_conditions.json",
  },
];

for (const item of UNSUPPORTED) {
  Deno.test(`validateCase() names ${item.feature} as an IncompatibleSettings error`, async () => {
    await withScratch(item.fixture ?? TINY, async (c) => {
      await item.enable(c);
      const report = await validateCase(c.dir, directFileAccess);
      assert.equal(report.valid, false);
      assert.deepEqual(
        report.errors.map((e) => e.kind),
        ["IncompatibleSettings"],
        JSON.stringify(report.errors, null, 1),
      );
      const error = report.errors[0];
      assert.equal(error?.context.file, item.file);
      assert.ok(error?.message.includes(item.feature), error?.message);
      assert.ok(Array.isArray(error?.context.settings));
    });
  });
}

Deno.test("validateCase() lists a recognised but unsupported file in the files it checked", async () => {
  await withScratch(TINY, async (c) => {
    await c.writeJson("constraints/exchange_factors.json", { exchange_factors: [] });
    const report = await validateCase(c.dir, directFileAccess);
    assert.equal(report.summary.files_checked, 11);
    assert.match(
      report.errors[0]?.message ?? "",
      /per-block line exchange factors is not supported/,
    );
  });
});
