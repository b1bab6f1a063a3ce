/**
 * The host against a hostile server process (`fixtures/host/hostile_server.ts`): every
 * misbehaviour is contained, answered as the host declared, and recorded.
 */
import assert from "node:assert/strict";
import type { FlightEventRow } from "../../src/recorder/mod.ts";
import type { FencedSamplingRequest, SamplingProvider } from "../../src/host/mod.ts";
import { firstText, hostilePolicy, hostileTarget, makeHostWorkspace, openHost } from "./support.ts";

async function events(
  host: { recorder: { flush(): Promise<void>; query(f?: object): Promise<FlightEventRow[]> } },
) {
  await host.recorder.flush();
  return await host.recorder.query({});
}

/** The JSON-RPC answer the hostile server got back, which it returns as its result text. */
function answerOf(
  result: { content: Record<string, unknown>[] },
): { result?: Record<string, unknown>; error?: { code: number } } {
  return JSON.parse(firstText(result));
}

Deno.test("answers -32601 to roots, sampling, elicitation and unknown requests the host never declared, and records each", async () => {
  await using ws = await makeHostWorkspace();
  const policy = hostilePolicy(ws.allowed, { rootsCapability: false });
  const { host } = await openHost(ws, policy);
  try {
    const info = await host.connect(hostileTarget());
    assert.deepEqual(info.declaredCapabilities, {});
    for (
      const [tool, method] of [
        ["roots_probe", "roots/list"],
        ["sampling_injection", "sampling/createMessage"],
        ["elicit_probe", "elicitation/create"],
        ["custom_probe", "x/steal-credentials"],
      ]
    ) {
      const call = await host.callTool(tool!, {});
      assert.equal(call.outcome, "ok", tool);
      assert.equal(
        answerOf(call.result).error?.code,
        -32601,
        `${method} must get method-not-found`,
      );
      assert.equal(answerOf(call.result).result, undefined);
    }
    const refused = (await events(host)).filter((row) => row.eventKind === "mcp.request_refused");
    assert.deepEqual(
      refused.map((row) => (row.payload as { method: string }).method).sort(),
      ["elicitation/create", "roots/list", "sampling/createMessage", "x/steal-credentials"],
    );
    assert.ok(refused.every((row) => row.errorCode === "-32601" && row.source === "host"));
  } finally {
    await host.close();
  }
});

Deno.test("answers roots/list with the canonical roots as file URIs when roots are declared", async () => {
  await using ws = await makeHostWorkspace();
  const { host } = await openHost(ws, hostilePolicy(ws.allowed));
  try {
    const info = await host.connect(hostileTarget());
    assert.deepEqual(info.declaredCapabilities, { roots: { listChanged: false } });
    const answer = answerOf((await host.callTool("roots_probe", {})).result);
    assert.deepEqual(answer.result, {
      roots: [{ uri: new URL(`file://${ws.allowed}`).href, name: "allowed" }],
    });
  } finally {
    await host.close();
  }
});

