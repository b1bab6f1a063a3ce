import assert from "node:assert/strict";
import {
  COBRE_TOOLS,
  decideMethod,
  decidePromptGet,
  decideResourceRead,
  decideToolCall,
  type GateContext,
  isWithinDir,
  parseProfile,
  pathArguments,
  READ_ONLY_PROFILE,
  READ_WRITE_PROFILE,
  WRITE_DISABLED_MESSAGE,
} from "../../src/security/gate/mod.ts";

const readOnly: GateContext = { profile: READ_ONLY_PROFILE, mode: "read-only" };
const readWrite: GateContext = { profile: READ_WRITE_PROFILE, mode: "read-write" };
const scoped: GateContext = {
  profile: parseProfile({
    profile_id: "planner-sin",
    tools: ["cobre/validate", "cobre/run", "cobre/query-results"],
    path_prefixes: ["/data/cases"],
    resources: false,
    prompts: false,
  }),
  mode: "read-write",
};

Deno.test("decideToolCall() allows every read-only tool under the default profile", () => {
  const readTools = COBRE_TOOLS.filter((t) => t !== "cobre/run" && t !== "cobre/export-results");
  assert.equal(readTools.length, 8);
  for (const tool of readTools) {
    const decision = decideToolCall(readOnly, tool, ["/data/cases/1dtoy"]);
    assert.equal(decision.verdict, "allow", tool);
    assert.equal(decision.reason, "allowed");
    assert.equal(decision.profileId, "read-only");
    assert.equal(decision.error, null);
  }
});

Deno.test("decideToolCall() refuses writes on a read-only runtime with the spec's text", () => {
  for (const tool of ["cobre/run", "cobre/export-results"]) {
    // Even a profile that lists the write tools cannot write when the runtime granted no write.
    for (const profile of [READ_ONLY_PROFILE, READ_WRITE_PROFILE]) {
      const decision = decideToolCall({ profile, mode: "read-only" }, tool, ["/data/cases/x"]);
      assert.equal(decision.verdict, "deny");
      assert.equal(decision.reason, "write_disabled");
      assert.equal(decision.error?.kind, "WriteDisabled");
      assert.equal(
        decision.error?.message,
        "Write operations are disabled. Start the server with --allow-write to enable training and export.",
      );
      assert.equal(decision.error?.message, WRITE_DISABLED_MESSAGE);
    }
  }
});

Deno.test("decideToolCall() allows writes when the runtime and the profile both allow them", () => {
  const decision = decideToolCall(readWrite, "cobre/run", ["/data/cases/1dtoy"]);
  assert.equal(decision.verdict, "allow");
  assert.equal(decision.timeoutMs, null);
  assert.equal(decideToolCall(readWrite, "cobre/export-results", []).timeoutMs, 60_000);
});

Deno.test("decideToolCall() denies write tools a read-only profile omits even on a writable runtime", () => {
  const decision = decideToolCall(
    { profile: READ_ONLY_PROFILE, mode: "read-write" },
    "cobre/run",
    [],
  );
  assert.equal(decision.verdict, "deny");
  assert.equal(decision.reason, "tool_not_in_profile");
  assert.equal(decision.error?.kind, "PermissionDenied");
  assert.match(decision.error?.message ?? "", /cobre\/run.*read-only/);
});

Deno.test("decideToolCall() denies unknown and look-alike tool names (deny by default)", () => {
  for (
    const tool of ["cobre/shell", "cobre/validate ", "COBRE/VALIDATE", "", "cobre/run/../validate"]
  ) {
    const decision = decideToolCall(readWrite, tool, []);
    assert.equal(decision.verdict, "deny", JSON.stringify(tool));
    assert.equal(decision.reason, "tool_not_in_profile");
  }
});

Deno.test("decideToolCall() denies tools a profile file does not list", () => {
  const decision = decideToolCall(scoped, "cobre/inspect-case", ["/data/cases/a"]);
  assert.equal(decision.verdict, "deny");
  assert.equal(decision.reason, "tool_not_in_profile");
  assert.equal(decision.profileId, "planner-sin");
});

