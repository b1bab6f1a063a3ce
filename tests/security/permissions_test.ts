import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { ServerModeOptions } from "../../src/security/mod.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const probe = fileURLToPath(new URL("./probe/mode_probe.ts", import.meta.url));

interface Dirs {
  cases: string;
  outputs: string;
  state: string;
  link: string;
  base: string;
}

type Outcome = { mode: string } | {
  error: { kind: string; message: string; context: Record<string, string> };
};

/** Runs `detectServerMode(options)` in a fresh Deno started with exactly `flags`. */
async function modeUnder(flags: string[], options: ServerModeOptions): Promise<Outcome> {
  const args = [
    "run",
    "--no-prompt",
    "--config",
    `${repo}/deno.json`,
    ...flags,
    probe,
    JSON.stringify(options),
  ];
  const output = await new Deno.Command(Deno.execPath(), { args, stdin: "null" }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

async function withDirs(body: (dirs: Dirs) => Promise<void>): Promise<void> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "cobre_perm_" }));
  try {
    for (const name of ["cases", "outputs", "state"]) await Deno.mkdir(`${base}/${name}`);
    await Deno.symlink(`${base}/cases`, `${base}/link`);
    await body({
      base,
      cases: `${base}/cases`,
      outputs: `${base}/outputs`,
      state: `${base}/state`,
      link: `${base}/link`,
    });
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

Deno.test("detectServerMode() reads the mode from the runtime's write grants", async () => {
  await withDirs(async ({ cases, outputs, state }) => {
    const both = { allowedDirs: [cases, outputs], stateDir: state };
    const rows: [flags: string[], options: ServerModeOptions, mode: string][] = [
      [[`--allow-read=${cases},${state}`, `--allow-write=${state}`], {
        allowedDirs: [cases],
        stateDir: state,
      }, "read-only"],
      [[`--allow-read=${cases},${state}`, `--allow-write=${state},${cases}`], {
        allowedDirs: [cases],
        stateDir: state,
      }, "read-write"],
      [
        [`--allow-read=${cases},${outputs},${state}`, `--allow-write=${state},${cases}`],
        both,
        "read-only",
      ],
      [
        [`--allow-read=${cases},${outputs},${state}`, `--allow-write=${state},${cases},${outputs}`],
        both,
        "read-write",
      ],
      [["-A"], { ...both, noSandbox: true }, "read-write"],
      [[`--allow-read`, `--allow-write=${state}`], { ...both, noSandbox: true }, "read-only"],
    ];
    const outcomes = await Promise.all(rows.map(([flags, options]) => modeUnder(flags, options)));
    outcomes.forEach((outcome, i) =>
      assert.deepEqual(outcome, { mode: rows[i]![2] }, rows[i]![0].join(" "))
    );
  });
});

Deno.test("detectServerMode() refuses to start without a needed grant, naming the flag", async () => {
  await withDirs(async ({ base, cases, state, link }) => {
    const rows: [flags: string[], options: ServerModeOptions, flag: string][] = [
      [[`--allow-read=${state}`, `--allow-write=${state}`], {
        allowedDirs: [cases],
        stateDir: state,
      }, `--allow-read=${cases}`],
      // Deno checks the string it is given: a grant on the link does not cover the real dir.
      [[`--allow-read=${link},${state}`, `--allow-write=${state}`], {
        allowedDirs: [link],
        stateDir: state,
      }, `--allow-read=${cases}`],
      [
        [`--allow-read=${cases},${state}`],
        { allowedDirs: [cases], stateDir: state },
        `--allow-write=${state}`,
      ],
      [[`--allow-read=${cases}`, `--allow-write=${state}`], {
        allowedDirs: [cases],
        stateDir: state,
      }, `--allow-read=${state}`],
      [
        [`--allow-read=${cases},${state}`, `--allow-write=${state}`],
        { allowedDirs: [cases], stateDir: `${base}/elsewhere` },
        `--allow-read=${base}/elsewhere`,
      ],
    ];
    const outcomes = await Promise.all(rows.map(([flags, options]) => modeUnder(flags, options)));
    outcomes.forEach((outcome, i) => {
      const flag = rows[i]![2];
      assert.ok("error" in outcome, `expected a refusal for ${rows[i]![0].join(" ")}`);
      assert.equal(outcome.error.kind, "PermissionDenied");
      assert.equal(outcome.error.context.flag, flag);
      assert.ok(outcome.error.message.includes(flag), outcome.error.message);
    });
  });
});

Deno.test("detectServerMode() accepts a symlinked allowed dir when its real path is granted", async () => {
  await withDirs(async ({ cases, state, link }) => {
    const outcome = await modeUnder(
      [`--allow-read=${link},${cases},${state}`, `--allow-write=${state}`],
      { allowedDirs: [link], stateDir: state },
    );
    assert.deepEqual(outcome, { mode: "read-only" });
  });
});

Deno.test("detectServerMode() refuses unrestricted read, write, ffi or run unless told no sandbox", async () => {
  await withDirs(async ({ cases, state }) => {
    const scoped = [`--allow-read=${cases},${state}`, `--allow-write=${state}`];
    const rows: [flags: string[], flag: string][] = [
      [["-A"], "--allow-read"],
      [["--allow-read", `--allow-write=${state}`], "--allow-read"],
      [[`--allow-read=${cases},${state}`, "--allow-write"], "--allow-write"],
      [[...scoped, "--allow-ffi"], "--allow-ffi"],
      [[...scoped, "--allow-run"], "--allow-run"],
    ];
    const options = { allowedDirs: [cases], stateDir: state };
    const outcomes = await Promise.all(rows.map(([flags]) => modeUnder(flags, options)));
    outcomes.forEach((outcome, i) => {
      assert.ok("error" in outcome, rows[i]![0].join(" "));
      assert.equal(outcome.error.kind, "PermissionDenied");
      assert.equal(outcome.error.context.flag, rows[i]![1]);
    });
  });
});

Deno.test("detectServerMode() refuses a state dir that overlaps an allowed dir, or a missing dir", async () => {
  await withDirs(async ({ base, cases, state }) => {
    const overlap = await modeUnder(
      [`--allow-read=${cases}`, `--allow-write=${cases}`],
      { allowedDirs: [cases], stateDir: `${cases}/.state` },
    );
    assert.ok("error" in overlap);
    assert.equal(overlap.error.kind, "InvalidArgument");
    const missing = await modeUnder(
      [`--allow-read=${base}/gone,${state}`, `--allow-write=${state}`],
      { allowedDirs: [`${base}/gone`], stateDir: state },
    );
    assert.ok("error" in missing);
    assert.equal(missing.error.kind, "MissingFile");
  });
});