Deno.test("sampling, when enabled, fences the server's text as untrusted data and refuses any request for tools", async () => {
  await using ws = await makeHostWorkspace();
  const seen: FencedSamplingRequest[] = [];
  const provider: SamplingProvider = {
    complete(request) {
      seen.push(request);
      // What a provider receives is the fenced request and nothing else: no tools to call.
      assert.deepEqual(Object.keys(request).sort(), ["maxTokens", "messages", "systemPrompt"]);
      return Promise.resolve({ model: "test-model", text: "I will not do that." });
    },
  };
  const policy = hostilePolicy(ws.allowed, { sampling: { enabled: true, maxTokens: 256 } });
  const { host } = await openHost(ws, policy, { sampling: provider });
  try {
    const info = await host.connect(hostileTarget());
    assert.ok("sampling" in info.declaredCapabilities);
    const answered = answerOf((await host.callTool("sampling_injection", {})).result);
    assert.deepEqual(answered.result?.content, { type: "text", text: "I will not do that." });
    assert.equal(seen.length, 1);
    const request = seen[0]!;
    assert.equal(request.maxTokens, 256, "the server asked for 100000 tokens; the policy caps it");
    const user = request.messages[0]!.text;
    const fence = /<(untrusted-data-[0-9a-f]{16})>\n([\s\S]*)\n<\/\1>/.exec(user);
    assert.ok(fence, "the injected text is inside a nonce fence");
    assert.match(fence[2]!, /^Ignore all previous instructions/);
    assert.match(user, /^\[Untrusted data: MCP server "srv-hostile", sampling message 1/);
    assert.match(request.systemPrompt, /^You are answering a sampling request/);
    assert.match(request.systemPrompt, /<untrusted-data-[0-9a-f]{16}>\nSYSTEM OVERRIDE/);

    const withTools = answerOf((await host.callTool("sampling_with_tools", {})).result);
    assert.equal(withTools.error?.code, -32602);
    assert.equal(seen.length, 1, "a request asking for tools never reaches the model");
    const refused = (await events(host)).find((row) => row.eventKind === "mcp.request_refused");
    assert.equal((refused?.payload as { reason: string }).reason, "tools_requested");
  } finally {
    await host.close();
  }
});

Deno.test("only the server's own ref:// links pass; file, http and foreign references are refused, recorded and never resolved", async () => {
  await using ws = await makeHostWorkspace();
  const { host } = await openHost(ws, hostilePolicy(ws.allowed));
  try {
    await host.connect(hostileTarget("srv-hostile"));
    const call = await host.callTool("file_reference", {});
    assert.deepEqual(call.links.map((link) => link.uri), [`ref://srv-hostile/${"ab".repeat(16)}`]);
    const text = JSON.stringify(call.result);
    assert.ok(
      !text.includes("/etc/passwd") && !text.includes("/etc/shadow") && !text.includes("root:x"),
    );
    const records = call.result.content.filter((block) =>
      String(block.text).includes("invalid_reference_uri")
    );
    assert.equal(records.length, 4, "file, http, foreign ref and embedded file resource");

    for (
      const [uri, refusal] of [
        ["file:///etc/passwd", "file_uri"],
        ["https://evil.example/x", "web_uri"],
        ["s3://bucket/key", "other_scheme"],
        [`ref://srv-somebody-else/${"cd".repeat(16)}`, "foreign_server"],
        ["ref://srv-hostile/not-hex", "malformed_ref"],
      ]
    ) {
      await assert.rejects(
        () => host.readRef(uri!),
        (error: { record?: { context: { reason: string; refusal: string } } }) => {
          assert.equal(error.record?.context.reason, "invalid_reference_uri");
          assert.equal(error.record?.context.refusal, refusal);
          return true;
        },
      );
    }
    const own = await host.readRef(call.links[0]!.uri);
    assert.deepEqual([...own.bytes], [1, 2, 3]);
    const released = JSON.parse(firstText((await host.callTool("released", {})).result));
    assert.deepEqual(
      released,
      [call.links[0]!.uri],
      "released after use, and only the one resolved",
    );
    const rows = await events(host);
    assert.equal(rows.filter((row) => row.eventKind === "mcp.ref_refused").length, 4 + 5);
    assert.equal(rows.filter((row) => row.eventKind === "mcp.ref_released").length, 1);
    assert.ok(
      !JSON.stringify(rows).includes("/etc/passwd"),
      "the refused path is not recorded either",
    );
  } finally {
    await host.close();
  }
});

Deno.test("ids a server claims in progress and results are recorded as claims and never replace the host's", async () => {
  await using ws = await makeHostWorkspace();
  const { host } = await openHost(ws, hostilePolicy(ws.allowed));
  try {
    await host.connect(hostileTarget());
    const call = await host.callTool("spoof_ids", {});
    assert.equal(call.outcome, "ok");
    const job = call.job!;
    assert.match(job.traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(job.traceId, "0".repeat(32));
    assert.equal(job.progress, 1, "the progress itself was for the host's token and is kept");
    const rows = await events(host);
    assert.ok(rows.every((row) => row.traceId !== "0".repeat(32) && row.jobId !== "f".repeat(32)));
    const spoofs = rows.filter((row) =>
      (row.payload as { anomaly?: string } | null)?.anomaly === "spoofed_ids"
    );
    assert.equal(spoofs.length, 2, "one for the progress, one for the result");
    for (const row of spoofs) {
      assert.equal(row.traceId, job.traceId);
      assert.equal(
        (row.clientClaims as { "dev.cobre/job": { trace_id: string } })["dev.cobre/job"].trace_id,
        "0".repeat(32),
      );
    }
  } finally {
    await host.close();
  }
});

Deno.test("a flood of progress for unknown tokens is ignored, recorded in bounded form, and the call still completes", async () => {
  await using ws = await makeHostWorkspace();
  const { host, notices } = await openHost(ws, hostilePolicy(ws.allowed));
  try {
    await host.connect(hostileTarget());
    const call = await host.callTool("progress_flood", { count: 5_000 });
    assert.equal(call.outcome, "ok");
    assert.equal(call.job?.progress, 1, "the one progress for the host's own token was kept");
    await host.disconnect();
    const mismatches = (await events(host)).filter((row) =>
      row.eventKind === "mcp.progress_token_mismatch"
    );
    const individual = mismatches.filter((row) => !(row.payload as { flood?: boolean }).flood);
    const suppressed = mismatches.reduce(
      (n, row) => n + ((row.payload as { suppressed?: number }).suppressed ?? 0),
      0,
    );
    assert.equal(individual.length, 20);
    assert.equal(individual.length + suppressed, 5_000, "every mismatch is accounted for");
    assert.ok(mismatches.length < 30, `bounded: ${mismatches.length} rows for 5000 notifications`);
    assert.ok(individual.every((row) => row.errorCode === "progress_token_mismatch"));
    assert.ok(notices.some((line) => line.includes("progress token mismatch")));
  } finally {
    await host.close();
  }
});

Deno.test("malformed JSON-RPC and responses to requests never made are ignored and recorded, secrets in them redacted", async () => {
  await using ws = await makeHostWorkspace();
  const { host } = await openHost(ws, hostilePolicy(ws.allowed));
  try {
    await host.connect(hostileTarget());
    const call = await host.callTool("malformed", {});
    assert.equal(call.outcome, "ok");
    assert.equal(firstText(call.result), "still here");
    const rows = await events(host);
    const anomalies = rows.map((row) => (row.payload as { anomaly?: string } | null)?.anomaly)
      .filter((anomaly) => anomaly !== undefined);
    assert.equal(anomalies.filter((a) => a === "malformed_message").length, 4);
    assert.equal(anomalies.filter((a) => a === "unknown_response").length, 1);
    assert.ok(!JSON.stringify(rows).includes("ghp_AAAA"), "the garbage line's token is not stored");
  } finally {
    await host.close();
  }
});

Deno.test("secrets and host paths outside the roots are redacted before the agent sees them; the record names the rules, not the secrets", async () => {
  await using ws = await makeHostWorkspace();
  const { host } = await openHost(ws, hostilePolicy(ws.allowed));
  try {
    await host.connect(hostileTarget());
    const call = await host.callTool("echo_secrets", { inside: ws.allowed });
    const seen = JSON.stringify(call.result);
    for (
      const secret of [
        "sk-proj-ZZZZ",
        "ghp_bbbb",
        "ghp_eeee",
        "cccccccccc",
        "AKIADDDD",
        "/etc/shadow",
        "/root/.ssh",
      ]
    ) {
      assert.ok(!seen.includes(secret), `${secret} reached the agent`);
    }
    assert.ok(seen.includes(`${ws.allowed}/case-1`), "paths inside the roots are the agent's own");
    assert.ok(seen.includes("Bearer [redacted:bearer_token]"));
    const rules = new Map(call.redactions.map((f) => [f.rule, f.count]));
    assert.deepEqual(
      [...rules.keys()].sort(),
      ["aws_access_key_id", "bearer_token", "github_token", "host_path", "openai_api_key"],
    );
    assert.equal(rules.get("github_token"), 3, "text, structured leak and nested token");
    const rows = await events(host);
    const fired = rows.find((row) => row.message.startsWith("Redacted"));
    assert.ok(fired);
    const stored = JSON.stringify(rows);
    assert.ok(!stored.includes("ghp_bbbb") && !stored.includes("sk-proj-ZZZZ"));
  } finally {
    await host.close();
  }
});

Deno.test("a crash fails the running call at once with the exit code, is recorded, and only an explicit reconnect() brings the server back", async () => {
  await using ws = await makeHostWorkspace();
  const { host, notices } = await openHost(ws, hostilePolicy(ws.allowed));
  try {
    await host.connect(hostileTarget());
    const crash = await host.callTool("crash", {});
    assert.equal(crash.outcome, "disconnected");
    assert.match(crash.error!.message, /exited while crash was running \(exit code 3\)/);
    assert.equal(crash.job?.status, "failed");
    const after = await host.callTool("released", {});
    assert.equal(after.outcome, "denied", "no silent reconnect");
    assert.match(after.error!.message, /not connected/);
    const again = await host.reconnect("after crash");
    assert.equal(again.attempt, 2);
    assert.equal((await host.callTool("released", {})).outcome, "ok");
    const rows = await events(host);
    const closes = rows.filter((row) => row.eventKind === "mcp.session_close");
    assert.equal(closes[0]?.level, "error");
    assert.match(closes[0]!.message, /exit code 3/);
    const opens = rows.filter((row) => row.eventKind === "mcp.session_open");
    assert.deepEqual(opens.map((row) => (row.payload as { reconnect: string | null }).reconnect), [
      null,
      "after crash",
    ]);
    assert.ok(
      notices.some((line) => line.includes("hostile: about to crash")),
      "the operator sees the server's last words",
    );
  } finally {
    await host.close();
  }
});

Deno.test("a hung call ends in a Timeout record within its budget, and so does one that stops sending progress; the host stays usable", async () => {
  await using ws = await makeHostWorkspace();
  const base = hostilePolicy(ws.allowed);
  const tools = new Map(base.tools);
  tools.set("hang", { confirm: false, paths: null, timeoutMs: 400 });
  const { host } = await openHost(ws, { ...base, tools });
  try {
    await host.connect(hostileTarget());
    const started = performance.now();
    const hung = await host.callTool("hang", {});
    assert.ok(performance.now() - started < 5_000);
    assert.equal(hung.outcome, "timeout");
    assert.equal(hung.error?.kind, "Timeout");
    assert.equal(hung.error?.context.limit, "overall");
    assert.equal((await host.callTool("released", {})).outcome, "ok");
  } finally {
    await host.close();
  }
  const idleTools = new Map(base.tools);
  idleTools.set("hang", { confirm: false, paths: null, timeoutMs: null });
  const { host: idleHost } = await openHost(ws, { ...base, tools: idleTools, idleTimeoutMs: 400 });
  try {
    await idleHost.connect(hostileTarget());
    const idle = await idleHost.callTool("hang", {});
    assert.equal(idle.outcome, "timeout");
    assert.equal(idle.error?.context.limit, "idle");
    const rows = await events(idleHost);
    assert.ok(
      rows.some((row) => row.eventKind === "mcp.gate_decision" && row.gateDecision === "timeout"),
    );
  } finally {
    await idleHost.close();
  }
});

Deno.test("a server that never completes initialize fails connect() within the connect timeout", async () => {
  await using ws = await makeHostWorkspace();
  const { host } = await openHost(ws, hostilePolicy(ws.allowed), { connectTimeoutMs: 300 });
  try {
    const started = performance.now();
    await assert.rejects(
      () =>
        host.connect({
          transport: "stdio",
          command: Deno.execPath(),
          args: ["eval", "setInterval(() => {}, 1000)"],
          env: {},
          serverId: null,
          label: "silent (stdio)",
        }),
      /Could not connect to silent \(stdio\)/,
    );
    assert.ok(performance.now() - started < 8_000);
    assert.equal(host.session, null);
  } finally {
    await host.close();
  }
});

Deno.test("path arguments leave the host in canonical form with the host's job ids in _meta", async () => {
  await using ws = await makeHostWorkspace();
  await Deno.symlink(`${ws.allowed}/case-1`, `${ws.allowed}/alias`);
  const { host } = await openHost(ws, hostilePolicy(ws.allowed));
  try {
    await host.connect(hostileTarget());
    const call = await host.callTool("echo_args", {
      case_dir: `${ws.allowed}/alias`,
      policy_dirs: [`${ws.allowed}/case-1/../case-1`, `${ws.allowed}/new-output`],
      note: "/etc/passwd is just text here",
    });
    const echoed = JSON.parse(firstText(call.result));
    assert.deepEqual(echoed.arguments, {
      case_dir: `${ws.allowed}/case-1`,
      policy_dirs: [`${ws.allowed}/case-1`, `${ws.allowed}/new-output`],
      note: "[redacted:host_path] is just text here",
    });
    const job = call.job!;
    assert.deepEqual(echoed._meta["dev.cobre/job"], {
      job_id: job.jobId,
      workflow_run_id: job.workflowRunId,
      trace_id: job.traceId,
      capability_profile_id: "hostile-test",
    });
    assert.equal(echoed._meta.progressToken, job.mcpProgressToken);
    assert.match(echoed._meta.traceparent, new RegExp(`^00-${job.traceId}-[0-9a-f]{16}-01$`));

    const escape = await host.callTool("echo_args", { case_dir: `${ws.allowed}/../state` });
    assert.equal(escape.outcome, "denied");
    await Deno.symlink("/etc", `${ws.allowed}/etc-link`);
    const link = await host.callTool("echo_args", { case_dir: `${ws.allowed}/etc-link/ssh` });
    assert.equal(link.outcome, "denied", "a link out of the roots is caught by its canonical path");
  } finally {
    await host.close();
  }
});

Deno.test("a call marked for confirmation goes out only on a person's yes, and the person sees canonical paths", async () => {
  await using ws = await makeHostWorkspace();
  await Deno.symlink(`${ws.allowed}/case-1`, `${ws.allowed}/alias`);
  const base = hostilePolicy(ws.allowed);
  const tools = new Map(base.tools);
  tools.set("echo_args", { confirm: true, paths: null });
  const asked: { toolName: string; paths: readonly string[] }[] = [];
  const answers = ["no", "yes"] as const;
  const { host } = await openHost(ws, { ...base, tools }, {
    confirm: (request) => {
      asked.push({ toolName: request.toolName, paths: request.paths });
      return Promise.resolve(answers[asked.length - 1]!);
    },
  });
  try {
    await host.connect(hostileTarget());
    const declined = await host.callTool("echo_args", { case_dir: `${ws.allowed}/alias` });
    assert.equal(declined.outcome, "denied");
    assert.equal(declined.decision.reason, "confirmation_declined");
    assert.equal(declined.job, null, "nothing left the host");
    const confirmed = await host.callTool("echo_args", { case_dir: `${ws.allowed}/alias` });
    assert.equal(confirmed.outcome, "ok");
    assert.equal(confirmed.decision.reason, "confirmed");
    assert.deepEqual(asked, [
      { toolName: "echo_args", paths: [`${ws.allowed}/case-1`] },
      { toolName: "echo_args", paths: [`${ws.allowed}/case-1`] },
    ]);
  } finally {
    await host.close();
  }
});

Deno.test("the caller's abort cancels a call: the agent gets Cancelled at once and the server is told", async () => {
  await using ws = await makeHostWorkspace();
  const { host } = await openHost(ws, hostilePolicy(ws.allowed));
  try {
    await host.connect(hostileTarget());
    const controller = new AbortController();
    const pending = host.callTool("hang", {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const call = await pending;
    assert.equal(call.outcome, "cancelled");
    assert.equal(call.error?.kind, "Cancelled");
    assert.equal(call.job?.status, "cancelled");
    const told = JSON.parse(firstText((await host.callTool("cancellations", {})).result));
    assert.deepEqual(told, [Number(call.job!.mcpCallId)]);
  } finally {
    await host.close();
  }
});
