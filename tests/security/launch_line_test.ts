import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runtimeFiles } from "../../src/common/mod.ts";
import {
  formatLaunchLine,
  type LaunchLine,
  launchLine,
  type LaunchOptions,
  SERVER_ENV_VARS,
} from "../../src/security/mod.ts";
import { refusal } from "./support.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const probe = fileURLToPath(new URL("./probe/launch_probe.ts", import.meta.url));

interface Dirs {
  base: string;
  cases: string;
  outputs: string;
  state: string;
}

async function withDirs(body: (dirs: Dirs) => Promise<void>): Promise<void> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre_launch_" }));
  try {
    await Deno.mkdir(`${base}/cases`);
    await Deno.mkdir(`${base}/outputs`);
    await body({
      base,
      cases: `${base}/cases`,
      outputs: `${base}/outputs`,
      state: `${base}/state`,
    });
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

/** The flag's comma-separated values, in order. */
function flagValues(line: LaunchLine, flag: string): string[] | undefined {
  const arg = line.args.find((a) => a.startsWith(`${flag}=`));
  return arg?.slice(flag.length + 1).split(",");
}

/** Runs the launch line with the probe in place of main.ts (same flags, same serve args). */
async function runProbe(line: LaunchLine): Promise<Record<string, unknown>> {
  const main = line.args.indexOf(`${repo}/main.ts`);
  assert.ok(main > 0, "the line runs main.ts");
  const args = [...line.args.slice(0, main), probe, ...line.args.slice(main + 1)];
  const output = await new Deno.Command(line.command, { args, stdin: "null" }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

Deno.test("launchLine() grants canonical paths only: dirs, state dir and runtime files", async () => {
  await withDirs(async ({ base, cases, outputs, state }) => {
    await Deno.symlink(cases, `${base}/cases_link`);
    const line = await launchLine({
      allowedDirs: [`${base}/cases_link`, outputs, `${cases}/`],
      stateDir: state,
      write: false,
    });
    const { highsWasm, duckdbBinding } = runtimeFiles();
    assert.equal(line.command, Deno.execPath());
    assert.deepEqual(line.args.slice(0, 4), [
      "run",
      "--no-prompt",
      "--config",
      `${repo}/deno.json`,
    ]);
    assert.deepEqual(flagValues(line, "--allow-read"), [
      cases,
      outputs,
      `${base}/cases_link`, // the operator's form, so realpath may resolve paths through it
      state,
      `${repo}/src`,
      highsWasm,
      duckdbBinding,
    ]);
    assert.deepEqual(flagValues(line, "--allow-write"), [state]);
    assert.deepEqual(flagValues(line, "--allow-env"), [...SERVER_ENV_VARS]);
    assert.deepEqual(flagValues(line, "--allow-ffi"), [duckdbBinding]);
    assert.equal(flagValues(line, "--allow-net"), undefined);
    assert.ok(line.args.includes("--unstable-worker-options"));
    assert.ok(!line.args.some((a) => a === "-A" || a === "--allow-all" || a === "--allow-run"));
    const main = line.args.indexOf(`${repo}/main.ts`);
    assert.deepEqual(line.args.slice(main + 1), [
      "serve",
      "--allowed-dirs",
      `${cases},${outputs}`,
      "--state-dir",
      state,
    ]);
  });
});

Deno.test("launchLine() prepares a private state dir holding the descriptor link", async () => {
  await withDirs(async ({ cases, state }) => {
    await launchLine({ allowedDirs: [cases], stateDir: `${state}/nested`, write: false });
    assert.equal((await Deno.stat(`${state}/nested`)).mode! & 0o777, 0o700);
    if (Deno.build.os === "linux") {
      assert.equal(await Deno.readLink(`${state}/nested/proc-self-fd`), "/proc/self/fd");
    }
  });
});

Deno.test("launchLine() adds write on the allowed dirs, http, portable names and extra args", async () => {
  await withDirs(async ({ cases, state }) => {
    const options: LaunchOptions = {
      allowedDirs: [cases],
      stateDir: state,
      write: true,
      toolNames: "portable",
      transport: "http",
      host: "127.0.0.1",
      port: 8123,
      extraServerArgs: ["--log-level", "debug"],
    };
    const line = await launchLine(options);
    assert.deepEqual(flagValues(line, "--allow-write"), [state, cases]);
    assert.deepEqual(flagValues(line, "--allow-net"), ["127.0.0.1:8123"]);
    assert.deepEqual(line.args.slice(line.args.indexOf("serve") + 5), [
      "--tool-names",
      "portable",
      "--transport",
      "http",
      "--host",
      "127.0.0.1",
      "--port",
      "8123",
      "--log-level",
      "debug",
    ]);
    const ipv6 = await launchLine({ ...options, host: "::1" });
    assert.deepEqual(flagValues(ipv6, "--allow-net"), ["[::1]:8123"]);
    const npx = await launchLine({ ...options, runtime: "npx" });
    assert.equal(npx.command, "npx");
    assert.deepEqual(npx.args.slice(0, 3), ["-y", `deno@${Deno.version.deno}`, "run"]);
    assert.deepEqual(npx.args.slice(2), line.args);
  });
});

Deno.test("launchLine() refuses missing dirs, overlapping state dirs, commas and bad ports", async () => {
  await withDirs(async ({ base, cases, state }) => {
    await Deno.mkdir(`${base}/a,b`);
    const attempts: [options: LaunchOptions, kind: string][] = [
      [{ allowedDirs: [`${base}/missing`], stateDir: state, write: false }, "MissingFile"],
      [{ allowedDirs: [], stateDir: state, write: false }, "InvalidArgument"],
      [{ allowedDirs: [cases], stateDir: `${cases}/.state`, write: false }, "InvalidArgument"],
      [{ allowedDirs: [cases], stateDir: base, write: false }, "InvalidArgument"],
      [{ allowedDirs: [`${base}/a,b`], stateDir: state, write: false }, "InvalidArgument"],
      [
        { allowedDirs: [cases], stateDir: state, write: false, transport: "http", port: 0 },
        "InvalidArgument",
      ],
      [
        { allowedDirs: [cases], stateDir: state, write: false, transport: "http", host: "a b" },
        "InvalidArgument",
      ],
    ];
    for (const [options, kind] of attempts) {
      assert.equal((await refusal(launchLine(options))).kind, kind, JSON.stringify(options));
    }
  });
});

Deno.test("a read-only launch line starts Deno with exactly those permissions and no write", async () => {
  await withDirs(async ({ cases, outputs, state }) => {
    const report = await runProbe(
      await launchLine({ allowedDirs: [cases, outputs], stateDir: state, write: false }),
    );
    assert.equal(report.mode, "read-only");
    assert.deepEqual(report.unrestricted, {
      read: "prompt",
      write: "prompt",
      ffi: "prompt",
      run: "prompt",
      env: "prompt",
      net: "prompt",
      sys: "prompt",
    });
    assert.deepEqual(report.readAllowed, ["granted", "granted"]);
    assert.deepEqual(report.writeAllowed, ["prompt", "prompt"]);
    assert.deepEqual(report.stateDir, ["granted", "granted"]);
    assert.deepEqual(report.env, {
      COBRE_MCP_ALLOWED_DIRS: "granted",
      XDG_STATE_HOME: "granted",
      HOME: "granted",
      PATH: "prompt",
      AWS_SECRET_ACCESS_KEY: "prompt",
    });
    assert.equal(report.ffiBinding, "granted");
    assert.equal(report.net, "prompt");
    assert.equal(report.highsWasmBytes, "ok");
    assert.equal(report.duckdb, "ok");
    assert.equal(report.readOutside, "NotCapable");
    assert.equal(report.sandboxRead, "ok");
    assert.equal(report.procSelf, "NotCapable"); // Deno guards /proc/self without -A
    if (Deno.build.os === "linux") assert.equal(report.raceProofReads, true);
    assert.equal(report.rawWriteAllowed, "NotCapable");
    assert.equal(report.sandboxWriteAllowed, "WriteDisabled");
    assert.equal(report.writeState, "ok");
    assert.equal(report.recorder, "ok"); // a Worker can load its sources and the binding
    assert.notEqual(report.ffiAfterRecorder, "granted");
    assert.deepEqual([...Deno.readDirSync(cases)], []);
  });
});

Deno.test("a read-write launch line lets the server write into the allowed dirs", async () => {
  await withDirs(async ({ cases, state }) => {
    const report = await runProbe(
      await launchLine({ allowedDirs: [cases], stateDir: state, write: true }),
    );
    assert.equal(report.mode, "read-write");
    assert.deepEqual(report.writeAllowed, ["granted"]);
    assert.equal(report.rawWriteAllowed, "ok");
    assert.equal(report.sandboxWriteAllowed, "ok");
    assert.equal(
      report.unrestricted && (report.unrestricted as Record<string, string>).write,
      "prompt",
    );
    assert.equal([...Deno.readDirSync(cases)].length, 2);
  });
});

Deno.test("a launch line for a symlinked allowed dir resolves paths given through the link", async () => {
  await withDirs(async ({ base, cases, state }) => {
    await Deno.symlink(cases, `${base}/link`);
    await Deno.writeTextFile(`${cases}/config.json`, "{}");
    const line = await launchLine({
      allowedDirs: [`${base}/link`],
      stateDir: state,
      write: false,
      extraServerArgs: ["--probe-path", `${base}/link/config.json`],
    });
    const report = await runProbe(line);
    assert.equal(report.probePath, `${cases}/config.json`);
    assert.equal(report.mode, "read-only");
  });
});

Deno.test("an http launch line grants the network on its own host and port only", async () => {
  await withDirs(async ({ cases, state }) => {
    const line = await launchLine({
      allowedDirs: [cases],
      stateDir: state,
      write: false,
      transport: "http",
    });
    const report = await runProbe(line);
    assert.equal(report.net, "granted"); // the probe asks for 127.0.0.1:3000, the spec default
    assert.equal((report.unrestricted as Record<string, string>).net, "prompt");
  });
});

Deno.test("formatLaunchLine() prints JSON, or a shell line that a shell splits back exactly", async () => {
  const line: LaunchLine = {
    command: "/opt/deno dir/deno",
    args: [
      "run",
      "--allow-read=/data/it's here,/x",
      "main.ts",
      "serve",
      "--allowed-dirs",
      "/a b",
      "$HOME",
      "l\nf",
    ],
  };
  assert.deepEqual(JSON.parse(formatLaunchLine(line, { json: true })), line);
  assert.equal(formatLaunchLine(line, { json: true }).includes("\n"), false);

  const text = formatLaunchLine(line, { json: false });
  const [shellLine] = text.split("\n# MCP client");
  const echoed = await new Deno.Command("sh", {
    args: ["-c", `printf '%s\\0' ${shellLine!.trim()}`],
  }).output();
  const words = new TextDecoder().decode(echoed.stdout).split("\0").slice(0, -1);
  assert.deepEqual(words, [line.command, ...line.args]);

  const snippet = JSON.parse(text.slice(text.indexOf("{")));
  assert.deepEqual(snippet, {
    mcpServers: {
      cobre: { command: line.command, args: [...line.args, "--tool-names", "portable"] },
    },
  });
});

Deno.test("formatLaunchLine() keeps one --tool-names in the client snippet", () => {
  const line: LaunchLine = { command: "deno", args: ["main.ts", "serve", "--tool-names", "spec"] };
  const text = formatLaunchLine(line, { json: false });
  const snippet = JSON.parse(text.slice(text.indexOf("{")));
  assert.deepEqual(snippet.mcpServers.cobre.args, ["main.ts", "serve", "--tool-names", "portable"]);
});
