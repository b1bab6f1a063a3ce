/**
 * `config.json` → `CaseConfig`, with the defaults of the Cobre configuration reference, Cobre's
 * own cross-field rules (scenario source seeds, mandatory iteration limit) and IncompatibleSettings
 * for options this engine does not run.
 *
 * @module
 */
import type { Issues } from "./issues.ts";
import { JsonReader } from "./fields.ts";
import type {
  CaseConfig,
  InflowNonNegativityMethod,
  SamplingScheme,
  ScenarioSourceConfig,
  StoppingRule,
} from "./model.ts";
import { unsupported } from "./unsupported.ts";

const FILE = "config.json";
const SCHEMES = ["in_sample", "out_of_sample", "historical", "external"] as const;
const INFLOW_METHODS = ["none", "penalty", "truncation", "truncation_with_penalty"] as const;
const STOPPING_TYPES = ["iteration_limit", "time_limit", "bound_stalling", "simulation"] as const;

/** Keys each config section accepts; anything else is reported (a typo would be ignored). */
const KNOWN_KEYS: Record<string, readonly string[]> = {
  "": [
    "$schema",
    "modeling",
    "training",
    "estimation",
    "upper_bound_evaluation",
    "policy",
    "simulation",
    "exports",
  ],
  modeling: ["inflow_non_negativity"],
  "modeling.inflow_non_negativity": ["method", "penalty_cost"],
  training: [
    "enabled",
    "tree_seed",
    "forward_passes",
    "stopping_rules",
    "stopping_mode",
    "cut_formulation",
    "forward_pass",
    "cut_selection",
    "solver",
    "scenario_source",
  ],
  "training.forward_pass": ["type"],
  "training.cut_selection": [
    "enabled",
    "method",
    "threshold",
    "memory_window",
    "domination_epsilon",
    "check_frequency",
    "cut_activity_tolerance",
    "basis_activity_window",
    "max_active_per_stage",
  ],
  "training.solver": ["retry_max_attempts", "retry_time_budget_seconds"],
  estimation: [
    "max_order",
    "order_selection",
    "min_observations_per_season",
    "max_coefficient_magnitude",
  ],
  upper_bound_evaluation: ["enabled", "initial_iteration", "interval_iterations", "lipschitz"],
  "upper_bound_evaluation.lipschitz": ["mode", "fallback_value", "scale_factor"],
  policy: ["path", "mode", "validate_compatibility", "checkpointing", "boundary"],
  "policy.checkpointing": [
    "enabled",
    "initial_iteration",
    "interval_iterations",
    "store_basis",
    "compress",
  ],
  "policy.boundary": ["path", "source_stage"],
  simulation: [
    "enabled",
    "num_scenarios",
    "policy_type",
    "output_path",
    "output_mode",
    "io_channel_capacity",
    "scenario_source",
  ],
  exports: [
    "training",
    "cuts",
    "states",
    "vertices",
    "simulation",
    "forward_detail",
    "backward_detail",
    "compression",
    "stochastic",
  ],
};

const SCENARIO_SOURCE_KEYS = ["seed", "inflow", "load", "ncs", "historical_years"];

function checkKnownKeys(reader: JsonReader, known: readonly string[]): void {
  for (const key of Object.keys(reader.value)) {
    if (known.includes(key)) continue;
    reader.markFailed();
    reader.issues.error(
      "SchemaViolation",
      `${FILE}: unknown field "${reader.fieldPath(key)}"`,
      {
        file: FILE,
        entity_id: null,
        field: reader.fieldPath(key),
        expected: `one of ${known.join(", ")}`,
        actual: key,
      },
      `Remove "${
        reader.fieldPath(key)
      }" or correct its spelling; cobre/get-config-schema lists every valid field.`,
    );
  }
}

function section(parent: JsonReader, key: string): JsonReader | null {
  const reader = parent.child(key, false);
  const path = parent.fieldPath(key);
  const known = KNOWN_KEYS[path];
  if (reader && known) checkKnownKeys(reader, known);
  return reader;
}

