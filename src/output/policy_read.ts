/**
 * `cobre/inspect-policy` (MCP spec SS2.5, and the policy summary resource of SS3.3): a JSON view
 * of a policy directory's FlatBuffers cut files, never exposing FlatBuffers internals.
 *
 * Stage numbering: the spec's `stage` argument is 1-based (minimum 1) while Cobre files and
 * tables are 0-based, so `stage: N` reads the cuts whose `stage_id` is `N − 1`
 * (`cuts/stage_{N−1:03}.bin`). The detail result echoes both `stage` and `stage_id`.
 *
 * `policyDir` is normally `<output>/policy`; an output directory is accepted too (its `policy/`
 * is used), since agents often pass the output directory they just ran.
 *
 * @module
 */
import { posix } from "node:path";
import { isCobreError, type ReadAccess } from "../common/mod.ts";
import { asOutputError, invalidArgument, outputCorrupted, outputNotFound } from "./errors.ts";
import { MAX_JSON_ROWS } from "./json_values.ts";
import {
  decodeStageCuts,
  parseStageFileName,
  PolicyDecodeError,
  type PolicyStageCuts,
} from "./policy_fbs.ts";

/** Summary mode of inspect-policy (also the policy summary resource). */
export interface PolicySummary {
  stages: number;
  total_cuts: number;
  state_dimension: number;
  /** Cuts held per stage (populated pool slots), in stage order. */
  cuts_per_stage: number[];
  /** Cuts active in the LP per stage. */
  active_cuts_per_stage: number[];
  total_active_cuts: number;
}

/** Stage-detail mode of inspect-policy. */
export interface PolicyStageDetail {
  /** 1-based stage as requested. */
  stage: number;
  /** 0-based stage id as stored in the file. */
  stage_id: number;
  cuts: number;
  active_cuts: number;
  state_dimension: number;
  /** Cut intercepts (alpha), in pool order, at most 10,000. */
  intercepts: (number | null)[];
  intercepts_truncated: boolean;
  /** Coefficient vectors (beta) of the first 10 cuts. */
  coefficients_sample: (number | null)[][];
  coefficients_truncated: boolean;
}

/** Arguments of `inspectPolicy`. */
export interface InspectPolicyRequest {
  policyDir: string;
  /** 1-based stage; omit for the summary. */
  stage?: number;
}

/** Cut vectors shown in stage-detail mode. */
const COEFFICIENT_SAMPLE = 10;
/** Files decoded concurrently in summary mode. */
const FILE_WINDOW = 16;

/** A resolved policy directory: where its cut files are, and how to name them in errors. */
export interface PolicyLocation {
  /** Absolute directory holding `cuts/`. */
  dir: string;
  /** The same directory as the caller named it. */
  displayDir: string;
  /** `stage_id` → file name, from the listing of `cuts/`. */
  files: Map<number, string>;
}

/** Finds the cut files of a policy (or output) directory. */
export async function locatePolicy(policyDir: string, access: ReadAccess): Promise<PolicyLocation> {
  const info = await access.stat(policyDir);
  if (info === null || !info.isDirectory) {
    throw outputNotFound(policyDir, "Cobre policy directory (cuts/stage_NNN.bin, metadata.json)");
  }
  let dir = policyDir;
  if ((await access.stat(posix.join(dir, "cuts"))) === null) {
    const nested = posix.join(policyDir, "policy");
    if ((await access.stat(posix.join(nested, "cuts"))) !== null) dir = nested;
  }
  const displayDir = dir;
  const cutsDir = posix.join(dir, "cuts");
  const cutsInfo = await access.stat(cutsDir);
  const files = new Map<number, string>();
  if (cutsInfo?.isDirectory) {
    for (const name of await access.readDir(cutsDir)) {
      const stageId = parseStageFileName(name);
      if (stageId !== null) files.set(stageId, name);
    }
  }
  if (files.size === 0) {
    throw outputNotFound(
      cutsDir,
      "policy cut files cuts/stage_NNN.bin (FlatBuffers, root StageCuts)",
      "Train a policy first (cobre/run with training enabled), or point to its policy/ directory.",
    );
  }
  return { dir, displayDir, files };
}

/** Reads and decodes one stage's cut file. */
export async function readStageCuts(
  location: PolicyLocation,
  fileName: string,
  access: ReadAccess,
  withCoefficients: boolean,
): Promise<PolicyStageCuts> {
  const display = posix.join(location.displayDir, "cuts", fileName);
  try {
    const bytes = await access.readFile(posix.join(location.dir, "cuts", fileName));
    return decodeStageCuts(bytes, { withCoefficients });
  } catch (error) {
    if (error instanceof PolicyDecodeError) throw outputCorrupted(display, error.message);
    if (isCobreError(error)) throw error;
    throw asOutputError(error, display);
  }
}

