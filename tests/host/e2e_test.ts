/**
 * The host and the server as real processes: `main.ts host call` launches the server through its
 * least-privilege launch line, and both state dirs are read afterwards for the jobs and the
 * evidence each side kept.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { readFlightEvents } from "../../src/recorder/mod.ts";
import { copyTree } from "../../src/host/mod.ts";
import { type MainOutput, makeHostWorkspace, REPO_ROOT, runMain } from "./support.ts";

/** Runs `main.ts host …` as the `host` task does, in `cwd`. */
function hostProcess(cwd: string, args: string[]): Promise<MainOutput> {
  return runMain(["host", ...args], { net: true, cwd, env: { HOME: cwd } });
}

interface JobRow {
  job_id: string;
  trace_id: string;
  status: string;
  tool_name: string;
  mcp_server_id: string;
  mcp_call_id: string | null;
  mcp_progress_token: string | null;
  case_dir: string | null;
}

function jobRows(stateDir: string): JobRow[] {
  const db = new DatabaseSync(`${stateDir}/jobs.sqlite`, { readOnly: true });
  try {
    return db.prepare("SELECT * FROM ai_jobs ORDER BY created_at").all() as unknown as JobRow[];
  } finally {
    db.close();
  }
}

Deno.test("host and server as real processes: calls cross both sides' gates and leave jobs and evidence on both sides", async () => {
  await using ws = await makeHostWorkspace();
  await copyTree(`${REPO_ROOT}/fixtures/case/tiny_hydrothermal`, `${ws.allowed}/tiny`);
  const common = ["--allowed-dirs", ws.allowed, "--state-dir", ws.serverState, "--quiet"];

  const ok = await hostProcess(ws.root, [
    "call",
    "cobre/validate",
    JSON.stringify({ case_dir: `${ws.allowed}/tiny` }),
    ...common,
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).valid, true);

  const refused = await hostProcess(ws.root, [
    "call",
    "cobre/validate",
    JSON.stringify({ case_dir: "/etc" }),
    ...common,
  ]);
  assert.equal(refused.code, 1);
  const record = JSON.parse(refused.stdout);
  assert.equal(record.kind, "PermissionDenied");
  assert.equal(record.context.reason, "path_outside_roots");
  assert.equal(refused.stderr, "", "nothing else to say with --quiet");

  const serverId = (await Deno.readTextFile(`${ws.serverState}/server_id`)).trim();
  const hostState = `${ws.serverState}-host`;
  const hostJobs = jobRows(hostState);
  assert.equal(hostJobs.length, 1, "only the call that left the host is a job");
  const job = hostJobs[0]!;
  assert.equal(job.tool_name, "cobre/validate");
  assert.equal(job.status, "completed");
  assert.equal(job.mcp_server_id, serverId);
  assert.equal(job.case_dir, `${ws.allowed}/tiny`);
  assert.match(job.mcp_call_id ?? "", /^\d+$/);
  assert.match(job.mcp_progress_token ?? "", /^"host-[0-9a-f]{32}"$/);

  const host = (await readFlightEvents(hostState)).rows;
  const kinds = host.map((row) =>
    `${row.eventKind}${row.gateDecision ? `:${row.gateDecision}` : ""}`
  );
  for (
    const kind of [
      "mcp.session_open",
      "mcp.gate_decision:allow",
      "host.request",
      "host.response",
      "mcp.gate_decision:deny",
      "mcp.session_close",
    ]
  ) {
    assert.ok(kinds.includes(kind), `host recorded ${kind}: ${kinds.join(", ")}`);
  }
  assert.ok(
    host.every((row) => row.source === "host" && row.capabilityProfileId === "host-read-only"),
  );
  assert.ok(
    host.filter((row) => row.eventKind === "host.request").every((row) =>
      row.jobId === job.job_id && row.traceId === job.trace_id
    ),
  );

  const server = (await readFlightEvents(ws.serverState)).rows;
  const calls = server.filter((row) => row.eventKind === "mcp.tool_call");
  assert.equal(calls.length, 1, "the refused call never reached the server");
  // The server keeps what the host sent as client claims: at least the host's progress token,
  // and the host's job ids once it passes the request's _meta on to its recorder.
  const claims = calls[0]!.clientClaims as Record<string, unknown>;
  assert.equal(JSON.stringify(claims.progressToken), job.mcp_progress_token);
  const claimedJob = claims["dev.cobre/job"] as Record<string, string> | undefined;
  if (claimedJob !== undefined) {
    assert.equal(claimedJob.job_id, job.job_id);
    assert.equal(claimedJob.trace_id, job.trace_id);
  }
  assert.ok(
    server.some((row) =>
      row.eventKind === "mcp.gate_decision" && row.toolName === "cobre/validate" &&
      row.gateDecision === "allow"
    ),
  );
  assert.ok(
    server.some((row) => row.eventKind === "mcp.tool_result" && row.toolName === "cobre/validate"),
  );
});

