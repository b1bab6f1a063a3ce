/**
 * `cobre/compare-policies` (MCP spec SS2.6): structural and convergence metrics of two or more
 * policies side by side.
 *
 * - Bounds and iterations come from each `policy/metadata.json` (`final_lower_bound`,
 *   `best_upper_bound`, `completed_iterations`); null when a policy has no metadata.
 * - `final_gap` is Cobre's gap `(UB − LB) / max(1, |UB|)` as a fraction.
 * - Incompatibility (different stage count or state dimension) is reported in the result, as
 *   `compatible: false` plus `IncompatibleRuns` records, never thrown.
 * - `deltas` (second minus first) exist only for exactly two compatible policies; the `_pct`
 *   deltas are fractions of the first policy's value (0.0013 = 0.13 %), as the spec example shows.
 *
 * @module
 */
import { type ErrorRecord, errorRecord, type JsonValue, type ReadAccess } from "../common/mod.ts";
import { invalidArgument, invalidChoice } from "./errors.ts";
import { readPolicyMetadata } from "./manifests.ts";
import { locatePolicy, summarizePolicy } from "./policy_read.ts";

/** Metric groups of the spec. */
export const POLICY_METRICS = ["convergence", "cut_counts", "state_dimension", "all"] as const;

/** A metric group name. */
export type PolicyMetric = typeof POLICY_METRICS[number];

/** Arguments of `comparePolicies`. */
export interface ComparePoliciesRequest {
  policyDirs: readonly string[];
  metrics?: readonly string[];
}

/** One policy in the comparison. */
export interface ComparedPolicy {
  policy_dir: string;
  stages: number;
  total_cuts: number;
  state_dimension: number;
  cuts_per_stage?: number[];
  final_lower_bound?: number | null;
  final_upper_bound?: number | null;
  final_gap?: number | null;
  iterations?: number | null;
}

/** Second-minus-first differences of two compatible policies. */
export interface PolicyDeltas {
  lb_delta?: number | null;
  lb_delta_pct?: number | null;
  ub_delta?: number | null;
  ub_delta_pct?: number | null;
  cut_count_delta?: number;
}

/** Result of `comparePolicies`. */
export interface PolicyComparison {
  policies: ComparedPolicy[];
  compatible: boolean;
  deltas: PolicyDeltas | null;
  /** One `IncompatibleRuns` record per mismatch against the first policy. */
  incompatibilities: ErrorRecord[];
}

function gapOf(lb: number | null, ub: number | null): number | null {
  if (lb === null || ub === null) return null;
  return (ub - lb) / Math.max(1, Math.abs(ub));
}

function delta(a: number | null | undefined, b: number | null | undefined) {
  if (a === null || a === undefined || b === null || b === undefined) {
    return { abs: null, pct: null };
  }
  return { abs: b - a, pct: a === 0 ? null : (b - a) / Math.abs(a) };
}

function incompatible(
  field: string,
  first: ComparedPolicy,
  other: ComparedPolicy,
  a: JsonValue,
  b: JsonValue,
): ErrorRecord {
  return errorRecord(
    "IncompatibleRuns",
    `Cannot compare policies: ${field} differs (${a} vs ${b})`,
    {
      field,
      run_a_value: a,
      run_b_value: b,
      detail: `"${first.policy_dir}" and "${other.policy_dir}" must have the same ${field}`,
    },
    "Compare policies trained on the same case (same stage count and state variables).",
  );
}

function parseMetrics(metrics: readonly string[] | undefined): Set<PolicyMetric> {
  const chosen = new Set<PolicyMetric>();
  for (const metric of metrics ?? ["all"]) {
    if (!(POLICY_METRICS as readonly string[]).includes(metric)) {
      throw invalidChoice("metric", metric, POLICY_METRICS);
    }
    chosen.add(metric as PolicyMetric);
  }
  if (chosen.has("all")) { for (const m of POLICY_METRICS) chosen.add(m); }
  return chosen;
}

/** Compares two or more policy directories (SS2.6). */
export async function comparePolicies(
  request: ComparePoliciesRequest,
  access: ReadAccess,
): Promise<PolicyComparison> {
  if (request.policyDirs.length < 2) {
    throw invalidArgument("policy_dirs", "compare-policies needs at least two policy directories");
  }
  const metrics = parseMetrics(request.metrics);
  const policies: ComparedPolicy[] = [];
  for (const policyDir of request.policyDirs) {
    const location = await locatePolicy(policyDir, access);
    const summary = await summarizePolicy(location, access);
    const policy: ComparedPolicy = {
      policy_dir: policyDir,
      stages: summary.stages,
      total_cuts: summary.total_cuts,
      state_dimension: summary.state_dimension,
    };
    if (metrics.has("cut_counts")) policy.cuts_per_stage = summary.cuts_per_stage;
    if (metrics.has("convergence")) {
      const meta = await readPolicyMetadata(location.dir, access, location.displayDir);
      const lb = meta?.final_lower_bound ?? null;
      const ub = meta?.best_upper_bound ?? null;
      policy.final_lower_bound = lb;
      policy.final_upper_bound = ub;
      policy.final_gap = gapOf(lb, ub);
      policy.iterations = meta?.completed_iterations ?? null;
    }
    policies.push(policy);
  }

  const [first, second] = policies as [ComparedPolicy, ComparedPolicy];
  const incompatibilities: ErrorRecord[] = [];
  for (const other of policies.slice(1)) {
    if (other.stages !== first.stages) {
      incompatibilities.push(incompatible("stages", first, other, first.stages, other.stages));
    }
    if (other.state_dimension !== first.state_dimension) {
      incompatibilities.push(
        incompatible(
          "state_dimension",
          first,
          other,
          first.state_dimension,
          other.state_dimension,
        ),
      );
    }
  }
  const compatible = incompatibilities.length === 0;
  let deltas: PolicyDeltas | null = null;
  if (compatible && policies.length === 2) {
    deltas = {};
    if (metrics.has("convergence")) {
      const lb = delta(first.final_lower_bound, second.final_lower_bound);
      const ub = delta(first.final_upper_bound, second.final_upper_bound);
      deltas.lb_delta = lb.abs;
      deltas.lb_delta_pct = lb.pct;
      deltas.ub_delta = ub.abs;
      deltas.ub_delta_pct = ub.pct;
    }
    if (metrics.has("cut_counts")) deltas.cut_count_delta = second.total_cuts - first.total_cuts;
  }
  return { policies, compatible, deltas, incompatibilities };
}