function parseScenarioSource(parent: JsonReader, sectionName: string): ScenarioSourceConfig | null {
  const src = parent.child("scenario_source", false);
  if (!src) return null;
  checkKnownKeys(src, SCENARIO_SOURCE_KEYS);
  const scheme = (cls: "inflow" | "load" | "ncs"): SamplingScheme => {
    const entry = src.child(cls, false);
    if (!entry) return "in_sample";
    checkKnownKeys(entry, ["scheme"]);
    return entry.enumOf("scheme", SCHEMES, "in_sample") ?? "in_sample";
  };
  const result: ScenarioSourceConfig = {
    seed: src.optNumber("seed", { integer: true }) ?? null,
    inflow: scheme("inflow"),
    load: scheme("load"),
    ncs: scheme("ncs"),
    historical_years: null,
  };
  const years = src.raw("historical_years");
  if (Array.isArray(years)) {
    result.historical_years = src.numberArray("historical_years", false, { integer: true }) ?? [];
  } else if (years !== undefined && years !== null) {
    const range = src.child("historical_years", false);
    if (range) {
      checkKnownKeys(range, ["from", "to"]);
      const from = range.reqNumber("from", { integer: true });
      const to = range.reqNumber("to", { integer: true });
      if (from !== undefined && to !== undefined) {
        if (from > to) range.outOfRange("from", from, { max: to }, `<= "to" (${to})`);
        result.historical_years = { from, to };
      }
    }
  }
  const base = `${sectionName}.scenario_source`;
  for (const cls of ["load", "ncs"] as const) {
    if (result[cls] === "historical") {
      src.issues.error(
        "IncompatibleSettings",
        `${FILE}: "${base}.${cls}.scheme" is "historical", which Cobre allows only for inflows`,
        {
          file: FILE,
          settings: [`${base}.${cls}.scheme`],
          detail: "historical scheme is only valid for the inflow class",
        },
        `Use "in_sample", "out_of_sample" or "external" for ${cls}.`,
      );
    }
  }
  const allInSample = result.inflow === "in_sample" && result.load === "in_sample" &&
    result.ncs === "in_sample";
  if (!allInSample && result.seed === null) {
    src.issues.error(
      "IncompatibleSettings",
      `${FILE}: "${base}.seed" is required when a class uses the out_of_sample, historical or external scheme`,
      { file: FILE, settings: [`${base}.seed`, `${base}.inflow.scheme`], detail: "seed missing" },
      `Set "${base}.seed" to an integer.`,
    );
  }
  const usesHistorical = [result.inflow, result.load, result.ncs].includes("historical");
  if (result.historical_years !== null && !usesHistorical) {
    src.issues.error(
      "IncompatibleSettings",
      `${FILE}: "${base}.historical_years" is set but no class uses the "historical" scheme`,
      {
        file: FILE,
        settings: [`${base}.historical_years`],
        detail: "historical_years without historical scheme",
      },
      `Remove "${base}.historical_years" or set "${base}.inflow.scheme" to "historical".`,
    );
  }
  for (const cls of ["inflow", "load", "ncs"] as const) {
    if (result[cls] !== "in_sample") {
      unsupported(src.issues, FILE, `the "${result[cls]}" ${cls} sampling scheme`, [
        `${base}.${cls}.scheme`,
      ]);
    }
  }
  return result;
}

function parseStoppingRules(training: JsonReader): StoppingRule[] {
  const items = training.array("stopping_rules", true);
  if (items === null) return [];
  const rules: StoppingRule[] = [];
  items.forEach((item, i) => {
    const at = training.entity(
      item,
      "",
      i,
      "training.stopping_rules",
      `training.stopping_rules[${i}]`,
    );
    if (!at) return;
    const type = at.enumOf("type", STOPPING_TYPES, undefined);
    const positiveInt = { integer: true, min: 1 };
    const nonNegative = { min: 0 };
    switch (type) {
      case "iteration_limit": {
        checkKnownKeys(at, ["type", "limit"]);
        const limit = at.reqNumber("limit", positiveInt);
        if (limit !== undefined) rules.push({ type, limit });
        break;
      }
      case "time_limit": {
        checkKnownKeys(at, ["type", "seconds"]);
        const seconds = at.reqNumber("seconds", { min: 0, minExclusive: true });
        if (seconds !== undefined) rules.push({ type, seconds });
        break;
      }
      case "bound_stalling": {
        checkKnownKeys(at, ["type", "iterations", "tolerance"]);
        const iterations = at.reqNumber("iterations", positiveInt);
        const tolerance = at.reqNumber("tolerance", nonNegative);
        if (iterations !== undefined && tolerance !== undefined) {
          rules.push({ type, iterations, tolerance });
        }
        break;
      }
      case "simulation": {
        checkKnownKeys(at, [
          "type",
          "replications",
          "period",
          "bound_window",
          "distance_tol",
          "bound_tol",
        ]);
        const replications = at.reqNumber("replications", positiveInt);
        const period = at.reqNumber("period", positiveInt);
        const bound_window = at.reqNumber("bound_window", positiveInt);
        const distance_tol = at.reqNumber("distance_tol", nonNegative);
        const bound_tol = at.reqNumber("bound_tol", nonNegative);
        if (
          replications !== undefined && period !== undefined && bound_window !== undefined &&
          distance_tol !== undefined && bound_tol !== undefined
        ) {
          rules.push({ type, replications, period, bound_window, distance_tol, bound_tol });
        }
        break;
      }
    }
  });
  if (rules.length === items.length && !rules.some((r) => r.type === "iteration_limit")) {
    training.issues.error(
      "SchemaViolation",
      `${FILE}: "training.stopping_rules" must contain an "iteration_limit" rule (Cobre's mandatory safety bound)`,
      {
        file: FILE,
        entity_id: null,
        field: "training.stopping_rules",
        expected: "at least one rule with type iteration_limit",
        actual: rules.map((r) => r.type).join(", ") || "no rules",
      },
      `Add {"type": "iteration_limit", "limit": 100} to "training.stopping_rules".`,
    );
  }
  return rules;
}