Deno.test("host and server as real processes: a confirmed export crosses both gates, its ref:// artifact is resolved, saved and released on both sides", async () => {
  await using ws = await makeHostWorkspace();
  await copyTree(`${REPO_ROOT}/fixtures/output/cobre-cli`, `${ws.allowed}/run-1`);
  const args = JSON.stringify({
    output_dir: `${ws.allowed}/run-1`,
    format: "arrow",
    entity_type: "costs",
  });
  const common = ["--allowed-dirs", ws.allowed, "--state-dir", ws.serverState, "--quiet"];

  // Without a terminal and without --yes, a write waits for a person who is not there.
  const unconfirmed = await hostProcess(ws.root, [
    "call",
    "cobre/export-results",
    args,
    ...common,
    "--write",
  ]);
  assert.equal(unconfirmed.code, 1);
  assert.equal(JSON.parse(unconfirmed.stdout).context.reason, "needs_confirmation");

  // The host allows it (pre-approved), the read-only server's own Gate refuses it.
  await Deno.writeTextFile(
    `${ws.root}/policy.json`,
    JSON.stringify({
      policy_id: "exports",
      roots: [ws.allowed],
      tools: { "cobre/export-results": { confirm: true } },
      pre_approved: ["cobre/export-results"],
    }),
  );
  const serverSays = await hostProcess(ws.root, [
    "call",
    "cobre/export-results",
    args,
    ...common,
    "--policy",
    `${ws.root}/policy.json`,
  ]);
  assert.equal(serverSays.code, 1);
  assert.equal(JSON.parse(serverSays.stdout).kind, "WriteDisabled");

  const saved = `${ws.root}/saved`;
  const exported = await hostProcess(ws.root, [
    "call",
    "cobre/export-results",
    args,
    ...common,
    "--write",
    "--yes",
    "--save-refs",
    saved,
  ]);
  assert.equal(exported.code, 0, exported.stderr);
  const result = JSON.parse(exported.stdout);
  assert.ok(result.file_path.startsWith(`${ws.allowed}/run-1/exports/`));
  const files = [...Deno.readDirSync(saved)].map((entry) => entry.name);
  assert.equal(files.length, 1);
  const bytes = await Deno.readFile(`${saved}/${files[0]}`);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 6)), "ARROW1");
  assert.deepEqual(bytes, await Deno.readFile(result.file_path), "the ref holds the exported file");

  const hostState = `${ws.serverState}-host`;
  const jobs = jobRows(hostState);
  assert.deepEqual(
    jobs.map((job) => job.status),
    ["failed", "completed"],
    "the server's refusal and the export",
  );
  const host = (await readFlightEvents(hostState)).rows;
  const decisions = host.filter((row) => row.eventKind === "mcp.gate_decision")
    .map((row) => (row.payload as { reason: string }).reason);
  assert.deepEqual(decisions, ["needs_confirmation", "pre_approved", "pre_approved"]);
  const refUri =
    (host.find((row) => row.eventKind === "mcp.ref_released")?.payload as { uri: string }).uri;
  assert.match(refUri, /^ref:\/\/srv-[0-9a-f-]+\/[0-9a-f]{32}$/);
  assert.ok(
    host.some((row) =>
      row.eventKind === "mcp.resource_read" && (row.payload as { uri: string }).uri === refUri
    ),
  );

  const server = (await readFlightEvents(ws.serverState)).rows;
  const serverKinds = server.map((row) => row.eventKind);
  assert.ok(serverKinds.includes("mcp.ref_created"), serverKinds.join(", "));
  assert.ok(
    server.some((row) =>
      row.eventKind === "mcp.ref_released" &&
      JSON.stringify(row.payload).includes(refUri.slice(-32))
    ),
  );
  assert.ok(
    server.some((row) => row.gateDecision === "deny" && row.toolName === "cobre/export-results"),
  );
});

