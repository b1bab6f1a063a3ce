import assert from "node:assert/strict";
import { CobreError, errorRecord } from "../../src/common/mod.ts";
import type { FlightEvent } from "../../src/recorder/mod.ts";
import {
  createGateObserver,
  type GateObservedRequest,
  parseProfile,
  READ_ONLY_PROFILE,
  WRITE_DISABLED_MESSAGE as SECURITY_WRITE_DISABLED,
} from "../../src/security/mod.ts";
import { WRITE_DISABLED_MESSAGE } from "../../src/security/gate/mod.ts";

const scoped = parseProfile({
  profile_id: "scoped",
  tools: ["cobre/validate"],
  path_prefixes: ["/data/cases"],
});

function request(method: string, tool: GateObservedRequest["tool"] = null): GateObservedRequest {
  return { method, requestId: 1, sessionId: "s1", tool };
}

function observer(events: FlightEvent[], profile = scoped) {
  return createGateObserver({
    context: { profile, mode: "read-only" },
    resolvePath: (path) => {
      if (path.startsWith("/etc")) {
        return Promise.reject(
          new CobreError(
            errorRecord("MissingFile", `Path '${path}' is not within the allowed directories`, {
              path,
            }),
          ),
        );
      }
      return Promise.resolve(path.replace("/link/", "/data/cases/"));
    },
    record: (event) => events.push(event),
  });
}

Deno.test("The Gate's write refusal text is the one the rest of the security layer uses", () => {
  assert.equal(WRITE_DISABLED_MESSAGE, SECURITY_WRITE_DISABLED);
});

Deno.test("createGateObserver() admits with the profile's timeout and records the decision", async () => {
  const events: FlightEvent[] = [];
  const admission = await observer(events).admit(
    request("tools/call", { name: "cobre/validate", arguments: { case_dir: "/link/a" } }),
  );
  assert.deepEqual(admission, { allow: true, timeoutMs: 60_000 });
  assert.equal(events.length, 1);
  assert.equal(events[0]!.kind, "mcp.gate_decision");
  assert.equal(events[0]!.gateDecision, "allow");
  assert.equal(events[0]!.capabilityProfileId, "scoped");
  assert.equal(events[0]!.sessionId, "s1");
});

Deno.test("createGateObserver() checks canonical paths, so a symlink cannot smuggle one out", async () => {
  const events: FlightEvent[] = [];
  // "/data/cases/../other" would pass a string check on the raw argument; the canonical path is used.
  const gate = createGateObserver({
    context: { profile: scoped, mode: "read-only" },
    resolvePath: () => Promise.resolve("/data/other"),
    record: (event) => events.push(event),
  });
  const admission = await gate.admit(
    request("tools/call", { name: "cobre/validate", arguments: { case_dir: "/data/cases/link" } }),
  );
  assert.equal(admission.allow, false);
  assert.equal(events[0]!.gateDecision, "deny");
  assert.equal((events[0]!.payload as { reason: string }).reason, "path_outside_profile");
});

Deno.test("createGateObserver() denies with the sandbox's own record when a path cannot be resolved", async () => {
  const events: FlightEvent[] = [];
  const admission = await observer(events).admit(
    request("tools/call", { name: "cobre/validate", arguments: { case_dir: "/etc/passwd" } }),
  );
  assert.equal(admission.allow, false);
  if (!admission.allow) {
    assert.equal(admission.error.kind, "MissingFile");
    assert.match(admission.error.message, /not within the allowed directories/);
  }
  assert.equal(events[0]!.errorCode, "MissingFile");
});

Deno.test("createGateObserver() fails closed on unknown tools, unknown methods and unchecked resources", async () => {
  const events: FlightEvent[] = [];
  const gate = observer(events);
  const denied = [
    request("tools/call", null),
    request("sampling/createMessage"),
    request("resources/read"), // the profile restricts paths but none were given
  ];
  for (const r of denied) assert.equal((await gate.admit(r)).allow, false, r.method);
  const open = observer(events, READ_ONLY_PROFILE);
  assert.equal((await open.admit(request("resources/read"))).allow, true);
  assert.equal((await open.admit(request("tools/list"))).allow, true);
  assert.equal(events.filter((e) => e.gateDecision === "deny").length, 3);
});

Deno.test("createGateObserver() records a timeout reported by the server as a timeout decision", () => {
  const events: FlightEvent[] = [];
  const gate = observer(events);
  const r = request("tools/call", { name: "cobre/validate", arguments: {} });
  gate.finished(r, { outcome: "ok", error: null });
  assert.equal(events.length, 0);
  gate.finished(r, { outcome: "timeout", error: null });
  assert.equal(events.length, 1);
  assert.equal(events[0]!.gateDecision, "timeout");
  assert.equal(events[0]!.errorCode, "Timeout");
});
