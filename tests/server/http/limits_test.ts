import assert from "node:assert/strict";
import { SessionBudget, TokenBucket } from "../../../src/server/http/mod.ts";

Deno.test("TokenBucket.take() allows the burst, then the rate, and says how long to wait", () => {
  let now = 0;
  const bucket = new TokenBucket(2, 3, () => now);
  for (let i = 0; i < 3; i++) assert.deepEqual(bucket.take(), { ok: true });
  const refused = bucket.take();
  assert.equal(refused.ok, false);
  if (!refused.ok) {
    assert.equal(refused.retryAfterS, 1); // half a second, rounded up to whole seconds
    assert.match(refused.reason, /2 requests per second/);
  }
  now = 500; // one token back at 2 per second
  assert.deepEqual(bucket.take(), { ok: true });
  assert.equal(bucket.take().ok, false);
  now = 60_000; // refills to the burst, not beyond
  for (let i = 0; i < 3; i++) assert.equal(bucket.take().ok, true);
  assert.equal(bucket.take().ok, false);
});

Deno.test("SessionBudget.openExchange() caps open exchanges; releasing twice frees one slot", () => {
  const budget = new SessionBudget(
    { requestsPerSecond: 10, requestBurst: 10, maxOpenExchanges: 2 },
    () => 0,
  );
  const first = budget.openExchange();
  const second = budget.openExchange();
  assert.equal(first.ok && second.ok, true);
  const third = budget.openExchange();
  assert.equal(third.ok, false);
  if (!third.ok) assert.match(third.reason, /more than 2 requests or streams open/);
  if (first.ok) {
    first.release();
    first.release();
  }
  assert.equal(budget.open, 1);
  assert.equal(budget.openExchange().ok, true);
  assert.equal(budget.openExchange().ok, false);
});