function parseTraining(root: JsonReader): CaseConfig["training"] | null {
  const training = root.child("training", true);
  if (!training) return null;
  checkKnownKeys(training, KNOWN_KEYS.training ?? []);
  const forwardPasses = training.reqNumber("forward_passes", { integer: true, min: 1 });
  const stoppingRules = parseStoppingRules(training);
  const cutFormulation = training.enumOf("cut_formulation", ["single", "multi"] as const, "single");
  if (training.has("cut_formulation") && cutFormulation === "multi") {
    unsupported(training.issues, FILE, "the multi-cut formulation", ["training.cut_formulation"]);
  }
  const forwardPass = section(training, "forward_pass");
  if (forwardPass) {
    const type = forwardPass.reqString("type");
    if (type !== undefined && type !== "default") {
      unsupported(training.issues, FILE, `the "${type}" forward pass`, [
        "training.forward_pass.type",
      ]);
    }
  }
  const cutSelection = section(training, "cut_selection");
  let cutSelectionEnabled = false;
  if (cutSelection) {
    cutSelectionEnabled = cutSelection.bool("enabled", false);
    cutSelection.enumOf("method", ["level1", "lml1", "domination"] as const, "level1");
    cutSelection.optNumber("threshold", { integer: true, min: 0 });
    cutSelection.optNumber("memory_window", { integer: true, min: 1 });
    cutSelection.optNumber("domination_epsilon", { min: 0 });
    cutSelection.optNumber("check_frequency", { integer: true, min: 1 });
    cutSelection.optNumber("cut_activity_tolerance", { min: 0 });
    cutSelection.optNumber("basis_activity_window", { integer: true, min: 1, max: 31 });
    cutSelection.optNumber("max_active_per_stage", { integer: true, min: 1 });
    if (cutSelectionEnabled) {
      unsupported(training.issues, FILE, "cut selection (row pruning)", [
        "training.cut_selection.enabled",
      ]);
    }
  }
  const solver = section(training, "solver");
  if (solver) {
    solver.optNumber("retry_max_attempts", { integer: true, min: 0 });
    solver.optNumber("retry_time_budget_seconds", { min: 0 });
  }
  const scenarioSource = parseScenarioSource(training, "training");
  const enabled = training.bool("enabled", true);
  if (!enabled) {
    unsupported(
      training.issues,
      FILE,
      "skipping training (simulating a stored policy)",
      ["training.enabled"],
      {},
      `Set "training.enabled" to true; cobre-mcp trains the policy in the same run.`,
    );
  }
  return {
    enabled,
    tree_seed: training.optNumber("tree_seed", { integer: true }) ?? null,
    forward_passes: forwardPasses ?? 1,
    stopping_rules: stoppingRules,
    stopping_mode: training.enumOf("stopping_mode", ["any", "all"] as const, "any") ?? "any",
    cut_formulation: training.has("cut_formulation") ? cutFormulation ?? null : null,
    cut_selection_enabled: cutSelectionEnabled,
    scenario_source: scenarioSource ?? defaultScenarioSource(),
  };
}

function defaultScenarioSource(): ScenarioSourceConfig {
  return {
    seed: null,
    inflow: "in_sample",
    load: "in_sample",
    ncs: "in_sample",
    historical_years: null,
  };
}

function parseModeling(root: JsonReader): CaseConfig["modeling"] {
  const modeling = section(root, "modeling");
  const nonNeg = modeling ? section(modeling, "inflow_non_negativity") : null;
  const method: InflowNonNegativityMethod = nonNeg?.enumOf("method", INFLOW_METHODS, "penalty") ??
    "penalty";
  const penaltyCost = nonNeg?.optNumber("penalty_cost", { min: 0 }) ?? 1000;
  return { inflow_non_negativity: { method, penalty_cost: penaltyCost } };
}

function parseEstimation(root: JsonReader): void {
  const estimation = section(root, "estimation");
  if (!estimation) return;
  estimation.optNumber("max_order", { integer: true, min: 0 });
  estimation.enumOf("order_selection", ["pacf", "pacf_annual", "fixed"] as const, "pacf");
  estimation.optNumber("min_observations_per_season", { integer: true, min: 1 });
  estimation.optNumber("max_coefficient_magnitude", { min: 0, minExclusive: true });
}

