/**
 * The audit chain wired into the real server core: Gate, job store and recorder observers on
 * `createCobreServer`, driven by a real SDK client. Test-only stand-ins replace the real
 * `cobre/validate` and `cobre/run` handlers (same names, schemas reduced to `case_dir`).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { directFileAccess } from "../../src/common/mod.ts";
import { createJobObserver, openJobStore } from "../../src/jobs/mod.ts";
import { createRecorderObserver, openFlightRecorder } from "../../src/recorder/mod.ts";
import { createGateObserver, parseProfile } from "../../src/security/mod.ts";
import {
  createCobreServer,
  type RequestObserver,
  type ToolContext,
  type ToolDefinition,
} from "../../src/server/mod.ts";
import { withStateDir } from "./helpers.ts";

type CaseArgs = { case_dir: string };

function standIn(
  name: string,
  access: "read" | "write",
  handler: (args: CaseArgs, ctx: ToolContext) => Promise<object>,
): ToolDefinition<CaseArgs, object> {
  return {
    name,
    title: name,
    description: "test stand-in",
    inputSchema: {
      type: "object",
      properties: { case_dir: { type: "string" } },
      required: ["case_dir"],
      additionalProperties: false,
    },
    outputSchema: { type: "object", properties: { done: { type: "boolean" } } },
    annotations: {},
    timeoutMs: name === "cobre/run" ? null : 60_000,
    access,
    handler,
  };
}

const validate = standIn(
  "cobre/validate",
  "read",
  (args, ctx) =>
    args.case_dir.endsWith("slow")
      ? new Promise((_, reject) =>
        ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))
      )
      : Promise.resolve({ done: true }),
);

const run = standIn("cobre/run", "write", async (_args, ctx) => {
  for (let iteration = 1; iteration <= 3; iteration++) {
    await ctx.sendProgress({
      progress: iteration,
      total: 3,
      metadata: { lower_bound: iteration * 10 },
    });
  }
  return { done: true };
});

Deno.test("Gate, jobs and recorder observers audit real requests end to end", async () => {
  await withStateDir(async (stateDir) => {
    const root = await Deno.realPath(await Deno.makeTempDir());
    await Deno.mkdir(join(root, "cases", "slow"), { recursive: true });
    await Deno.mkdir(join(root, "other"));
    const jobs = openJobStore({ stateDir });
    const recorder = await openFlightRecorder({
      stateDir,
      serverId: "srv-chain",
      revokeFfi: false,
    });
    const profile = parseProfile({
      profile_id: "planner",
      tools: ["cobre/validate", "cobre/run"],
      path_prefixes: [join(root, "cases")],
      timeouts_s: { "cobre/validate": 0.05 },
    });
    const jobObserver = createJobObserver(jobs);
    const observers: RequestObserver[] = [
      createGateObserver({
        context: { profile, mode: "read-write" },
        resolvePath: (path) => Deno.realPath(path),
        record: (event) => recorder.record(event),
      }),
      jobObserver,
      createRecorderObserver((event) => recorder.record(event), {
        correlate: (request) => ({ jobId: jobObserver.jobIdFor(request) }),
        profileId: () => profile.id,
      }),
    ];
    const server = createCobreServer({
      tools: [validate, run],
      sandbox: {
        access: directFileAccess,
        resolve: (path) => Deno.realPath(path),
        locate: (path) => Deno.realPath(path).catch(() => null),
      },
      mode: "read-write",
      observers,
      serverId: "srv-chain",
    });
    const client = new Client({ name: "chain-test", version: "0" });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    try {
      const call = (name: string, caseDir: string, progressToken?: string) =>
        client.request({
          method: "tools/call",
          params: {
            name,
            arguments: { case_dir: caseDir },
            ...(progressToken ? { _meta: { progressToken } } : {}),
          },
        }, CallToolResultSchema);
      const kindOf = (result: { content: unknown[] }) =>
        JSON.parse((result.content[0] as { text: string }).text).kind;

      assert.notEqual((await call("cobre/validate", join(root, "cases"))).isError, true);
      // Correlation ids a client puts in _meta are claims, never the trusted columns.
      const spoofed = await client.request({
        method: "tools/call",
        params: {
          name: "cobre/validate",
          arguments: { case_dir: join(root, "cases") },
          _meta: { "dev.cobre/job": { job_id: "job-spoofed", trace_id: "trace-spoofed" } },
        },
      }, CallToolResultSchema);
      assert.notEqual(spoofed.isError, true);
      const outside = await call("cobre/validate", join(root, "other"));
      assert.equal(outside.isError, true);
      assert.equal(kindOf(outside), "PermissionDenied");
      const slow = await call("cobre/validate", join(root, "cases", "slow"));
      assert.equal(slow.isError, true);
      assert.equal(kindOf(slow), "Timeout");
      const progress: number[] = [];
      const ran = await client.request(
        {
          method: "tools/call",
          params: { name: "cobre/run", arguments: { case_dir: join(root, "cases") } },
        },
        CallToolResultSchema,
        { onprogress: (p: { progress: number }) => progress.push(p.progress) },
      );
      assert.notEqual(ran.isError, true);
      assert.deepEqual(progress, [1, 2, 3]);

      // The job row followed the run.
      const [job, ...others] = jobs.list();
      assert.deepEqual(others, []);
      assert.equal(job!.toolName, "cobre/run");
      assert.equal(job!.status, "completed");
      assert.equal(job!.progress, 3);
      assert.deepEqual(job!.lastUpdate, { lower_bound: 30 });

      // The audit trail holds every decision and correlates the run's events with its job.
      const events = await recorder.query();
      const decisions = events.filter((e) => e.eventKind === "mcp.gate_decision");
      assert.deepEqual(
        decisions.map((e) =>
          `${e.toolName ?? (e.payload as { method: string }).method}:${e.gateDecision}`
        ),
        [
          // The Gate decides every request, initialize included.
          "initialize:allow",
          "cobre/validate:allow",
          "cobre/validate:allow",
          "cobre/validate:deny",
          "cobre/validate:allow",
          "cobre/validate:timeout",
          "cobre/run:allow",
        ],
      );
      assert.ok(decisions.every((e) => e.capabilityProfileId === "planner"));
      const runEvents = events.filter((e) => e.jobId === job!.jobId);
      assert.deepEqual(runEvents.map((e) => e.eventKind), [
        "mcp.tool_call",
        "mcp.progress",
        "mcp.progress",
        "mcp.progress",
        "mcp.tool_result",
      ]);
      // The client's progress token is a claim, never a trusted id.
      const firstProgress = runEvents[1]!;
      assert.equal(
        typeof (firstProgress.clientClaims as { progressToken: unknown }).progressToken,
        "number",
      );
      assert.notEqual(
        firstProgress.jobId,
        String((firstProgress.clientClaims as { progressToken: unknown }).progressToken),
      );
      const claimed = events.filter((e) =>
        e.eventKind === "mcp.tool_call" &&
        JSON.stringify(e.clientClaims ?? {}).includes("trace-spoofed")
      );
      assert.equal(claimed.length, 1, "the spoofed ids are kept as client claims");
      assert.deepEqual(
        (claimed[0]!.clientClaims as Record<string, unknown>)["dev.cobre/job"],
        { job_id: "job-spoofed", trace_id: "trace-spoofed" },
      );
      assert.ok(
        events.every((e) => e.traceId !== "trace-spoofed" && e.jobId !== "job-spoofed"),
        "no trusted column holds a client-claimed id",
      );
      const timedOut = events.find((e) =>
        e.eventKind === "mcp.tool_result" && e.errorCode === "Timeout"
      );
      assert.ok(timedOut);
    } finally {
      await client.close();
      await server.close();
      await recorder.close();
      jobs.close();
      await Deno.remove(root, { recursive: true });
    }
  });
});
