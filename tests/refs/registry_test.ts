import assert from "node:assert/strict";
import { join } from "node:path";
import { CobreError } from "../../src/common/mod.ts";
import type { FlightEvent } from "../../src/recorder/mod.ts";
import { openRefRegistry, type OpenRefRegistryOptions, parseRefUri } from "../../src/refs/mod.ts";

const SERVER = "srv-a";
const BYTES = new TextEncoder().encode("ARROW1 pretend arrow bytes");

async function withRegistry(
  fn: (ctx: {
    dir: string;
    refs: Awaited<ReturnType<typeof openRefRegistry>>;
    events: FlightEvent[];
    clock: { now: number };
    reopen: (extra?: Partial<OpenRefRegistryOptions>) => ReturnType<typeof openRefRegistry>;
  }) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "refs_test_" });
  const events: FlightEvent[] = [];
  const clock = { now: Date.UTC(2026, 0, 1) };
  const options = (extra: Partial<OpenRefRegistryOptions> = {}): OpenRefRegistryOptions => ({
    stateDir: dir,
    serverId: SERVER,
    now: () => clock.now,
    onEvent: (event) => events.push(event),
    ...extra,
  });
  const refs = await openRefRegistry(options());
  try {
    await fn({ dir, refs, events, clock, reopen: (extra) => openRefRegistry(options(extra)) });
  } finally {
    refs.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The refusal reason of a rejected promise, asserting it is a CobreError of `kind`. */
async function refusal(promise: Promise<unknown>, kind: string): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CobreError, String(error));
    assert.equal(error.record.kind, kind, error.record.message);
    return String(error.record.context.reason);
  }
  assert.fail("expected a refusal");
}

const register = (refs: Awaited<ReturnType<typeof openRefRegistry>>, sessionId: string | null) =>
  refs.register({
    sessionId,
    bytes: BYTES,
    mimeType: "application/vnd.apache.arrow.file",
    name: "conv.arrow",
  });

Deno.test("register() returns a resource_link with an opaque ref:// URI, never a path", async () => {
  await withRegistry(async ({ dir, refs }) => {
    const link = await register(refs, "s1");
    assert.equal(link.type, "resource_link");
    assert.equal(link.mimeType, "application/vnd.apache.arrow.file");
    assert.equal(link.size, BYTES.byteLength);
    assert.equal(link.name, "conv.arrow");
    assert.match(link.uri, /^ref:\/\/srv-a\/[0-9a-f]{32}$/);
    assert.ok(!JSON.stringify(link).includes(dir));
    assert.ok(!JSON.stringify(link).includes("file:"));
    // Bytes live in the state dir.
    const { refId } = parseRefUri(link.uri)!;
    assert.deepEqual(await Deno.readFile(join(dir, "refs", `${refId}.bin`)), BYTES);
    const other = await register(refs, "s1");
    assert.notEqual(other.uri, link.uri);
  });
});

Deno.test("resolve() returns the bytes only to the session that registered the ref", async () => {
  await withRegistry(async ({ refs }) => {
    const link = await register(refs, "s1");
    const resolved = await refs.resolve(link.uri, "s1");
    assert.deepEqual(resolved.bytes, BYTES);
    assert.equal(resolved.mimeType, "application/vnd.apache.arrow.file");
    assert.equal(await refusal(refs.resolve(link.uri, "s2"), "PermissionDenied"), "foreign");
    assert.equal(await refusal(refs.resolve(link.uri, null), "PermissionDenied"), "foreign");
    const stdio = await register(refs, null);
    assert.deepEqual((await refs.resolve(stdio.uri, null)).bytes, BYTES);
    assert.equal(await refusal(refs.resolve(stdio.uri, "s1"), "PermissionDenied"), "foreign");
  });
});

Deno.test("Forged refs: malformed, unknown and other-server ids are refused and recorded", async () => {
  await withRegistry(async ({ refs, events }) => {
    const link = await register(refs, "s1");
    const { refId } = parseRefUri(link.uri)!;
    const malformed = [
      "file:///etc/passwd",
      "ref://srv-a/../../etc/passwd",
      `ref://srv-a/${refId.toUpperCase()}`,
      `ref://srv-a/${refId.slice(1)}`,
      `ref://srv-a/${refId}/extra`,
      `ref://srv a/${refId}`,
      "",
    ];
    for (const uri of malformed) {
      assert.equal(await refusal(refs.resolve(uri, "s1"), "InvalidArgument"), "malformed", uri);
    }
    const forged = `ref://srv-a/${"0".repeat(32)}`;
    assert.equal(await refusal(refs.resolve(forged, "s1"), "OutputNotFound"), "unknown");
    assert.equal(
      await refusal(refs.resolve(`ref://srv-b/${refId}`, "s1"), "OutputNotFound"),
      "unknown",
    );
    const refusals = events.filter((e) => e.kind === "mcp.ref_refused");
    assert.equal(refusals.length, malformed.length + 2);
    assert.ok(refusals.every((e) => e.level === "warning" && e.sessionId === "s1"));
  });
});

