/**
 * `cobre/run` (Cobre MCP spec SS2.2): SDDP training and simulation of a case, in a sandboxed
 * engine Worker, with one progress notification per iteration (SS6) and the outputs published
 * atomically under `<case_dir>/output`. A write tool: a read-only server refuses it before
 * anything runs. No timeout; a client stops it by cancelling (the policy of the last completed
 * iteration is kept, as a `partial` result).
 *
 * Errors: `MissingFile` (no such case directory), the first validation error with every error in
 * `context.errors` (the case never reaches the engine), `IncompatibleSettings` (phases
 * "simulation": this server trains the policy it simulates), `Busy` (another run is active),
 * `SolverFailure` (context: phase, stage, iteration, opening, forward pass, solver status).
 *
 * Calls may be task-augmented (MCP Tasks): the server answers at once with a task and the run
 * continues in the background, durably tracked in the job store.
 *
 * @module
 */
import { executeRun, type RunArgs, type RunEnvironment } from "../run/execute.ts";
import type { RunSummary } from "../run/summary.ts";
import type { ToolDefinition } from "../types.ts";

/** The `cobre/run` tool, bound to the process's run coordinator. */
export function runTool(env: RunEnvironment): ToolDefinition<RunArgs, RunSummary> {
  return {
    name: "cobre/run",
    title: "Train and simulate a Cobre case",
    description:
      "Runs SDDP training and then simulation of the trained policy on a Cobre case directory, " +
      "writing Cobre outputs (training/, policy/, simulation/) to <case_dir>/output. The case is " +
      "validated first; a case with errors is refused with every error listed. Sends one " +
      "progress notification per training iteration (lower/upper bound, gap) and periodic ones " +
      'during simulation when the request carries a progressToken. phases "both" (default) ' +
      "simulates when the case's config enables simulation, as the cobre CLI does; " +
      '"training" never simulates. Cancelling stops ' +
      "at the next iteration boundary and keeps the last completed iteration's policy (status " +
      '"partial"). One run at a time per server. May run as an MCP task. Needs a server ' +
      "started with write permission.",
    inputSchema: {
      type: "object",
      properties: {
        case_dir: { type: "string", description: "Absolute path to the case directory" },
        phases: {
          type: "string",
          enum: ["training", "simulation", "both"],
          description: 'Execution phases to run. Defaults to "both"',
          default: "both",
        },
      },
      required: ["case_dir"],
      additionalProperties: false,
    },
    outputSchema: {
      type: "object",
      properties: {
        status: { type: "string", enum: ["completed", "partial"] },
        output_dir: { type: "string", description: "Absolute path to the output directory" },
        training: {
          type: ["object", "null"],
          properties: {
            iterations: { type: "integer" },
            final_lower_bound: { type: "number" },
            final_upper_bound: { type: "number" },
            // Null when the gap is undefined (lower bound not positive), as in real outputs.
            final_gap: { type: ["number", "null"] },
            termination_reason: { type: "string" },
            total_cuts: { type: "integer" },
            wall_time_ms: { type: "integer" },
          },
          required: [
            "iterations",
            "final_lower_bound",
            "final_upper_bound",
            "final_gap",
            "termination_reason",
            "total_cuts",
            "wall_time_ms",
          ],
        },
        simulation: {
          type: ["object", "null"],
          properties: {
            scenarios: { type: "integer" },
            output_files: { type: "array", items: { type: "string" } },
            wall_time_ms: { type: "integer" },
          },
          required: ["scenarios", "output_files", "wall_time_ms"],
        },
      },
      required: ["status", "output_dir"],
    },
    // Replaces <case_dir>/output; the same case and seed give the same outputs again.
    annotations: {
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
      openWorldHint: false,
    },
    timeoutMs: null,
    access: "write",
    taskSupport: "optional",
    handler: (args, ctx) => executeRun(args, ctx, env),
  };
}
