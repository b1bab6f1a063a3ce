import assert from "node:assert/strict";
import { CobreError } from "../../../src/common/mod.ts";
import { BearerToken, startHttpServer } from "../../../src/server/http/mod.ts";
import {
  connectClient,
  errorRecordOf,
  initializeBody,
  MCP_POST_HEADERS,
  portOf,
  rawHttp,
  send,
  testServerOptions,
  withHttpServer,
} from "./support.ts";

const TOKEN = "f3a1c9e07b5d4e2aa8c6b1d0e9f7a3c5-test-token";

Deno.test("DNS rebinding: a foreign Host is refused with 403 before anything else runs", async () => {
  await withHttpServer({}, async ({ url, handle }) => {
    const port = portOf(url);
    for (const host of ["evil.example.com", `evil.example.com:${port}`, `127.0.0.1:${port + 1}`]) {
      const answer = await rawHttp(port, {
        method: "POST",
        headers: { ...MCP_POST_HEADERS, Host: host },
      }, initializeBody());
      assert.equal(answer.status, 403, host);
      assert.equal(errorRecordOf(JSON.parse(answer.body)).kind, "PermissionDenied");
    }
    const fine = await rawHttp(port, {
      method: "POST",
      headers: { ...MCP_POST_HEADERS, Host: `localhost:${port}` },
    }, initializeBody());
    assert.equal(fine.status, 200);
    assert.equal(handle.stats().sessions, 1, "refused requests opened no session");
  });
});

Deno.test("a foreign Origin is refused with 403; same-origin and Origin-less requests pass", async () => {
  await withHttpServer({}, async ({ url }) => {
    const post = (origin?: string) =>
      send(url, {
        method: "POST",
        headers: { ...MCP_POST_HEADERS, ...(origin ? { Origin: origin } : {}) },
        body: initializeBody(),
      });
    for (const origin of ["http://evil.example.com", "null", "http://localhost:1"]) {
      const refused = await post(origin);
      assert.equal(refused.status, 403, origin);
      assert.match(errorRecordOf(refused.json).message, /Origin .* is not allowed/);
    }
    const same = await post(new URL(url).origin);
    assert.equal(same.status, 200);
    assert.equal(same.headers.get("access-control-allow-origin"), null, "no CORS unless listed");
    const none = await post();
    assert.equal(none.status, 200);
    assert.equal(none.headers.get("access-control-allow-origin"), null);
  });
});

Deno.test("only an origin the operator listed gets CORS headers, never a wildcard", async () => {
  const planner = "https://planner.example.org";
  await withHttpServer({ allowedOrigins: [planner] }, async ({ url }) => {
    const preflight = await send(url, {
      method: "OPTIONS",
      headers: { Origin: planner, "Access-Control-Request-Method": "POST" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), planner);
    assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /Mcp-Session-Id/);
    const post = await send(url, {
      method: "POST",
      headers: { ...MCP_POST_HEADERS, Origin: planner },
      body: initializeBody(),
    });
    assert.equal(post.status, 200);
    assert.equal(post.headers.get("access-control-allow-origin"), planner);
    assert.match(post.headers.get("access-control-expose-headers") ?? "", /Mcp-Session-Id/);
    const other = await send(url, { method: "OPTIONS", headers: { Origin: "https://other.org" } });
    assert.equal(other.status, 403);
    assert.equal(other.headers.get("access-control-allow-origin"), null);
  });
});

Deno.test("with a token, a missing or wrong bearer token gets 401 and WWW-Authenticate", async () => {
  const token = await BearerToken.fromSecret(TOKEN);
  await withHttpServer({ token, requireAuth: true }, async ({ url, handle }) => {
    const missing = await send(url, {
      method: "POST",
      headers: MCP_POST_HEADERS,
      body: initializeBody(),
    });
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get("www-authenticate"), 'Bearer realm="cobre-mcp"');
    const wrong = await send(url, {
      method: "POST",
      headers: { ...MCP_POST_HEADERS, Authorization: `Bearer ${TOKEN}x` },
      body: initializeBody(),
    });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
    assert.equal(handle.stats().sessions, 0);
    assert.equal(handle.stats().refusals[401], 2);

    const { client } = await connectClient(url, {
      requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
    });
    const result = await client.callTool({ name: "test/echo", arguments: { message: "ok" } });
    assert.deepEqual(result.structuredContent, { echoed: ["ok"] });
    await client.close();
  });
});

Deno.test("startHttpServer() refuses to listen beyond loopback without a token", async () => {
  const refusals: [options: Parameters<typeof startHttpServer>[0], pattern: RegExp][] = [
    [testServerOptions({ host: "0.0.0.0" }), /beyond loopback\) needs a bearer token/],
    [testServerOptions({ host: "10.255.255.1" }), /needs a bearer token/],
    [testServerOptions({ host: "127.0.0.1", requireAuth: true }), /--require-auth/],
    [
      testServerOptions({ host: "0.0.0.0", token: await BearerToken.fromSecret(TOKEN) }),
      /needs --allowed-hosts/,
    ],
  ];
  for (const [options, pattern] of refusals) {
    assert.throws(
      () => startHttpServer(options),
      (error: unknown) => error instanceof CobreError && pattern.test(error.record.message),
      options.host,
    );
  }
});

Deno.test("the bearer token never reaches the server log", async () => {
  const token = await BearerToken.fromSecret(TOKEN);
  await withHttpServer({ token, requireAuth: true }, async ({ url, stderr }) => {
    const { client } = await connectClient(url, {
      requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
    });
    await client.callTool({ name: "test/log", arguments: {} });
    await client.close();
    await send(url, {
      method: "POST",
      headers: { ...MCP_POST_HEADERS, Authorization: `Bearer ${TOKEN}-wrong` },
      body: initializeBody(),
    });
    assert.ok(stderr.length > 5, "the server logged at debug level");
    assert.equal(stderr.some((line) => line.includes(TOKEN.slice(0, 16))), false);
  });
});

Deno.test("startHttpServer() names a port that is already taken", () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  try {
    assert.throws(
      () => startHttpServer(testServerOptions({ port })),
      (error: unknown) =>
        error instanceof CobreError &&
        error.record.message === `Port ${port} on 127.0.0.1 is already in use`,
    );
  } finally {
    listener.close();
  }
});
