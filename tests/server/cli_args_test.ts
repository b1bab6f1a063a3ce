import assert from "node:assert/strict";
import {
  parseCommandLine,
  resolveDirectories,
  UsageError,
  withoutTaskSeparator,
} from "../../src/server/cli_args.ts";

Deno.test("parseCommandLine() reads serve with defaults", () => {
  assert.deepEqual(parseCommandLine(["serve"]), {
    command: "serve",
    transport: "stdio",
    noSandbox: false,
    logLevel: "info",
    allowedDirs: null,
    stateDir: null,
    toolNaming: "spec",
  });
});

Deno.test("parseCommandLine() reads every serve option in both spellings", () => {
  assert.deepEqual(
    parseCommandLine([
      "serve",
      "--transport=stdio",
      "--allowed-dirs",
      "/data/cases, /data/outputs,",
      "--state-dir=/var/state",
      "--tool-names",
      "portable",
      "--no-sandbox",
      "--log-level=warning",
    ]),
    {
      command: "serve",
      transport: "stdio",
      noSandbox: true,
      logLevel: "warning",
      allowedDirs: ["/data/cases", "/data/outputs"],
      stateDir: "/var/state",
      toolNaming: "portable",
    },
  );
});

Deno.test("parseCommandLine() reads launch-line, launch and validate-cases", () => {
  assert.deepEqual(
    parseCommandLine([
      "launch-line",
      "--allowed-dirs",
      "/a",
      "--state-dir",
      "/s",
      "--write",
      "--json",
    ]),
    {
      command: "launch-line",
      write: true,
      json: true,
      allowedDirs: ["/a"],
      stateDir: "/s",
      toolNaming: "spec",
    },
  );
  assert.deepEqual(parseCommandLine(["launch", "--write"]), {
    command: "launch",
    write: true,
    allowedDirs: null,
    stateDir: null,
    toolNaming: "spec",
  });
  assert.deepEqual(parseCommandLine(["validate-cases", "../cases"]), {
    command: "validate-cases",
    dir: "../cases",
    toolNaming: "spec",
  });
  assert.deepEqual(parseCommandLine([]), { command: "help" });
});

Deno.test("parseCommandLine() takes flight's --state-dir and passes every other option through", () => {
  assert.deepEqual(
    parseCommandLine(["flight", "--kind", "tool.call", "--state-dir=/s", "--json"]),
    { command: "flight", stateDir: "/s", args: ["--kind", "tool.call", "--json"] },
  );
  assert.deepEqual(parseCommandLine(["flight"]), { command: "flight", stateDir: null, args: [] });
  assert.throws(() => parseCommandLine(["flight", "--state-dir"]), UsageError);
});

const usageErrors: { args: string[]; message: RegExp }[] = [
  { args: ["frobnicate"], message: /unknown command "frobnicate"/ },
  { args: ["serve", "--allow-write"], message: /unknown option --allow-write/ },
  { args: ["serve", "--transport", "ws"], message: /--transport must be stdio or http/ },
  { args: ["serve", "--port", "3001"], message: /--port needs --transport http/ },
  { args: ["serve", "--transport", "http", "--port", "0"], message: /--port must be a TCP port/ },
  { args: ["serve", "--tool-names", "short"], message: /--tool-names must be spec or portable/ },
  { args: ["serve", "--allowed-dirs"], message: /--allowed-dirs needs a value/ },
  { args: ["serve", "--allowed-dirs", "--no-sandbox"], message: /--allowed-dirs needs a value/ },
  { args: ["serve", "--allowed-dirs", ","], message: /at least one directory/ },
  { args: ["serve", "--no-sandbox=yes"], message: /takes no value/ },
  { args: ["serve", "--state-dir", "/a", "--state-dir", "/b"], message: /given twice/ },
  { args: ["serve", "extra"], message: /no positional argument/ },
  { args: ["serve", "--log-level", "loud"], message: /not a level/ },
  { args: ["validate-cases"], message: /needs a directory/ },
];

for (const { args, message } of usageErrors) {
  Deno.test(`parseCommandLine() refuses ${JSON.stringify(args)}`, () => {
    assert.throws(
      () => parseCommandLine(args),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
    );
  });
}

const env = (vars: Record<string, string>) => ({
  env: (name: string) => vars[name],
  cwd: () => "/work/here",
});

Deno.test("resolveDirectories() prefers the flag, then COBRE_MCP_ALLOWED_DIRS, then the cwd", () => {
  const source = env({ COBRE_MCP_ALLOWED_DIRS: "/env/a::rel/b", HOME: "/home/u" });
  assert.deepEqual(
    resolveDirectories({ allowedDirs: ["cases", "/abs"], stateDir: null }, source).allowedDirs,
    ["/work/here/cases", "/abs"],
  );
  assert.deepEqual(
    resolveDirectories({ allowedDirs: null, stateDir: null }, source).allowedDirs,
    ["/env/a", "/work/here/rel/b"],
  );
  assert.deepEqual(
    resolveDirectories({ allowedDirs: null, stateDir: null }, env({ HOME: "/home/u" })).allowedDirs,
    ["/work/here"],
  );
});

Deno.test("resolveDirectories() takes the state dir from the flag, XDG_STATE_HOME, then HOME", () => {
  const dirs = (stateDir: string | null, vars: Record<string, string>) =>
    resolveDirectories({ allowedDirs: null, stateDir }, env(vars)).stateDir;
  assert.equal(dirs("st", { HOME: "/home/u" }), "/work/here/st");
  assert.equal(dirs(null, { XDG_STATE_HOME: "/xdg", HOME: "/home/u" }), "/xdg/cobre-mcp");
  // The XDG spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  assert.equal(
    dirs(null, { XDG_STATE_HOME: "xdg", HOME: "/home/u" }),
    "/home/u/.local/state/cobre-mcp",
  );
  assert.equal(dirs(null, { HOME: "/home/u" }), "/home/u/.local/state/cobre-mcp");
  assert.throws(() => dirs(null, {}), UsageError);
});

Deno.test("withoutTaskSeparator() drops the -- deno task passes after the command name, only there", () => {
  assert.deepEqual(withoutTaskSeparator(["host", "--", "call", "cobre/validate", "{}"]), [
    "host",
    "call",
    "cobre/validate",
    "{}",
  ]);
  assert.deepEqual(withoutTaskSeparator(["launch", "--", "--write"]), ["launch", "--write"]);
  assert.deepEqual(withoutTaskSeparator(["host", "call", "--", "x"]), ["host", "call", "--", "x"]);
  assert.deepEqual(withoutTaskSeparator(["serve"]), ["serve"]);
  assert.deepEqual(withoutTaskSeparator([]), []);
});
