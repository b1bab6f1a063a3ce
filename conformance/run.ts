/**
 * `deno task conformance:mcp`: runs the official MCP conformance suite against our HTTP server,
 * started exactly as an operator would start it (its least-privilege launch line) on a free
 * port, with a temporary state dir and allowed dir. Scenarios that need the suite's own
 * reference tools, resources or prompts are listed, one reason each, in
 * `conformance/expected-failures.yml`; the suite exits non-zero on an unexpected failure and on a
 * stale baseline entry, and so does this task.
 *
 * Usage: deno task conformance:mcp [--scenario NAME] [--keep-results]
 * (`--suite-package npm:…@x.y.z` names the pinned suite; the task passes it).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { launchLine } from "../src/security/mod.ts";

/**
 * The suite, pinned (the task passes the same with --suite-package): it is run, not imported,
 * so it stays out of deno.json imports and the lock.
 */
export const CONFORMANCE_PACKAGE = "npm:@modelcontextprotocol/conformance@0.1.16";

const REPO = fileURLToPath(new URL("../", import.meta.url)).replace(/\/$/, "");
const BASELINE = `${REPO}/conformance/expected-failures.yml`;

/** A port the OS says is free right now (the server binds it a moment later). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Resolves with the URL once the server's stderr says it listens; rejects if it exits first. */
async function waitForListening(
  stderr: ReadableStream<Uint8Array>,
  log: string[],
): Promise<string> {
  const lines = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { done, value } = await lines.read();
    if (done) throw new Error("the server exited before listening");
    buffered += value;
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const line of parts) {
      log.push(line);
      const match = /serving over http at (\S+)/.exec(line);
      if (match?.[1]) {
        // Keep draining stderr so the server never blocks on a full pipe.
        void (async () => {
          for (;;) {
            const next = await lines.read().catch(() => ({ done: true, value: "" }));
            if (next.done) return;
            log.push(next.value);
          }
        })();
        return match[1];
      }
    }
  }
}

async function main(args: string[]): Promise<number> {
  const valueOf = (flag: string) => {
    const at = args.indexOf(flag);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const scenario = valueOf("--scenario");
  const suitePackage = valueOf("--suite-package") ?? CONFORMANCE_PACKAGE;
  if (!/^npm:@modelcontextprotocol\/conformance@\d+\.\d+\.\d+$/.test(suitePackage)) {
    console.error(`conformance: --suite-package must pin an exact version, not "${suitePackage}"`);
    return 2;
  }
  const keep = args.includes("--keep-results");
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre-conformance-" }));
  await Deno.mkdir(`${root}/allowed`);
  await Deno.mkdir(`${root}/state`);
  await Deno.mkdir(`${root}/suite`);
  const line = await launchLine({
    allowedDirs: [`${root}/allowed`],
    stateDir: `${root}/state`,
    write: false,
    transport: "http",
    port: freePort(),
    extraServerArgs: ["--conformance-fixtures", "--log-level", "warning"],
  });
  // The server logs its address at info; ask for that one line without the rest.
  line.args.splice(line.args.lastIndexOf("--log-level"), 2, "--log-level", "info");
  const server = new Deno.Command(line.command, {
    args: line.args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const serverLog: string[] = [];
  let code = 1;
  try {
    const url = await waitForListening(server.stderr, serverLog).catch(() => null);
    if (url === null) return 1; // the finally block prints why
    console.log(`conformance: server at ${url} (launch line, read-only, temp dirs)`);
    const suite = new Deno.Command(Deno.execPath(), {
      // --no-config/--no-lock: the suite is a tool, not a dependency of this project's lock.
      args: [
        "run",
        "-A",
        "--no-config",
        "--no-lock",
        suitePackage,
        "server",
        "--url",
        url,
        ...(scenario ? ["--scenario", scenario] : ["--suite", "all"]),
        "--expected-failures",
        BASELINE,
        "-o",
        `${root}/suite/results`,
      ],
      cwd: `${root}/suite`,
      stdout: "inherit",
      stderr: "inherit",
    });
    code = (await suite.output()).code;
  } finally {
    try {
      server.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    const status = await server.status;
    if (!status.success && status.signal === null) {
      console.error(`conformance: the server exited with ${status.code}:\n${serverLog.join("\n")}`);
      code ||= 1;
    }
    if (keep) console.log(`conformance: results kept in ${root}/suite/results`);
    else await Deno.remove(root, { recursive: true });
  }
  return code;
}

if (import.meta.main) Deno.exitCode = await main(Deno.args);
