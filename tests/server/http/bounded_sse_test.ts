import assert from "node:assert/strict";
import { boundedSseBody, type SseStreamReport } from "../../../src/server/http/mod.ts";

const encoder = new TextEncoder();

function sseEvent(message: object): Uint8Array {
  return encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
}

const progress = (n: number) =>
  sseEvent({
    jsonrpc: "2.0",
    method: "notifications/progress",
    params: { progressToken: 1, progress: n, message: "x".repeat(1000) },
  });
const response = (id: number) =>
  sseEvent({ jsonrpc: "2.0", id, result: { big: "y".repeat(1000) } });

/** A source the test writes into, as the SDK transport writes into its SSE streams. */
function source() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    cancel: () => void (cancelled = true),
  });
  return {
    stream,
    write: (chunk: Uint8Array) => controller.enqueue(chunk),
    end: () => controller.close(),
    get cancelled() {
      return cancelled;
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

Deno.test("boundedSseBody() passes every event through, in order, to a client that reads", async () => {
  const input = source();
  const reports: SseStreamReport[] = [];
  const body = boundedSseBody(input.stream, {
    maxQueuedBytes: 4096,
    onEnd: (report) => reports.push(report),
  });
  const reading = new Response(body).text();
  const expected: Uint8Array[] = [];
  for (let n = 0; n < 50; n++) {
    const chunk = n % 2 === 0 ? progress(n) : response(n);
    expected.push(chunk);
    input.write(chunk);
    await settle();
  }
  input.end();
  const text = await reading;
  assert.equal(text, expected.map((chunk) => new TextDecoder().decode(chunk)).join(""));
  assert.equal(reports.length, 1);
  assert.deepEqual({ ...reports[0], peakQueuedBytes: 0 }, {
    peakQueuedBytes: 0,
    droppedProgress: 0,
    cut: false,
  });
});

Deno.test("boundedSseBody() drops progress past half the bound and cuts the stream past it", async () => {
  const input = source();
  const reports: SseStreamReport[] = [];
  const max = 8 * 1024;
  const body = boundedSseBody(input.stream, {
    maxQueuedBytes: max,
    onEnd: (report) => reports.push(report),
  });
  // Nobody reads `body`: everything written stays queued.
  for (let n = 0; n < 20; n++) input.write(progress(n));
  await settle();
  assert.equal(reports.length, 0, "progress alone never cuts: it is dropped");
  for (let n = 0; n < 20; n++) input.write(response(n));
  await settle();
  assert.equal(reports.length, 1);
  const [report] = reports;
  assert.equal(report!.cut, true);
  assert.ok(report!.droppedProgress > 0 && report!.droppedProgress < 20);
  assert.ok(report!.peakQueuedBytes <= max, `queued ${report!.peakQueuedBytes} > ${max}`);
  assert.equal(input.cancelled, true, "the SDK's stream is cancelled, so it forgets it");
  // What was queued still reaches the client, then the stream ends; the rest waits in the
  // event store for its resumption.
  const delivered = await new Response(body).text();
  assert.ok(delivered.length > 0 && delivered.length <= max, `${delivered.length} bytes`);
  assert.equal(delivered.includes('"id":19'), false, "the last responses were not queued");
});

Deno.test("boundedSseBody() reports once when the client goes away", async () => {
  const input = source();
  const reports: SseStreamReport[] = [];
  const body = boundedSseBody(input.stream, {
    maxQueuedBytes: 4096,
    onEnd: (r) => reports.push(r),
  });
  input.write(response(1));
  await body.cancel("client closed the connection");
  await settle();
  assert.equal(reports.length, 1);
  assert.equal(reports[0]!.cut, false);
  assert.equal(input.cancelled, true);
});
