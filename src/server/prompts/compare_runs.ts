/**
 * `cobre/compare-runs` (spec SS4.4): a side-by-side assessment of two or more runs (policy
 * quality, convergence speed, simulated costs). `output_dirs` is an array in the spec; MCP
 * prompt arguments are strings, so it is given as a JSON array or as paths separated by commas
 * or newlines. Each run's final bounds and termination reason are read up front and fenced.
 *
 * @module
 */
import { posix } from "node:path";
import { isCobreError, type JsonValue, type ReadAccess } from "../../common/mod.ts";
import { queryConvergence } from "../../output/mod.ts";
import { parseDirectoryList, resolveOutputDir } from "./arguments.ts";
import type { PromptDefinition } from "./definition.ts";
import { fenceUntrusted } from "../../security/mod.ts";

async function exists(access: ReadAccess, path: string): Promise<boolean> {
  return (await access.stat(path)) !== null;
}

/** What the prompt states about one run, all read from its files. */
async function runFacts(
  given: string,
  outputDir: string,
  access: ReadAccess,
): Promise<Record<string, JsonValue>> {
  let convergence: JsonValue = null;
  try {
    const history = await queryConvergence({ outputDir }, access);
    const last = history.iterations.at(-1);
    convergence = {
      iterations: history.total_iterations,
      termination_reason: history.termination_reason,
      status: history.status,
      final_lower_bound: last?.lower_bound ?? null,
      final_upper_bound: last?.upper_bound ?? null,
      final_gap: last?.gap ?? null,
      final_ci_95: last?.ci_95 ?? null,
      wall_time_ms: last?.wall_time_ms ?? null,
    };
  } catch (error) {
    // A simulation-only run has no convergence log; anything else is a real failure.
    if (!isCobreError(error) || error.record.kind !== "OutputNotFound") throw error;
  }
  return {
    output_dir: given,
    training: convergence,
    has_policy: await exists(access, posix.join(outputDir, "policy", "cuts")),
    has_simulation: await exists(access, posix.join(outputDir, "simulation")),
  };
}

/** The `cobre/compare-runs` prompt. */
export const compareRunsPrompt: PromptDefinition = {
  name: "cobre/compare-runs",
  title: "Compare Cobre runs",
  description: "Compares two or more training/simulation runs (policy quality, convergence " +
    "speed, simulated costs) and recommends one.",
  arguments: [{
    name: "output_dirs",
    description: "Absolute paths to the output directories to compare (at least 2): a JSON " +
      'array (["/a/output", "/b/output"]) or paths separated by commas or newlines',
    required: true,
  }],
  async render(args, ctx) {
    const given = parseDirectoryList(args.output_dirs ?? "", "output_dirs", 2);
    const facts: Record<string, JsonValue>[] = [];
    for (const dir of given) {
      const outputDir = await resolveOutputDir(ctx.sandbox, dir);
      facts.push(await runFacts(dir, outputDir, ctx.sandbox.access));
    }
    const tool = ctx.tool;
    const policyDirs = JSON.stringify(given.map((dir) => posix.join(dir, "policy")));
    const list = given.map((dir, i) => `  run ${i + 1}: ${JSON.stringify(dir)}`);
    const instructions = [
      `Compare these ${given.length} Cobre runs and recommend the better policy:`,
      ...list,
      "",
      `1. Policies: call \`${tool("cobre/compare-policies")}\` {"policy_dirs": ${policyDirs}}` +
      " (runs without a policy cannot take part). compatible=false means different stage " +
      `counts or state dimensions: compare such runs by costs only. \`${
        tool("cobre/inspect-policy")
      }\` gives cuts per stage for one policy.`,
      `2. Convergence: call \`${tool("cobre/query-convergence")}\` for each output_dir. ` +
      "Compare final lower bounds (for a cost minimisation, a higher lower bound is a tighter " +
      "policy), final gaps, upper-bound 95% intervals and iterations and time to reach a given gap.",
      `3. Costs: call \`${tool("cobre/query-results")}\` with entity_type "costs" for each run ` +
      "(columns scenario_id, stage_id, block_id, immediate_cost, thermal_cost, deficit_cost, " +
      "spillage_cost). Sum immediate_cost over stages per scenario, then compare mean, standard " +
      "deviation and P90 across scenarios; deficit costs show reliability.",
      "4. Summarise the differences in a table (bounds, gap, iterations, time, mean and P90 " +
      "cost, deficit) and recommend one run, saying why and how confident the evidence is " +
      "(overlapping intervals mean the runs are not distinguishable).",
      "",
      "The next message holds what the server read from each run's files.",
    ];
    return {
      description: `Compare ${given.length} Cobre runs`,
      messages: [
        { role: "user", text: instructions.join("\n") },
        {
          role: "user",
          text: fenceUntrusted(
            "final bounds and termination reasons read from each run's training files",
            JSON.stringify(facts, null, 1),
          ),
        },
      ],
    };
  },
};