Deno.test("host and server as real processes: a run's progress is persisted on both sides, then its Arrow export is resolved and released", async () => {
  await using ws = await makeHostWorkspace();
  await copyTree(`${REPO_ROOT}/fixtures/case/tiny_hydrothermal`, `${ws.allowed}/tiny`);
  const common = [
    "--allowed-dirs",
    ws.allowed,
    "--state-dir",
    ws.serverState,
    "--quiet",
    "--write",
    "--yes",
  ];

  const ran = await hostProcess(ws.root, [
    "call",
    "cobre/run",
    JSON.stringify({ case_dir: `${ws.allowed}/tiny` }),
    ...common,
  ]);
  assert.equal(ran.code, 0, ran.stderr);
  const summary = JSON.parse(ran.stdout);
  assert.equal(summary.status, "completed");
  assert.equal(summary.output_dir, `${ws.allowed}/tiny/output`);
  const iterations = summary.training.iterations as number;
  assert.ok(iterations >= 1);

  const hostState = `${ws.serverState}-host`;
  const hostRun = jobRows(hostState).find((job) => job.tool_name === "cobre/run")!;
  const serverRun = jobRows(ws.serverState).find((job) => job.tool_name === "cobre/run")!;
  assert.equal(hostRun.status, "completed");
  assert.equal(serverRun.status, "completed");
  assert.equal(serverRun.mcp_progress_token, hostRun.mcp_progress_token, "one token, two job rows");
  const progressOf = (job: JobRow) => job as unknown as { progress: number; last_update: string };
  assert.ok(progressOf(hostRun).progress >= iterations, "the host kept the progress it received");
  assert.equal(progressOf(hostRun).progress, progressOf(serverRun).progress);
  assert.deepEqual(
    JSON.parse(progressOf(hostRun).last_update),
    JSON.parse(progressOf(serverRun).last_update),
  );

  const exported = await hostProcess(ws.root, [
    "call",
    "cobre/export-results",
    JSON.stringify({ output_dir: summary.output_dir, format: "arrow", entity_type: "convergence" }),
    ...common,
    "--save-refs",
    `${ws.root}/saved`,
  ]);
  assert.equal(exported.code, 0, exported.stderr);
  const [saved] = [...Deno.readDirSync(`${ws.root}/saved`)];
  const bytes = await Deno.readFile(`${ws.root}/saved/${saved!.name}`);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 6)), "ARROW1");

  const host = (await readFlightEvents(hostState)).rows;
  const server = (await readFlightEvents(ws.serverState)).rows;
  const hostProgress = host.filter((row) => row.eventKind === "mcp.progress");
  const serverProgress = server.filter((row) =>
    row.eventKind === "mcp.progress" && (row.payload as { sent?: boolean }).sent === true
  );
  assert.ok(hostProgress.length >= iterations);
  assert.equal(hostProgress.length, serverProgress.length, "every notification sent was kept");
  assert.ok(
    hostProgress.every((row) => row.jobId === hostRun.job_id && row.traceId === hostRun.trace_id),
  );
  assert.ok(serverProgress.every((row) => row.jobId === serverRun.job_id));
  assert.ok(!host.some((row) => row.eventKind === "mcp.progress_token_mismatch"));
  for (const kind of ["mcp.resource_read", "mcp.ref_released"]) {
    assert.ok(host.some((row) => row.eventKind === kind), `host ${kind}`);
  }
  for (const kind of ["mcp.ref_created", "mcp.ref_released"]) {
    assert.ok(server.some((row) => row.eventKind === kind), `server ${kind}`);
  }
});

Deno.test("the README's `deno task host -- tools` works as typed: the task's -- reaches the host as nothing", async () => {
  await using ws = await makeHostWorkspace();
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "task",
      "--config",
      `${REPO_ROOT}/deno.json`,
      "host",
      "--",
      "tools",
      ...["--allowed-dirs", ws.allowed, "--state-dir", ws.serverState, "--quiet"],
    ],
    cwd: ws.root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  const names = new TextDecoder().decode(output.stdout).split("\n").map((line) =>
    line.split(" ")[0]
  );
  assert.ok(names.includes("cobre/validate"), names.join(", "));
  assert.ok(names.includes("cobre/run"), names.join(", "));
});
