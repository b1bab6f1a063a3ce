import assert from "node:assert/strict";
import { SharedChannel } from "../../src/engine/shared_channel.ts";

Deno.test("SharedChannel carries a request and its reply between two ends of the same buffers", () => {
  const coordinator = new SharedChannel();
  const worker = new SharedChannel(coordinator.buffers);
  coordinator.postRequest(1, { kind: "f64", data: Float64Array.from([1, 2.5, -3]) });
  const { seq, payload } = worker.takeRequest(0);
  assert.equal(seq, 1);
  assert.deepEqual(payload.kind === "f64" ? Array.from(payload.data) : null, [1, 2.5, -3]);
  worker.postReply(1, { kind: "json", value: { rows: [{ scenario: 7 }] } });
  assert.deepEqual(coordinator.takeReply(1), { kind: "json", value: { rows: [{ scenario: 7 }] } });
});

Deno.test("SharedChannel grows its buffer for payloads larger than it started with", () => {
  const coordinator = new SharedChannel();
  const worker = new SharedChannel(coordinator.buffers);
  const big = Float64Array.from({ length: 100_000 }, (_, i) => i * 0.5);
  coordinator.postRequest(1, { kind: "f64", data: big });
  const { payload } = worker.takeRequest(0);
  assert.ok(payload.kind === "f64" && payload.data.length === big.length);
  assert.equal(payload.kind === "f64" ? payload.data[99_999] : 0, 99_999 * 0.5);
});

Deno.test("SharedChannel tells a waiting coordinator when the Worker's loop has ended", () => {
  const coordinator = new SharedChannel();
  const worker = new SharedChannel(coordinator.buffers);
  coordinator.postRequest(1, { kind: "f64", data: new Float64Array(0) });
  worker.close();
  assert.equal(coordinator.takeReply(1), null);
});
