import assert from "node:assert/strict";
import { DEFAULT_REDACTION, Redactor } from "../../src/host/mod.ts";

const roots = ["/data/cases"];
const redactor = new Redactor(DEFAULT_REDACTION, roots);

Deno.test("Redactor removes each kind of token-like secret and says which rule fired", async (t) => {
  const cases: [string, string, string][] = [
    ["OpenAI key", "key=sk-proj-abcdefghijklmnopqrstuvwx", "openai_api_key"],
    ["GitHub token", "ghp_0123456789abcdefghijklmnopqrstuvwxyz", "github_token"],
    [
      "GitHub fine-grained token",
      "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
      "github_token",
    ],
    ["Slack token", "xoxb-1234567890-abcdefghij", "slack_token"],
    ["AWS access key id", "id AKIAIOSFODNN7EXAMPLE here", "aws_access_key_id"],
    [
      "AWS secret key",
      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "aws_secret_access_key",
    ],
    ["bearer token", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "bearer_token"],
    [
      "private key",
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
      "private_key",
    ],
  ];
  for (const [name, text, rule] of cases) {
    await t.step(name, () => {
      const { value, firings } = redactor.redactText(text, "content[0].text");
      assert.ok(value.includes(`[redacted:${rule}]`), value);
      assert.deepEqual(firings, [{ rule, count: 1, locations: ["content[0].text"] }]);
      assert.ok(
        !JSON.stringify(firings).includes(text.slice(-12)),
        "the firing never holds the secret",
      );
    });
  }
});

Deno.test("Redactor keeps the labels around a secret readable", () => {
  assert.equal(
    redactor.redactText("Authorization: Bearer abcdefghijkl").value,
    "Authorization: Bearer [redacted:bearer_token]",
  );
  assert.equal(
    redactor.redactText("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").value,
    "aws_secret_access_key=[redacted:aws_secret_access_key]",
  );
});

Deno.test("Redactor removes host paths outside the roots and keeps the agent's own", async (t) => {
  const cases: [string, string, string][] = [
    ["system file", "read /etc/shadow now", "read [redacted:host_path] now"],
    ["home dir", "in /home/alice/.aws/credentials", "in [redacted:host_path]"],
    ["one-segment system dir", "cd /root", "cd [redacted:host_path]"],
    ["file URI outside", "see file:///var/log/x.log", "see [redacted:host_path]"],
    ["sibling prefix of a root", "at /data/cases_evil/x", "at [redacted:host_path]"],
    ["traversal out of a root", "at /data/cases/../secrets/k", "at [redacted:host_path]"],
    ["inside a root", "case at /data/cases/sin/c1", "case at /data/cases/sin/c1"],
    ["the root itself", "root /data/cases", "root /data/cases"],
    ["file URI inside", "file:///data/cases/c1/out.csv", "file:///data/cases/c1/out.csv"],
  ];
  for (const [name, text, expected] of cases) {
    await t.step(name, () => assert.equal(redactor.redactText(text).value, expected));
  }
});

Deno.test("Redactor leaves text that only looks like a path alone", async (t) => {
  for (
    const text of [
      "inflow in m3/s",
      "tool cobre/validate",
      "see https://example.com/a/b/c",
      "ref://srv-1/0123456789abcdef0123456789abcdef",
      "date 2024/01/02",
      "ratio 3 / 4",
      "a single /word",
      "scenarios/inflow_seasonal_stats.parquet",
    ]
  ) {
    await t.step(text, () => {
      const { value, firings } = redactor.redactText(text);
      assert.equal(value, text);
      assert.deepEqual(firings, []);
    });
  }
});

Deno.test("Redactor walks nested results, counts per rule and reports where it fired", () => {
  const { value, firings } = redactor.redact({
    content: [{ type: "text", text: "ghp_0123456789abcdefghijklmnopqrstuvwxyz /etc/passwd" }],
    structuredContent: { errors: [{ message: "ghp_0123456789abcdefghijklmnopqrstuvwxyz" }], n: 3 },
  });
  assert.equal(value.structuredContent.n, 3);
  assert.equal(value.structuredContent.errors[0]!.message, "[redacted:github_token]");
  assert.deepEqual(firings, [
    {
      rule: "github_token",
      count: 2,
      locations: ["$.content[0].text", "$.structuredContent.errors[0].message"],
    },
    { rule: "host_path", count: 1, locations: ["$.content[0].text"] },
  ]);
});

Deno.test("Redactor follows the policy: switches and custom patterns", () => {
  const off = new Redactor({ hostPaths: false, secrets: false, patterns: [] }, roots);
  const text = "ghp_0123456789abcdefghijklmnopqrstuvwxyz /etc/passwd";
  assert.equal(off.redactText(text).value, text);
  const custom = new Redactor({
    hostPaths: false,
    secrets: false,
    patterns: [{ id: "corp_host", pattern: /\b[a-z0-9-]+\.corp\.internal\b/g }],
  }, roots);
  const { value, firings } = custom.redactText("db at pg-1.corp.internal and pg-2.corp.internal");
  assert.equal(value, "db at [redacted:corp_host] and [redacted:corp_host]");
  assert.equal(firings[0]?.count, 2);
});