Deno.test("release() deletes the bytes, records mcp.ref_released, and a reused ref is refused", async () => {
  await withRegistry(async ({ dir, refs, events }) => {
    const link = await register(refs, "s1");
    const foreign = await refs.release(link.uri, "s2");
    assert.equal(foreign.released, false);
    if (!foreign.released) assert.equal(foreign.error.context.reason, "foreign");
    assert.deepEqual(await refs.release(link.uri, "s1"), { released: true });
    assert.deepEqual([...Deno.readDirSync(join(dir, "refs"))], []);
    assert.equal(await refusal(refs.resolve(link.uri, "s1"), "OutputNotFound"), "released");
    const again = await refs.release(link.uri, "s1");
    assert.equal(again.released, false);
    if (!again.released) assert.equal(again.error.context.reason, "released");
    const released = events.filter((e) => e.kind === "mcp.ref_released");
    assert.equal(released.length, 1);
    assert.deepEqual(released[0]!.payload, { uri: link.uri });
  });
});

Deno.test("Unreleased refs expire after their TTL; old tombstones become unknown", async () => {
  await withRegistry(async ({ dir, clock, reopen }) => {
    const refs = await reopen({ defaultTtlMs: 1_000, maxTtlMs: 5_000, tombstoneMs: 10_000 });
    try {
      const short = await register(refs, "s1");
      const capped = await refs.register({
        sessionId: "s1",
        bytes: BYTES,
        mimeType: "text/csv",
        name: "x.csv",
        ttlMs: 999_999,
      });
      clock.now += 999;
      assert.deepEqual((await refs.resolve(short.uri, "s1")).bytes, BYTES);
      clock.now += 1;
      assert.equal(await refusal(refs.resolve(short.uri, "s1"), "OutputNotFound"), "expired");
      assert.equal(
        [...Deno.readDirSync(join(dir, "refs"))].length,
        1,
        "expired bytes are deleted, the capped ref's remain",
      );
      clock.now += 4_000; // capped at 5 s
      assert.equal(await refs.sweep(), 1);
      assert.equal(await refusal(refs.resolve(capped.uri, "s1"), "OutputNotFound"), "expired");
      clock.now += 10_000;
      await refs.sweep();
      assert.equal(await refusal(refs.resolve(short.uri, "s1"), "OutputNotFound"), "unknown");
    } finally {
      refs.close();
    }
  });
});

Deno.test("The four refusals are told apart", async () => {
  await withRegistry(async ({ refs, clock }) => {
    const released = await register(refs, "s1");
    await refs.release(released.uri, "s1");
    const expiring = await refs.register({
      sessionId: "s1",
      bytes: BYTES,
      mimeType: "text/plain",
      name: "e",
      ttlMs: 10,
    });
    clock.now += 11;
    const foreign = await register(refs, "s2");
    const outcomes = new Map<string, string>();
    for (
      const [label, uri] of [
        ["unknown", `ref://${SERVER}/${"f".repeat(32)}`],
        ["released", released.uri],
        ["expired", expiring.uri],
        ["foreign", foreign.uri],
      ]
    ) {
      try {
        await refs.resolve(uri!, "s1");
        assert.fail(label);
      } catch (error) {
        assert.ok(error instanceof CobreError);
        outcomes.set(
          label!,
          `${error.record.context.reason}|${error.record.message.replace(/ref:\/\/\S+/, "URI")}`,
        );
      }
    }
    assert.deepEqual([...outcomes.keys()], [...outcomes.values()].map((v) => v.split("|")[0]));
    assert.equal(new Set([...outcomes.values()].map((v) => v.split("|")[1])).size, 4);
  });
});

Deno.test("Refs survive a restart under the same server id, not under another", async () => {
  await withRegistry(async ({ refs, reopen }) => {
    const link = await register(refs, null);
    refs.close();
    const again = await reopen();
    try {
      assert.deepEqual((await again.resolve(link.uri, null)).bytes, BYTES);
    } finally {
      again.close();
    }
    const other = await reopen({ serverId: "srv-b" });
    try {
      assert.equal(await refusal(other.resolve(link.uri, null), "OutputNotFound"), "unknown");
    } finally {
      other.close();
    }
  });
});

Deno.test("register() refuses bad MIME types and oversized artifacts", async () => {
  await withRegistry(async ({ reopen }) => {
    const refs = await reopen({ maxBytes: 8 });
    try {
      for (const mimeType of ["", "text", "text/plain\nX-Evil: 1", "../../x"]) {
        await refusal(
          refs.register({ sessionId: null, bytes: new Uint8Array(1), mimeType, name: "n" }),
          "InvalidArgument",
        );
      }
      await refusal(
        refs.register({
          sessionId: null,
          bytes: new Uint8Array(9),
          mimeType: "text/plain",
          name: "n",
        }),
        "InvalidArgument",
      );
    } finally {
      refs.close();
    }
  });
});

Deno.test("openRefRegistry() fails clearly when the state dir cannot be used", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "file");
    await Deno.writeTextFile(file, "x");
    await assert.rejects(
      openRefRegistry({ stateDir: file, serverId: SERVER }),
      (error: unknown) => {
        assert.ok(error instanceof CobreError);
        assert.equal(error.record.kind, "InternalError");
        assert.match(error.record.message, /ref registry cannot use state directory/);
        return true;
      },
    );
    await assert.rejects(openRefRegistry({ stateDir: dir, serverId: "srv/evil" }), CobreError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
