import assert from "node:assert/strict";
import {
  formatTable,
  openFlightRecorder,
  parseFlightArgs,
  parseSince,
  runFlightCommand,
} from "../../src/recorder/mod.ts";
import { withStateDir } from "./helpers.ts";

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

Deno.test("parseSince() reads ISO times and relative ages", () => {
  const table: [string, number | null][] = [
    ["90s", NOW - 90_000],
    ["15m", NOW - 900_000],
    ["2h", NOW - 7_200_000],
    ["7d", NOW - 604_800_000],
    ["1.5h", NOW - 5_400_000],
    ["2026-06-01T11:00:00Z", Date.UTC(2026, 5, 1, 11)],
    ["2026-06-01", Date.UTC(2026, 5, 1)],
    ["yesterday", null],
    ["15", null],
    ["-5m", null],
  ];
  for (const [text, expected] of table) assert.equal(parseSince(text, NOW), expected, text);
});

Deno.test("parseFlightArgs() builds the filter and refuses bad input", () => {
  assert.deepEqual(parseFlightArgs([], NOW), { filter: { newest: true, limit: 200 }, json: false });
  assert.deepEqual(parseFlightArgs(["--job", "j1", "--kind=mcp.progress", "--json"], NOW), {
    filter: { newest: true, limit: 200, jobId: "j1", kind: "mcp.progress" },
    json: true,
  });
  assert.deepEqual(parseFlightArgs(["--since", "1h"], NOW), {
    filter: { newest: false, limit: 10_000, sinceMs: NOW - 3_600_000 },
    json: false,
  });
  for (
    const args of [
      ["--kind", "mcp.nope"],
      ["--since", "soon"],
      ["--limit", "0"],
      ["--job"],
      ["--frobnicate", "x"],
    ]
  ) assert.ok("problem" in parseFlightArgs(args, NOW), args.join(" "));
});

Deno.test("formatTable() prints one aligned line per event and flattens newlines", () => {
  const text = formatTable([{
    eventId: "e",
    seq: 0,
    tsUtc: "2026-06-01T12:00:00.000Z",
    serverId: "s",
    sessionId: null,
    taskId: null,
    jobId: "job-1",
    workflowRunId: null,
    traceId: null,
    eventKind: "mcp.tool_result",
    source: "server",
    level: "info",
    message: "line one\nline two",
    payload: null,
    toolName: "cobre/validate",
    capabilityProfileId: "read-only",
    gateDecision: "allow",
    durationMs: 12.6,
    errorCode: null,
    clientClaims: null,
  }]);
  const [header, line, extra] = text.split("\n");
  assert.equal(extra, undefined);
  assert.match(header!, /^TIME \(UTC\)\s+KIND\s+LEVEL\s+TOOL\s+JOB\s+GATE\s+MS\s+MESSAGE$/);
  assert.match(
    line!,
    /^2026-06-01T12:00:00.000Z\s+mcp.tool_result\s+info\s+cobre\/validate\s+job-1\s+allow\s+13\s+line one line two$/,
  );
  assert.equal(header!.indexOf("MESSAGE"), line!.indexOf("line one"));
});

Deno.test("runFlightCommand() prints events of a state dir as a table or JSON, filtered", async () => {
  await withStateDir(async (dir) => {
    const recorder = await openFlightRecorder({ stateDir: dir, serverId: "srv", revokeFfi: false });
    recorder.record({
      kind: "mcp.tool_call",
      source: "server",
      message: "validate 1dtoy",
      jobId: "j1",
    });
    recorder.record({
      kind: "mcp.progress",
      source: "engine",
      message: "iteration 1",
      jobId: "j1",
    });
    recorder.record({ kind: "mcp.tool_call", source: "server", message: "other job", jobId: "j2" });
    await recorder.close();

    const out: string[] = [];
    const io = {
      write: (text: string) => out.push(text),
      error: (text: string) => out.push(`ERR ${text}`),
    };
    assert.equal(await runFlightCommand(["--job", "j1", "--json"], dir, io), 0);
    const rows = JSON.parse(out.pop()!);
    assert.deepEqual(rows.map((r: { message: string }) => r.message), [
      "validate 1dtoy",
      "iteration 1",
    ]);

    assert.equal(await runFlightCommand(["--kind", "mcp.tool_call"], dir, io), 0);
    const table = out.pop()!.split("\n");
    assert.equal(table.length, 3);
    assert.match(table[1]!, /validate 1dtoy$/);
    assert.match(table[2]!, /other job$/);

    assert.equal(await runFlightCommand(["--kind", "bogus"], dir, io), 2);
    assert.match(out.pop()!, /^ERR flight: unknown event kind "bogus"/);
  });
});

Deno.test("runFlightCommand() on a state dir with no recorder prints an empty result", async () => {
  await withStateDir(async (dir) => {
    const out: string[] = [];
    assert.equal(await runFlightCommand(["--json"], dir, { write: (t) => out.push(t) }), 0);
    assert.deepEqual(JSON.parse(out[0]!), []);
  });
});
