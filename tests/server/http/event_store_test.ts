import assert from "node:assert/strict";
import { SqliteEventStore } from "../../../src/server/http/mod.ts";

type Message = Parameters<ReturnType<SqliteEventStore["forSession"]>["storeEvent"]>[1];

const note = (n: number, pad = ""): Message => ({
  jsonrpc: "2.0",
  method: "notifications/progress",
  params: { progressToken: "t", progress: n, message: pad },
});

async function withStore(
  options: { maxStoredEventBytes?: number; retentionMs?: number; now?: () => number },
  run: (store: SqliteEventStore, path: string) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "cobre-events-" });
  const path = `${dir}/http-events.sqlite`;
  const store = SqliteEventStore.open(path, {
    maxStoredEventBytes: options.maxStoredEventBytes ?? 1_000_000,
    retentionMs: options.retentionMs ?? 3_600_000,
    ...(options.now ? { now: options.now } : {}),
  });
  try {
    await run(store, path);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function replay(view: ReturnType<SqliteEventStore["forSession"]>, after: string) {
  const sent: [string, Message][] = [];
  const stream = await view.replayEventsAfter(after, {
    send: (id, message) => {
      sent.push([id, message]);
      return Promise.resolve();
    },
  });
  return { stream, sent };
}

Deno.test("replayEventsAfter() sends the stream's later events in order, skipping priming events", async () => {
  await withStore({}, async (store) => {
    const view = store.forSession("session-a");
    const priming = await view.storeEvent("stream-1", {} as Message);
    const first = await view.storeEvent("stream-1", note(1));
    await view.storeEvent("stream-2", note(99));
    const second = await view.storeEvent("stream-1", note(2));
    const third = await view.storeEvent("stream-1", note(3));
    assert.equal(await view.getStreamIdForEventId?.(priming), "stream-1");
    const fromPriming = await replay(view, priming);
    assert.equal(fromPriming.stream, "stream-1");
    assert.deepEqual(fromPriming.sent, [[first, note(1)], [second, note(2)], [third, note(3)]]);
    const fromSecond = await replay(view, second);
    assert.deepEqual(fromSecond.sent, [[third, note(3)]]);
  });
});

Deno.test("a session's view knows nothing of another session's event ids", async () => {
  await withStore({}, async (store) => {
    const mine = store.forSession("session-a");
    const theirs = store.forSession("session-b");
    const id = await theirs.storeEvent("stream-b", note(1));
    await theirs.storeEvent("stream-b", note(2));
    assert.equal(await mine.getStreamIdForEventId?.(id), undefined);
    await assert.rejects(replay(mine, id), /unknown event id/);
    for (const bogus of ["", "abc", "1; DROP TABLE http_events", "-1", "9".repeat(40)]) {
      assert.equal(await mine.getStreamIdForEventId?.(bogus), undefined, bogus);
    }
  });
});

Deno.test("storeEvent() keeps a session under its byte cap by dropping its oldest events", async () => {
  const pad = "x".repeat(900);
  await withStore({ maxStoredEventBytes: 10_000 }, async (store) => {
    const view = store.forSession("session-a");
    const other = store.forSession("session-b");
    const otherId = await other.storeEvent("s", note(0, pad));
    const ids: string[] = [];
    for (let n = 1; n <= 40; n++) ids.push(await view.storeEvent("s", note(n, pad)));
    const stats = store.stats();
    // Each event is ~1 kB: the cap (10 kB) and the other session's one event bound the total.
    assert.ok(stats.bytes <= 10_000 + 1_100, `stored ${stats.bytes} bytes`);
    assert.equal(await view.getStreamIdForEventId?.(ids[0]!), undefined, "oldest dropped");
    assert.equal(await view.getStreamIdForEventId?.(ids[39]!), "s", "newest kept");
    assert.equal(await other.getStreamIdForEventId?.(otherId), "s", "other session untouched");
  });
});

Deno.test("deleteSession(), sweep() and close() remove what nobody can resume any more", async () => {
  let now = 1_000_000;
  await withStore({ retentionMs: 60_000, now: () => now }, async (store, path) => {
    const a = store.forSession("a");
    const b = store.forSession("b");
    await a.storeEvent("s", note(1));
    const old = await b.storeEvent("s", note(2));
    assert.equal(store.stats().events, 2);
    store.deleteSession("a");
    assert.equal(store.stats().events, 1);
    now += 61_000;
    const fresh = await b.storeEvent("s", note(3));
    store.sweep();
    assert.equal(await b.getStreamIdForEventId?.(old), undefined);
    assert.equal(await b.getStreamIdForEventId?.(fresh), "s");
    store.close();
    const reopened = SqliteEventStore.open(path, { maxStoredEventBytes: 1, retentionMs: 1 });
    assert.deepEqual(reopened.stats(), { events: 0, bytes: 0 });
    reopened.close();
  });
});