/** Decodes every stage (coefficients checked, not copied) and summarises the pool. */
export async function summarizePolicy(
  location: PolicyLocation,
  access: ReadAccess,
): Promise<PolicySummary> {
  const names = [...location.files.values()];
  const decoded: { name: string; cuts: PolicyStageCuts }[] = [];
  for (let i = 0; i < names.length; i += FILE_WINDOW) {
    const window = names.slice(i, i + FILE_WINDOW);
    const stages = await Promise.all(
      window.map((name) => readStageCuts(location, name, access, false)),
    );
    stages.forEach((cuts, j) => decoded.push({ name: window[j] as string, cuts }));
  }
  // Order by the stage id inside the files (as Cobre does), not by file name.
  decoded.sort((a, b) => a.cuts.stage_id - b.cuts.stage_id);
  const stages = decoded.map((d) => d.cuts);
  const first = stages[0] as PolicyStageCuts;
  for (let i = 1; i < decoded.length; i++) {
    const { name, cuts } = decoded[i] as { name: string; cuts: PolicyStageCuts };
    const display = posix.join(location.displayDir, "cuts", name);
    if (cuts.stage_id === stages[i - 1]?.stage_id) {
      throw outputCorrupted(display, `stage_id ${cuts.stage_id} appears in two files`);
    }
    if (cuts.state_dimension !== first.state_dimension) {
      throw outputCorrupted(
        display,
        `state_dimension ${cuts.state_dimension} differs from ${first.state_dimension} of stage_id ${first.stage_id}`,
      );
    }
  }
  const cutsPerStage = stages.map((s) => s.cuts.length);
  const activePerStage = stages.map((s) => s.cuts.filter((cut) => cut.is_active).length);
  return {
    stages: stages.length,
    total_cuts: cutsPerStage.reduce((a, b) => a + b, 0),
    state_dimension: first.state_dimension,
    cuts_per_stage: cutsPerStage,
    active_cuts_per_stage: activePerStage,
    total_active_cuts: activePerStage.reduce((a, b) => a + b, 0),
  };
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** Cut details of one stage (`stage` is 1-based). */
export async function inspectPolicyStage(
  location: PolicyLocation,
  stage: number,
  access: ReadAccess,
): Promise<PolicyStageDetail> {
  const stageId = stage - 1;
  const fileName = location.files.get(stageId);
  if (fileName === undefined) {
    const ids = [...location.files.keys()].sort((a, b) => a - b);
    throw outputNotFound(
      posix.join(location.displayDir, "cuts", `stage_${String(stageId).padStart(3, "0")}.bin`),
      `cuts of stage ${stage} (stage_id ${stageId}); this policy has stages ${(ids[0] ?? 0) + 1}..${
        (ids.at(-1) ?? 0) + 1
      }`,
      "Stages are numbered from 1 in inspect-policy; call it without `stage` to see how many exist.",
    );
  }
  const cuts = await readStageCuts(location, fileName, access, true);
  return {
    stage,
    stage_id: cuts.stage_id,
    cuts: cuts.cuts.length,
    active_cuts: cuts.cuts.filter((cut) => cut.is_active).length,
    state_dimension: cuts.state_dimension,
    intercepts: cuts.cuts.slice(0, MAX_JSON_ROWS).map((cut) => finite(cut.intercept)),
    intercepts_truncated: cuts.cuts.length > MAX_JSON_ROWS,
    coefficients_sample: cuts.cuts.slice(0, COEFFICIENT_SAMPLE).map((cut) =>
      Array.from(cut.coefficients, finite)
    ),
    coefficients_truncated: cuts.cuts.length > COEFFICIENT_SAMPLE,
  };
}

/** inspect-policy: the summary of all stages, or the detail of one 1-based `stage`. */
export async function inspectPolicy(
  request: InspectPolicyRequest,
  access: ReadAccess,
): Promise<PolicySummary | PolicyStageDetail> {
  if (request.stage !== undefined && (!Number.isInteger(request.stage) || request.stage < 1)) {
    throw invalidArgument("stage", `stage must be an integer >= 1 (1-based), got ${request.stage}`);
  }
  const location = await locatePolicy(request.policyDir, access);
  return request.stage === undefined
    ? await summarizePolicy(location, access)
    : await inspectPolicyStage(location, request.stage, access);
}