Deno.test("Path prefix attack: a sibling whose name extends the prefix is outside", () => {
  const decision = decideToolCall(scoped, "cobre/validate", ["/data/cases_evil/x"]);
  assert.equal(decision.verdict, "deny");
  assert.equal(decision.reason, "path_outside_profile");
  // The profile's prefixes are not disclosed.
  assert.doesNotMatch(JSON.stringify(decision.error), /"\/data\/cases"/);
  assert.equal(decideToolCall(scoped, "cobre/validate", ["/data/cases"]).verdict, "allow");
  assert.equal(decideToolCall(scoped, "cobre/validate", ["/data/cases/sin/x"]).verdict, "allow");
});

Deno.test("Path traversal attack: non-canonical paths are denied before any prefix check", () => {
  for (
    const path of [
      "/data/cases/../../etc",
      "/data/cases/./x",
      "data/cases/x",
      "/data//cases",
      "/data/cases/x/",
      "/data/cases/\0x",
    ]
  ) {
    const decision = decideToolCall(readOnly, "cobre/validate", [path]);
    assert.equal(decision.verdict, "deny", path);
    assert.equal(decision.reason, "path_not_canonical", path);
  }
});

Deno.test("decideToolCall() checks every path, not only the first", () => {
  const decision = decideToolCall(scoped, "cobre/query-results", [
    "/data/cases/a",
    "/etc/passwd",
  ]);
  assert.equal(decision.verdict, "deny");
  assert.equal(decision.error?.context.path, "/etc/passwd");
});

Deno.test("isWithinDir() compares whole segments", () => {
  const table: [string, string, boolean][] = [
    ["/a/b", "/a/b", true],
    ["/a/b/c", "/a/b", true],
    ["/a/bc", "/a/b", false],
    ["/a", "/a/b", false],
    ["/anything", "/", true],
  ];
  for (const [path, dir, expected] of table) {
    assert.equal(isWithinDir(path, dir), expected, `${path} in ${dir}`);
  }
});

Deno.test("decideResourceRead() and decidePromptGet() follow the profile switches", () => {
  assert.equal(decideResourceRead(readOnly, ["/data/cases/a"]).verdict, "allow");
  assert.equal(decideResourceRead(scoped, ["/data/cases/a"]).reason, "resources_not_in_profile");
  assert.equal(decidePromptGet(readOnly, "cobre/setup-study").verdict, "allow");
  assert.equal(decidePromptGet(scoped, "cobre/setup-study").reason, "prompts_not_in_profile");
  const outside = decideResourceRead(
    { profile: { ...scoped.profile, resources: true }, mode: "read-write" },
    ["/srv/other"],
  );
  assert.equal(outside.reason, "path_outside_profile");
});

Deno.test("decideMethod() allows protocol methods and denies anything unlisted", () => {
  for (const method of ["initialize", "ping", "tools/list", "tasks/get", "tasks/cancel"]) {
    assert.equal(decideMethod(readOnly, method).verdict, "allow", method);
  }
  for (const method of ["tools/call", "resources/read", "sampling/createMessage", "x/admin", ""]) {
    const decision = decideMethod(readOnly, method);
    assert.equal(decision.verdict, "deny", method);
    assert.equal(decision.reason, "method_not_allowed");
  }
});

Deno.test("pathArguments() finds *_dir strings and *_dirs arrays only", () => {
  assert.deepEqual(
    pathArguments({
      case_dir: "/c",
      output_dir: "/o",
      policy_dirs: ["/p1", 7, "/p2"],
      phases: "both",
      dir: "/not-a-path-arg",
    }),
    ["/c", "/o", "/p1", "/p2"],
  );
  assert.deepEqual(pathArguments(null), []);
  assert.deepEqual(pathArguments(["/x_dir"]), []);
});
