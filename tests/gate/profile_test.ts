import assert from "node:assert/strict";
import { join } from "node:path";
import { CobreError } from "../../src/common/mod.ts";
import {
  COBRE_TOOLS,
  loadProfileFile,
  parseProfile,
  PROFILE_JSON_SCHEMA,
  READ_ONLY_PROFILE,
  selectProfile,
  SPEC_TIMEOUTS_MS,
  toolTimeoutMs,
} from "../../src/security/gate/mod.ts";

const realDeps = { readTextFile: Deno.readTextFile, realPath: Deno.realPath };

function rejects(json: unknown, field: RegExp): void {
  assert.throws(() => parseProfile(json), (error: unknown) => {
    assert.ok(error instanceof CobreError);
    assert.equal(error.record.kind, "SchemaViolation");
    assert.match(String(error.record.context.field), field);
    return true;
  });
}

Deno.test("SPEC_TIMEOUTS_MS holds the spec's per-tool timeouts", () => {
  assert.deepEqual(SPEC_TIMEOUTS_MS, {
    "cobre/validate": 60_000,
    "cobre/run": null,
    "cobre/query-results": 30_000,
    "cobre/query-convergence": 10_000,
    "cobre/inspect-policy": 10_000,
    "cobre/compare-policies": 30_000,
    "cobre/inspect-case": 10_000,
    "cobre/list-scenarios": 10_000,
    "cobre/export-results": 60_000,
    "cobre/get-config-schema": 5_000,
  });
});

Deno.test("parseProfile() accepts a full profile and converts seconds to ms", () => {
  const profile = parseProfile({
    profile_id: "planner.sin-1",
    description: "SIN only",
    tools: ["cobre/validate", "cobre/query-results"],
    path_prefixes: ["/data/cases"],
    resources: false,
    timeouts_s: { "cobre/validate": 1.5 },
  });
  assert.equal(profile.id, "planner.sin-1");
  assert.deepEqual([...profile.tools], ["cobre/validate", "cobre/query-results"]);
  assert.deepEqual(profile.pathPrefixes, ["/data/cases"]);
  assert.equal(profile.resources, false);
  assert.equal(profile.prompts, true);
  assert.equal(toolTimeoutMs(profile, "cobre/validate"), 1500);
  assert.equal(toolTimeoutMs(profile, "cobre/query-results"), 30_000);
});

Deno.test("parseProfile() rejects malformed profiles, naming the field", () => {
  rejects([], /root/);
  rejects({ tools: [] }, /profile_id/);
  rejects({ profile_id: "a b", tools: [] }, /profile_id/);
  rejects({ profile_id: "read-write", tools: [] }, /profile_id/);
  rejects({ profile_id: "p" }, /tools/);
  rejects({ profile_id: "p", tools: ["cobre/shell"] }, /tools/);
  rejects({ profile_id: "p", tools: ["cobre/validate", "cobre/validate"] }, /tools/);
  rejects({ profile_id: "p", tools: [], path_prefixes: ["relative/dir"] }, /path_prefixes/);
  rejects({ profile_id: "p", tools: [], allow_everything: true }, /allow_everything/);
  rejects({ profile_id: "p", tools: [], resources: "yes" }, /resources/);
  rejects(
    { profile_id: "p", tools: ["cobre/validate"], timeouts_s: { "cobre/run": 5 } },
    /timeouts_s/,
  );
  rejects(
    { profile_id: "p", tools: ["cobre/validate"], timeouts_s: { "cobre/validate": 0 } },
    /timeouts_s/,
  );
  rejects(
    { profile_id: "p", tools: ["cobre/validate"], timeouts_s: { "cobre/validate": -1 } },
    /timeouts_s/,
  );
});

Deno.test("PROFILE_JSON_SCHEMA lists exactly the spec tools", () => {
  assert.deepEqual(PROFILE_JSON_SCHEMA.properties.tools.items.enum, [...COBRE_TOOLS]);
  assert.deepEqual(PROFILE_JSON_SCHEMA.required, ["profile_id", "tools"]);
});

Deno.test("selectProfile() refuses read-write on a read-only runtime", () => {
  assert.equal(selectProfile("read-only", "read-only"), READ_ONLY_PROFILE);
  assert.equal(selectProfile("read-write", "read-write").id, "read-write");
  assert.throws(() => selectProfile("read-write", "read-only"), (error: unknown) => {
    assert.ok(error instanceof CobreError);
    assert.equal(error.record.kind, "WriteDisabled");
    return true;
  });
});

Deno.test("loadProfileFile() canonicalises prefixes through symlinks", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(join(dir, "real"));
    await Deno.symlink(join(dir, "real"), join(dir, "link"));
    const file = join(dir, "p.json");
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        profile_id: "p",
        tools: ["cobre/validate"],
        path_prefixes: [join(dir, "link")],
      }),
    );
    const profile = await loadProfileFile(file, realDeps);
    assert.deepEqual(profile.pathPrefixes, [join(dir, "real")]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadProfileFile() reports missing files, bad JSON and missing prefixes clearly", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    const kinds: [string, string][] = [];
    const cases: [string, string | null][] = [
      ["missing.json", null],
      ["bad.json", "{ not json"],
      [
        "gone.json",
        JSON.stringify({ profile_id: "p", tools: [], path_prefixes: [join(dir, "nope")] }),
      ],
    ];
    for (const [name, text] of cases) {
      if (text !== null) await Deno.writeTextFile(join(dir, name), text);
      try {
        await loadProfileFile(join(dir, name), realDeps);
        assert.fail(`${name} loaded`);
      } catch (error) {
        assert.ok(error instanceof CobreError);
        kinds.push([name, error.record.kind]);
      }
    }
    assert.deepEqual(kinds, [
      ["missing.json", "MissingFile"],
      ["bad.json", "ParseError"],
      ["gone.json", "SchemaViolation"],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
