import assert from "node:assert/strict";
import { DenoStdioTransport } from "../../src/server/mod.ts";
import { LineSplitter } from "../../src/server/stdio_transport.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array | null) =>
  bytes === null ? null : new TextDecoder().decode(bytes);

Deno.test("LineSplitter joins a line split across chunks and splits several lines in one", () => {
  const splitter = new LineSplitter();
  assert.deepEqual(splitter.push(encode('{"a":')).map(decode), []);
  assert.deepEqual(splitter.push(encode('1}\n{"b":2}\n{"c"')).map(decode), ['{"a":1}', '{"b":2}']);
  assert.deepEqual(splitter.push(encode(":3}\n")).map(decode), ['{"c":3}']);
  assert.equal(splitter.finish(), null);
});

Deno.test("LineSplitter drops an over-long line and resumes with the next", () => {
  const splitter = new LineSplitter(8);
  assert.deepEqual(splitter.push(encode("0123456789")).map(decode), []);
  assert.deepEqual(splitter.push(encode("abc\nok\n")).map(decode), [null, "ok"]);
});

Deno.test("LineSplitter returns an unterminated last line at end of input", () => {
  const splitter = new LineSplitter();
  splitter.push(encode('{"tail":true}'));
  assert.equal(decode(splitter.finish()), '{"tail":true}');
});

/** A transport over in-memory pipes, with the far ends exposed to the test. */
function pipedTransport() {
  const input = new TransformStream<Uint8Array, Uint8Array>();
  const output = new TransformStream<Uint8Array, Uint8Array>();
  const transport = new DenoStdioTransport({ input: input.readable, output: output.writable });
  return { transport, clientWriter: input.writable.getWriter(), serverOutput: output.readable };
}

Deno.test("DenoStdioTransport delivers messages, reports junk lines and calls oninputend at EOF", async () => {
  const { transport, clientWriter } = pipedTransport();
  const messages: unknown[] = [];
  const errors: string[] = [];
  let ended: () => void = () => {};
  const inputEnded = new Promise<void>((resolve) => (ended = resolve));
  transport.onmessage = (message) => messages.push(message);
  transport.onerror = (error) => errors.push(error.message);
  transport.oninputend = ended;
  await transport.start();
  await clientWriter.write(encode('{"jsonrpc":"2.0","method":"ping","id":1}\r\nnot json\n\n'));
  await clientWriter.write(encode('{"jsonrpc":"2.0","method":"notifications/initialized"}'));
  await clientWriter.close();
  await inputEnded;
  assert.deepEqual(messages, [
    { jsonrpc: "2.0", method: "ping", id: 1 },
    { jsonrpc: "2.0", method: "notifications/initialized" },
  ]);
  assert.equal(errors.length, 1);
  assert.match(errors[0] ?? "", /not a JSON-RPC message/);
  await transport.close();
});

Deno.test("DenoStdioTransport writes one JSON line per message and closes once", async () => {
  const { transport, serverOutput } = pipedTransport();
  let closes = 0;
  transport.onclose = () => closes++;
  await transport.start();
  const reader = serverOutput.getReader();
  const sent = transport.send({ jsonrpc: "2.0", id: 7, result: {} });
  const { value } = await reader.read();
  await sent;
  assert.equal(decode(value ?? null), '{"jsonrpc":"2.0","id":7,"result":{}}\n');
  await transport.close();
  await transport.close();
  assert.equal(closes, 1);
  await assert.rejects(transport.send({ jsonrpc: "2.0", id: 8, result: {} }), /closed/);
});

Deno.test("DenoStdioTransport closes itself at EOF when nobody handles end of input", async () => {
  const { transport, clientWriter } = pipedTransport();
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  await transport.start();
  await clientWriter.close();
  await closed;
});
