import assert from "node:assert/strict";
import { CobreError } from "../../src/common/mod.ts";
import {
  decideToolCall,
  type GateContext,
  parseProfile,
  READ_WRITE_PROFILE,
  runWithTimeout,
} from "../../src/security/gate/mod.ts";

const fast: GateContext = {
  profile: parseProfile({
    profile_id: "fast",
    tools: ["cobre/validate", "cobre/get-config-schema"],
    timeouts_s: { "cobre/validate": 0.05 },
  }),
  mode: "read-only",
};

/** Resolves after `ms` unless `signal` aborts first, like a handler that honours its signal. */
function work(ms: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve("done"), ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

Deno.test("runWithTimeout() returns the handler's value within budget", async () => {
  const allowed = decideToolCall(fast, "cobre/get-config-schema", []);
  assert.equal(allowed.timeoutMs, 5_000);
  const outcome = await runWithTimeout(allowed, (signal) => work(1, signal));
  assert.equal(outcome.status, "completed");
  if (outcome.status === "completed") assert.equal(outcome.value, "done");
});

Deno.test("runWithTimeout() ends an overrunning call with a Timeout record and aborts its signal", async () => {
  const allowed = decideToolCall(fast, "cobre/validate", []);
  let seenReason: unknown = null;
  const outcome = await runWithTimeout(allowed, (signal) => {
    signal.addEventListener("abort", () => (seenReason = signal.reason));
    return work(10_000, signal);
  });
  assert.equal(outcome.status, "timeout");
  if (outcome.status !== "timeout") return;
  assert.equal(outcome.decision.verdict, "timeout");
  assert.equal(outcome.decision.reason, "timeout");
  assert.equal(outcome.decision.profileId, "fast");
  assert.equal(outcome.decision.error?.kind, "Timeout");
  assert.match(
    outcome.decision.error?.message ?? "",
    /cobre\/validate did not finish within 0.05 s/,
  );
  assert.ok(seenReason instanceof CobreError);
  assert.equal(seenReason.record.kind, "Timeout");
});

Deno.test("runWithTimeout() does not wait for a handler that ignores its signal", async () => {
  const allowed = decideToolCall(fast, "cobre/validate", []);
  let release = () => {};
  const stubborn = new Promise<string>((resolve) => (release = () => resolve("late")));
  const outcome = await runWithTimeout(allowed, () => stubborn);
  assert.equal(outcome.status, "timeout");
  release();
});

Deno.test("runWithTimeout() gives cobre/run no budget but follows the client's cancel", async () => {
  const allowed = decideToolCall(
    { profile: READ_WRITE_PROFILE, mode: "read-write" },
    "cobre/run",
    [],
  );
  assert.equal(allowed.timeoutMs, null);
  const client = new AbortController();
  const running = runWithTimeout(allowed, (signal) => work(10_000, signal), {
    signal: client.signal,
  });
  client.abort(new Error("client cancelled"));
  await assert.rejects(running, /client cancelled/);
});

Deno.test("runWithTimeout() passes a handler's own error through", async () => {
  const allowed = decideToolCall(fast, "cobre/get-config-schema", []);
  await assert.rejects(
    runWithTimeout(allowed, () => Promise.reject(new Error("bad case"))),
    /bad case/,
  );
  await assert.rejects(
    runWithTimeout(allowed, () => {
      throw new Error("thrown synchronously");
    }),
    /thrown synchronously/,
  );
});

Deno.test("runWithTimeout() refuses to run a denied decision", async () => {
  const denied = decideToolCall(fast, "cobre/run", []);
  assert.equal(denied.verdict, "deny");
  let ran = false;
  await assert.rejects(runWithTimeout(denied, () => {
    ran = true;
    return Promise.resolve(1);
  }));
  assert.equal(ran, false);
});