function parseUpperBound(root: JsonReader): void {
  const ub = section(root, "upper_bound_evaluation");
  if (!ub) return;
  const enabled = ub.bool("enabled", false);
  ub.optNumber("initial_iteration", { integer: true, min: 1 });
  ub.optNumber("interval_iterations", { integer: true, min: 1 });
  const lipschitz = section(ub, "lipschitz");
  if (lipschitz) {
    lipschitz.enumOf("mode", ["auto"] as const, "auto");
    lipschitz.optNumber("fallback_value", { min: 0 });
    lipschitz.optNumber("scale_factor", { min: 0 });
  }
  if (enabled) {
    unsupported(root.issues, FILE, "inner-approximation upper bound evaluation", [
      "upper_bound_evaluation.enabled",
    ]);
  }
}

function parsePolicy(root: JsonReader): CaseConfig["policy"] {
  const policy = section(root, "policy");
  const mode = policy?.enumOf("mode", ["fresh", "warm_start", "resume"] as const, "fresh") ??
    "fresh";
  if (mode !== "fresh") {
    unsupported(
      root.issues,
      FILE,
      `policy mode "${mode}"`,
      ["policy.mode"],
      {},
      `Set "policy.mode" to "fresh".`,
    );
  }
  const checkpointing = policy ? section(policy, "checkpointing") : null;
  if (checkpointing) {
    const enabled = checkpointing.bool("enabled", false);
    checkpointing.optNumber("initial_iteration", { integer: true, min: 1 });
    checkpointing.optNumber("interval_iterations", { integer: true, min: 1 });
    checkpointing.bool("store_basis", false);
    checkpointing.bool("compress", false);
    if (enabled) {
      unsupported(root.issues, FILE, "policy checkpointing", ["policy.checkpointing.enabled"]);
    }
  }
  if (policy?.has("boundary")) {
    const boundary = section(policy, "boundary");
    boundary?.reqString("path");
    boundary?.reqNumber("source_stage", { integer: true, min: 0 });
    unsupported(root.issues, FILE, "terminal boundary cuts from another policy", [
      "policy.boundary",
    ]);
  }
  return {
    path: policy?.optString("path") ?? "./policy",
    mode,
    validate_compatibility: policy?.bool("validate_compatibility", true) ?? true,
  };
}

function parseSimulation(
  root: JsonReader,
  training: ScenarioSourceConfig,
): CaseConfig["simulation"] {
  const sim = section(root, "simulation");
  const policyType = sim?.enumOf("policy_type", ["outer", "inner"] as const, "outer") ?? "outer";
  if (policyType === "inner") {
    unsupported(root.issues, FILE, "simulating the inner (vertex) policy", [
      "simulation.policy_type",
    ]);
  }
  const outputPath = sim?.optString("output_path") ?? null;
  sim?.enumOf("output_mode", ["streaming", "batched"] as const, "streaming");
  sim?.optNumber("io_channel_capacity", { integer: true, min: 1 });
  return {
    enabled: sim?.bool("enabled", false) ?? false,
    num_scenarios: sim?.optNumber("num_scenarios", { integer: true, min: 0 }) ?? 2000,
    policy_type: policyType,
    output_path: outputPath,
    scenario_source: (sim ? parseScenarioSource(sim, "simulation") : null) ?? training,
  };
}

function parseExports(root: JsonReader): CaseConfig["exports"] {
  const ex = section(root, "exports");
  const flag = (key: string, fallback: boolean) => ex?.bool(key, fallback) ?? fallback;
  return {
    training: flag("training", true),
    cuts: flag("cuts", true),
    states: flag("states", false),
    vertices: flag("vertices", true),
    simulation: flag("simulation", true),
    forward_detail: flag("forward_detail", false),
    backward_detail: flag("backward_detail", false),
    compression: ex?.has("compression")
      ? ex.enumOf("compression", ["zstd", "lz4", "none"] as const, "zstd") ?? null
      : null,
    stochastic: flag("stochastic", false),
  };
}

/** Parses `config.json`; returns null when it is unusable (records say why). */
export function parseConfig(issues: Issues, value: unknown): CaseConfig | null {
  const root = JsonReader.root(issues, FILE, value);
  if (!root) return null;
  checkKnownKeys(root, KNOWN_KEYS[""] ?? []);
  root.optString("$schema");
  const modeling = parseModeling(root);
  const training = parseTraining(root);
  parseEstimation(root);
  parseUpperBound(root);
  const policy = parsePolicy(root);
  const simulation = parseSimulation(root, training?.scenario_source ?? defaultScenarioSource());
  const exports = parseExports(root);
  if (!training || root.failed) return null;
  return { modeling, training, simulation, policy, exports, raw: root.value };
}
