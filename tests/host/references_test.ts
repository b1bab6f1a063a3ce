import assert from "node:assert/strict";
import { checkReferenceUri, FloodGuard } from "../../src/host/mod.ts";

const own = `ref://srv-a/${"0".repeat(32)}`;

Deno.test("checkReferenceUri() accepts only the connected server's ref:// URIs", async (t) => {
  const cases: [string, string | null, string | null][] = [
    [own, "srv-a", null],
    [own, "srv-b", "foreign_server"],
    [own, null, "server_id_unknown"],
    ["file:///etc/passwd", "srv-a", "file_uri"],
    ["FILE:///etc/passwd", "srv-a", "file_uri"],
    ["http://x/y", "srv-a", "web_uri"],
    ["https://x/y", "srv-a", "web_uri"],
    ["cobre://case/x/config", "srv-a", "other_scheme"],
    ["data:text/plain,hi", "srv-a", "other_scheme"],
    [`ref://srv-a/${"0".repeat(31)}`, "srv-a", "malformed_ref"],
    [`ref://srv-a/${"0".repeat(32)}/../x`, "srv-a", "malformed_ref"],
    ["ref://srv-a", "srv-a", "malformed_ref"],
  ];
  for (const [uri, serverId, refusal] of cases) {
    await t.step(`${uri} (server ${serverId})`, () => {
      const check = checkReferenceUri(uri, serverId);
      if (refusal === null) {
        assert.ok(check.ok);
        return;
      }
      assert.ok(!check.ok);
      if (check.ok) return;
      assert.equal(check.refusal, refusal);
      assert.equal(check.error.kind, "InvalidArgument");
      assert.equal(check.error.context.reason, "invalid_reference_uri");
      assert.ok(
        !JSON.stringify(check.error).includes("/etc/passwd"),
        "a file URI's path is withheld",
      );
    });
  }
});

Deno.test("FloodGuard records the first anomalies, then counts and summarises per kind", () => {
  const guard = new FloodGuard({ individual: 3, summaryEvery: 5 });
  const verdicts = Array.from({ length: 12 }, () => guard.note("a"));
  assert.deepEqual(verdicts, [
    "record",
    "record",
    "record",
    "count",
    "count",
    "count",
    "count",
    "summarise",
    "count",
    "count",
    "count",
    "count",
  ]);
  assert.equal(guard.note("b"), "record", "kinds are counted apart");
  assert.deepEqual(guard.drain(), [{ kind: "a", suppressed: 4 }]);
  assert.deepEqual(guard.drain(), []);
  assert.equal(guard.total("a"), 12);
});
