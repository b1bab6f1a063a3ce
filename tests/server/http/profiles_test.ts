import assert from "node:assert/strict";
import { type CapabilityProfile, createGateObserver } from "../../../src/security/mod.ts";
import { startHttpServer } from "../../../src/server/http/mod.ts";
import { parsedText } from "../support.ts";
import {
  connectClient,
  errorRecordOf,
  initializeBody,
  MCP_POST_HEADERS,
  send,
  testServerOptions,
  withHttpServer,
} from "./support.ts";

function profile(id: string, tools: string[]): CapabilityProfile {
  return {
    id,
    description: id,
    tools: new Set(tools),
    pathPrefixes: null,
    resources: true,
    prompts: true,
    timeoutsMs: {},
  };
}

const everything = profile("everything", ["test/echo", "test/fail", "test/progress", "test/log"]);
const echoOnly = profile("echo-only", ["test/echo"]);

/** Real Gate observers, one chain per profile, as the audit chain builds them. */
const profiles = {
  default: everything,
  selectable: [echoOnly],
  observersFor: (chosen: CapabilityProfile) => [
    createGateObserver({
      context: { profile: chosen, mode: "read-only" },
      resolvePath: (path: string) => Promise.resolve(path),
    }),
  ],
};

Deno.test("a session that asks for a narrower profile (Cobre-Profile) gets a Gate on that profile", async () => {
  await withHttpServer({ profiles }, async ({ url }) => {
    const narrow = await connectClient(url, {
      requestInit: { headers: { "Cobre-Profile": "echo-only" } },
    });
    const wide = await connectClient(url);
    const denied = await narrow.client.callTool({
      name: "test/fail",
      arguments: { kind: "cobre" },
    });
    assert.equal(denied.isError, true);
    assert.equal((parsedText(denied) as { kind: string }).kind, "PermissionDenied");
    assert.match((parsedText(denied) as { message: string }).message, /"echo-only" does not allow/);
    const echoed = await narrow.client.callTool({ name: "test/echo", arguments: { message: "a" } });
    assert.deepEqual(echoed.structuredContent, { echoed: ["a"] });
    // The other session, same server, keeps the default profile: the tool runs (and fails its own way).
    const ran = await wide.client.callTool({ name: "test/fail", arguments: { kind: "cobre" } });
    assert.equal((parsedText(ran) as { kind: string }).kind, "MissingFile");
    await narrow.client.close();
    await wide.client.close();
  });
});

Deno.test("asking for a profile the server does not offer is refused with 403", async () => {
  await withHttpServer({ profiles }, async ({ url, handle }) => {
    for (const requested of ["read-write", "everything-plus", "../echo-only"]) {
      const answer = await send(url, {
        method: "POST",
        headers: { ...MCP_POST_HEADERS, "Cobre-Profile": requested },
        body: initializeBody(),
      });
      assert.equal(answer.status, 403, requested);
      assert.match(errorRecordOf(answer.json).message, /is not offered/);
    }
    assert.equal(handle.stats().sessionsOpened, 0);
  });
});

Deno.test("startHttpServer() refuses a selectable profile wider than the default", () => {
  assert.throws(
    () =>
      startHttpServer(
        testServerOptions({
          profiles: { ...profiles, default: echoOnly, selectable: [everything] },
        }),
      ),
    /wider than the default/,
  );
});
