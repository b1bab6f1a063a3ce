import assert from "node:assert/strict";
import {
  afterConfirmation,
  decideOutbound,
  defaultHostPolicy,
  type HostPolicy,
  outboundTimeoutMs,
  parseHostPolicy,
  pathArgumentsOf,
} from "../../src/host/mod.ts";

const policy: HostPolicy = parseHostPolicy({
  policy_id: "planner",
  roots: ["/data/cases", "/data/outputs"],
  tools: {
    "cobre/validate": {},
    "cobre/query-results": { timeout_s: 5 },
    "cobre/run": { confirm: true, paths: ["/data/cases/sin"], timeout_s: null },
    "cobre/export-results": { confirm: true },
    "other/tool": {},
  },
  pre_approved: ["cobre/export-results"],
});

Deno.test("decideOutbound() follows the policy for each tool and path", async (t) => {
  const cases: [string, string, string[], string, string][] = [
    ["allowed tool inside a root", "cobre/validate", ["/data/cases/a"], "allow", "allowed"],
    ["the root itself", "cobre/validate", ["/data/outputs"], "allow", "allowed"],
    ["tool absent from the policy", "cobre/inspect-policy", [], "deny", "tool_not_in_policy"],
    [
      "sibling prefix of a root",
      "cobre/validate",
      ["/data/cases_evil/a"],
      "deny",
      "path_outside_roots",
    ],
    ["outside every root", "cobre/validate", ["/etc"], "deny", "path_outside_roots"],
    [
      "second path outside",
      "cobre/validate",
      ["/data/cases/a", "/tmp/x"],
      "deny",
      "path_outside_roots",
    ],
    [
      "run inside its own dirs needs a person",
      "cobre/run",
      ["/data/cases/sin/c1"],
      "confirm",
      "needs_confirmation",
    ],
    [
      "run in a root but outside its dirs",
      "cobre/run",
      ["/data/cases/ne/c1"],
      "deny",
      "path_outside_tool_dirs",
    ],
    [
      "run on a sibling of its dir",
      "cobre/run",
      ["/data/cases/sinister"],
      "deny",
      "path_outside_tool_dirs",
    ],
    [
      "pre-approved confirmation",
      "cobre/export-results",
      ["/data/outputs/o"],
      "allow",
      "pre_approved",
    ],
  ];
  for (const [name, tool, paths, verdict, reason] of cases) {
    await t.step(name, () => {
      const decision = decideOutbound(policy, tool, paths);
      assert.equal(decision.verdict, verdict);
      assert.equal(decision.reason, reason);
      assert.equal(decision.policyId, "planner");
      assert.equal(decision.error === null, verdict !== "deny");
      if (decision.error) {
        assert.equal(decision.error.kind, "PermissionDenied");
        const withoutOwnPaths = paths.reduce(
          (text, path) => text.replaceAll(path, ""),
          decision.error.message,
        );
        assert.ok(!withoutOwnPaths.includes("/data/"), "never reveals the roots or tool dirs");
      }
    });
  }
});

Deno.test("afterConfirmation() allows on yes and denies on no or when no person can be asked", () => {
  const pending = decideOutbound(policy, "cobre/run", ["/data/cases/sin/c1"]);
  assert.equal(afterConfirmation(pending, "yes").verdict, "allow");
  assert.equal(afterConfirmation(pending, "yes").reason, "confirmed");
  const no = afterConfirmation(pending, "no");
  assert.equal(no.reason, "confirmation_declined");
  assert.equal(no.error?.kind, "PermissionDenied");
  const none = afterConfirmation(pending, "not_interactive");
  assert.equal(none.reason, "needs_confirmation");
  assert.match(none.error!.suggestion!, /pre-approve/);
  const allowed = decideOutbound(policy, "cobre/validate", []);
  assert.equal(afterConfirmation(allowed, "no"), allowed, "only confirm verdicts are changed");
});

Deno.test("outboundTimeoutMs() takes the policy's budget, else the spec's, else 60 s", () => {
  assert.equal(outboundTimeoutMs(policy, "cobre/query-results"), 5_000);
  assert.equal(outboundTimeoutMs(policy, "cobre/validate"), 60_000);
  assert.equal(outboundTimeoutMs(policy, "cobre/run"), null);
  assert.equal(outboundTimeoutMs(policy, "other/tool"), 60_000);
  const defaults = defaultHostPolicy({ roots: ["/d"], write: true });
  assert.equal(outboundTimeoutMs(defaults, "cobre/get-config-schema"), 5_000);
  assert.equal(outboundTimeoutMs(defaults, "cobre/run"), null);
});

Deno.test("pathArgumentsOf() finds dir, path and file arguments, single and listed", () => {
  const found = pathArgumentsOf({
    case_dir: "/a",
    policy_dirs: ["/b", 3, "/c"],
    output_path: "/d",
    file: "/e",
    entity_type: "hydros",
    directory: "/not-a-path-key",
    dirt: "/x",
  });
  assert.deepEqual(found, [
    { key: "case_dir", index: null, value: "/a" },
    { key: "policy_dirs", index: 0, value: "/b" },
    { key: "policy_dirs", index: 2, value: "/c" },
    { key: "output_path", index: null, value: "/d" },
    { key: "file", index: null, value: "/e" },
  ]);
});

Deno.test("defaultHostPolicy() offers writes only with write, each behind a confirmation", () => {
  const readOnly = defaultHostPolicy({ roots: ["/d"], write: false });
  assert.equal(readOnly.tools.has("cobre/run"), false);
  assert.equal(readOnly.tools.get("cobre/validate")?.confirm, false);
  const readWrite = defaultHostPolicy({
    roots: ["/d"],
    write: true,
    preApprove: ["cobre/run", "nope"],
  });
  assert.equal(readWrite.tools.get("cobre/run")?.confirm, true);
  assert.equal(readWrite.tools.get("cobre/export-results")?.confirm, true);
  assert.deepEqual([...readWrite.preApproved], ["cobre/run"]);
  assert.equal(decideOutbound(readWrite, "cobre/run", ["/d/c"]).verdict, "allow");
  assert.equal(decideOutbound(readWrite, "cobre/export-results", ["/d/c"]).verdict, "confirm");
});
