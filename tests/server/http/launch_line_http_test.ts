import assert from "node:assert/strict";
import { formatLaunchLine, type LaunchLine } from "../../../src/security/mod.ts";
import { runCommandLine } from "../../../src/server/mod.ts";

Deno.test("formatLaunchLine() gives an HTTP server a URL client snippet, with a token header when it needs one", () => {
  const line: LaunchLine = {
    command: "/opt/deno",
    args: ["run", "main.ts", "serve", "--transport", "http"],
  };
  const text = formatLaunchLine(line, {
    json: false,
    http: { url: "http://127.0.0.1:3000/mcp", auth: true },
  });
  const snippet = JSON.parse(text.slice(text.indexOf("{")));
  assert.deepEqual(snippet, {
    mcpServers: {
      cobre: {
        type: "http",
        url: "http://127.0.0.1:3000/mcp",
        headers: { Authorization: "Bearer <COBRE_MCP_HTTP_TOKEN>" },
      },
    },
  });
  const open = formatLaunchLine(line, { json: false, http: { url: "http://x/mcp", auth: false } });
  assert.equal(JSON.parse(open.slice(open.indexOf("{"))).mcpServers.cobre.headers, undefined);
  assert.deepEqual(JSON.parse(formatLaunchLine(line, { json: true })), line);
});

Deno.test("launch-line --transport http grants the one socket and the token variable, and prints the URL", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-http-line-" }));
  await Deno.mkdir(`${root}/cases`);
  const printed: string[] = [];
  const log = console.log;
  console.log = (text: string) => void printed.push(text);
  try {
    const code = await runCommandLine(
      [
        "launch-line",
        "--allowed-dirs",
        `${root}/cases`,
        "--state-dir",
        `${root}/state`,
        "--transport",
        "http",
        "--host",
        "0.0.0.0",
        "--port",
        "8443",
        "--allowed-hosts",
        "mcp.example.org",
      ],
      { env: () => undefined, cwd: () => root },
    );
    assert.equal(code, 0);
  } finally {
    console.log = log;
    await Deno.remove(root, { recursive: true });
  }
  const text = printed.join("\n");
  assert.match(text, /--allow-net=0\.0\.0\.0:8443 /);
  assert.match(
    text,
    /--allow-env=COBRE_MCP_ALLOWED_DIRS,XDG_STATE_HOME,HOME,COBRE_MCP_HTTP_TOKEN /,
  );
  assert.match(text, /--allowed-hosts mcp\.example\.org/);
  assert.match(text, /"url": "http:\/\/mcp\.example\.org:8443\/mcp"/);
  assert.match(text, /"Authorization": "Bearer <COBRE_MCP_HTTP_TOKEN>"/);
});
