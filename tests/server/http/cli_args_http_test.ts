import assert from "node:assert/strict";
import { parseCommandLine, UsageError } from "../../../src/server/cli_args.ts";

Deno.test("parseCommandLine() reads serve --transport http with defaults", () => {
  assert.deepEqual(parseCommandLine(["serve", "--transport", "http"]), {
    command: "serve",
    transport: "http",
    http: {
      host: "127.0.0.1",
      port: 3000,
      allowedHosts: [],
      allowedOrigins: [],
      tokenFile: null,
      requireAuth: false,
      conformanceFixtures: false,
    },
    noSandbox: false,
    logLevel: "info",
    allowedDirs: null,
    stateDir: null,
    toolNaming: "spec",
  });
});

Deno.test("parseCommandLine() reads every http option, for serve, launch and launch-line", () => {
  const args = [
    "--transport=http",
    "--host",
    "0.0.0.0",
    "--port=8443",
    "--allowed-hosts",
    "mcp.example.org, mcp2.example.org",
    "--allowed-origins=https://planner.example.org",
    "--token-file",
    "/run/secrets/cobre-token",
    "--require-auth",
  ];
  const http = {
    host: "0.0.0.0",
    port: 8443,
    allowedHosts: ["mcp.example.org", "mcp2.example.org"],
    allowedOrigins: ["https://planner.example.org"],
    tokenFile: "/run/secrets/cobre-token",
    requireAuth: true,
    conformanceFixtures: false,
  };
  const serve = parseCommandLine(["serve", ...args]);
  assert.equal(serve.command === "serve" && serve.transport, "http");
  assert.deepEqual(serve.command === "serve" && serve.http, http);
  const launch = parseCommandLine(["launch", ...args, "--write"]);
  assert.deepEqual(launch.command === "launch" && launch.http, http);
  const line = parseCommandLine(["launch-line", ...args, "--json"]);
  assert.deepEqual(line.command === "launch-line" && line.http, http);
  // Without --transport http nothing http-shaped appears.
  assert.equal("http" in parseCommandLine(["launch"]), false);
});

const refusals: { args: string[]; message: RegExp }[] = [
  {
    args: ["serve", "--transport", "http", "--port", "65536"],
    message: /--port must be a TCP port/,
  },
  { args: ["serve", "--transport", "http", "--port", "80a"], message: /--port must be a TCP port/ },
  { args: ["serve", "--token-file", "/t"], message: /--token-file needs --transport http/ },
  { args: ["launch", "--require-auth"], message: /--require-auth needs --transport http/ },
  { args: ["launch-line", "--transport", "sse"], message: /must be stdio or http/ },
];

for (const { args, message } of refusals) {
  Deno.test(`parseCommandLine() refuses ${JSON.stringify(args)}`, () => {
    assert.throws(
      () => parseCommandLine(args),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
    );
  });
}
