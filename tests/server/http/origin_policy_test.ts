import assert from "node:assert/strict";
import {
  checkOrigin,
  hostAllowed,
  isLoopbackHost,
  originPolicy,
} from "../../../src/server/http/mod.ts";

const loopback = originPolicy({ host: "127.0.0.1", port: 3000 });

Deno.test("hostAllowed() accepts the loopback names on the bound port, with or without it", () => {
  for (
    const host of ["127.0.0.1:3000", "localhost:3000", "LOCALHOST:3000", "[::1]:3000", "localhost"]
  ) {
    assert.equal(hostAllowed(loopback, host), true, host);
  }
});

Deno.test("hostAllowed() refuses DNS rebinding: an attacker's name pointed at 127.0.0.1", () => {
  for (
    const host of [
      "evil.example.com:3000",
      "evil.example.com",
      "localhost.evil.example.com:3000",
      "127.0.0.1.nip.io:3000",
      "127.0.0.1:3001",
      "localhost:3000@evil",
      "",
    ]
  ) {
    assert.equal(hostAllowed(loopback, host), false, JSON.stringify(host));
  }
  assert.equal(hostAllowed(loopback, null), false);
});

Deno.test("originPolicy() lets operators add names and never mixes up ports", () => {
  const policy = originPolicy({
    host: "10.0.0.5",
    port: 8443,
    allowedHosts: ["mcp.example.org", "MCP2.example.org:8443"],
  });
  assert.equal(hostAllowed(policy, "10.0.0.5:8443"), true);
  assert.equal(hostAllowed(policy, "mcp.example.org:8443"), true);
  assert.equal(hostAllowed(policy, "mcp2.example.org"), true);
  // A specific address does not answer to the loopback names.
  assert.equal(hostAllowed(policy, "localhost:8443"), false);
  assert.throws(
    () => originPolicy({ host: "10.0.0.5", port: 8443, allowedHosts: ["mcp.example.org:80"] }),
    /names port 80/,
  );
  assert.throws(() => originPolicy({ host: "::", port: 1, allowedHosts: ["a b"] }), /not a host/);
});

Deno.test("checkOrigin() passes requests without Origin and same-origin pages, refuses the rest", () => {
  assert.equal(checkOrigin(loopback, null), "absent");
  assert.equal(checkOrigin(loopback, "http://127.0.0.1:3000"), "same-origin");
  assert.equal(checkOrigin(loopback, "http://localhost:3000"), "same-origin");
  assert.equal(checkOrigin(loopback, "http://[::1]:3000"), "same-origin");
  for (
    const origin of [
      "http://evil.example.com:3000",
      "http://localhost:5173",
      "http://localhost",
      "null",
      "file://",
      "http://localhost:3000/path",
      "not a url",
    ]
  ) {
    assert.equal(checkOrigin(loopback, origin), "refused", origin);
  }
});

Deno.test("checkOrigin() says cors only for origins the operator listed; '*' is refused", () => {
  const policy = originPolicy({
    host: "127.0.0.1",
    port: 3000,
    allowedOrigins: ["https://Planner.Example.org"],
  });
  assert.equal(checkOrigin(policy, "https://planner.example.org"), "cors");
  assert.equal(checkOrigin(policy, "https://planner.example.org:444"), "refused");
  assert.throws(() => originPolicy({ host: "127.0.0.1", port: 1, allowedOrigins: ["*"] }), /"\*"/);
  assert.throws(
    () => originPolicy({ host: "127.0.0.1", port: 1, allowedOrigins: ["https://a.org/x"] }),
    /not an origin/,
  );
});

Deno.test("isLoopbackHost() knows loopback addresses and nothing else", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (const host of ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "localhost.example.org"]) {
    assert.equal(isLoopbackHost(host), false, host);
  }
});
