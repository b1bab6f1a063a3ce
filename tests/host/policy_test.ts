import assert from "node:assert/strict";
import { canonicalisePolicy, loadHostPolicy, parseHostPolicy } from "../../src/host/mod.ts";

const minimal = { policy_id: "p", roots: ["/data"], tools: { "cobre/validate": {} } };

Deno.test("parseHostPolicy() applies safe defaults", () => {
  const policy = parseHostPolicy(minimal);
  assert.equal(policy.id, "p");
  assert.deepEqual(policy.roots, ["/data"]);
  assert.deepEqual(policy.tools.get("cobre/validate"), { confirm: false, paths: null });
  assert.equal(policy.sampling.enabled, false);
  assert.equal(policy.elicitation, false);
  assert.equal(policy.rootsCapability, true);
  assert.equal(policy.redaction.secrets, true);
  assert.equal(policy.redaction.hostPaths, true);
  assert.equal(policy.idleTimeoutMs, 300_000);
});

Deno.test("parseHostPolicy() refuses anything it does not understand, naming the field", async (t) => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["unknown top-level key", { ...minimal, allow_all: true }, /allow_all/],
    ["bad policy id", { ...minimal, policy_id: "a b" }, /policy_id/],
    ["relative root", { ...minimal, roots: ["data"] }, /roots/],
    ["no roots", { ...minimal, roots: [] }, /roots/],
    ["unknown tool rule key", { ...minimal, tools: { "cobre/run": { confrim: true } } }, /confrim/],
    ["relative tool path", { ...minimal, tools: { "cobre/run": { paths: ["x"] } } }, /paths/],
    ["negative timeout", { ...minimal, tools: { "cobre/run": { timeout_s: -1 } } }, /timeout_s/],
    [
      "pre-approval of an unlisted tool",
      { ...minimal, pre_approved: ["cobre/run"] },
      /pre_approved/,
    ],
    ["sampling max_tokens not an integer", {
      ...minimal,
      sampling: { enabled: true, max_tokens: 1.5 },
    }, /max_tokens/],
    ["redaction regex that matches nothing at all", {
      ...minimal,
      redaction: { patterns: [{ id: "x", regex: "a*" }] },
    }, /empty string/],
    [
      "invalid redaction regex",
      { ...minimal, redaction: { patterns: [{ id: "x", regex: "(" }] } },
      /invalid regex/,
    ],
    ["elicitation as a string", { ...minimal, elicitation: "yes" }, /elicitation/],
  ];
  for (const [name, json, field] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => parseHostPolicy(json),
        (error: { record?: { kind: string; message: string } }) => {
          assert.equal(error.record?.kind, "SchemaViolation");
          assert.match(error.record!.message, field);
          return true;
        },
      );
    });
  }
});

Deno.test("canonicalisePolicy() resolves links and refuses tool dirs outside the roots", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(`${root}/data/sin`, { recursive: true });
    await Deno.mkdir(`${root}/elsewhere`);
    await Deno.symlink(`${root}/data`, `${root}/alias`);
    const policy = await canonicalisePolicy(parseHostPolicy({
      policy_id: "p",
      roots: [`${root}/alias`, `${root}/data`],
      tools: { "cobre/run": { paths: [`${root}/alias/sin`] } },
    }));
    assert.deepEqual(policy.roots, [`${root}/data`], "aliases collapse to one canonical root");
    assert.deepEqual(policy.tools.get("cobre/run")?.paths, [`${root}/data/sin`]);
    await assert.rejects(
      () =>
        canonicalisePolicy(parseHostPolicy({
          policy_id: "p",
          roots: [`${root}/data`],
          tools: { "cobre/run": { paths: [`${root}/elsewhere`] } },
        })),
      /outside the roots/,
    );
    await assert.rejects(
      () => canonicalisePolicy(parseHostPolicy({ ...minimal, roots: [`${root}/missing`] })),
      /does not exist/,
    );
    await Deno.writeTextFile(
      `${root}/policy.json`,
      JSON.stringify({ ...minimal, roots: [`${root}/alias`] }),
    );
    assert.deepEqual((await loadHostPolicy(`${root}/policy.json`)).roots, [`${root}/data`]);
    await Deno.writeTextFile(`${root}/bad.json`, "{ nope");
    await assert.rejects(() => loadHostPolicy(`${root}/bad.json`), /not valid JSON/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
