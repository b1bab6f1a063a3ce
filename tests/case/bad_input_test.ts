import assert from "node:assert/strict";
import {
  CobreError,
  directFileAccess,
  type ErrorRecord,
  errorRecord,
  type ReadAccess,
} from "../../src/common/mod.ts";
import { DEFAULT_READ_LIMITS, validateCase } from "../../src/case/mod.ts";
import { parquetBytes } from "../../fixtures/case/parquet.ts";
import { recordStrings, type ScratchCase, TINY, withScratch } from "./helpers.ts";

const STATS = "scenarios/inflow_seasonal_stats.parquet";

interface BadInput {
  what: string;
  breakIt: (c: ScratchCase) => Promise<void>;
  kind: string;
  file: string;
  says: RegExp;
  context?: Record<string, unknown>;
}

const validStats = () =>
  parquetBytes([
    { name: "hydro_id", type: "INT32", data: [0, 0] },
    { name: "stage_id", type: "INT32", data: [0, 1] },
    { name: "mean_m3s", type: "DOUBLE", data: [20, 20] },
    { name: "std_m3s", type: "DOUBLE", data: [0, 0] },
  ]);

const BAD_INPUTS: BadInput[] = [
  {
    what: "JSON with a trailing comma",
    breakIt: (c) =>
      c.writeText("config.json", '{\n  "training": {\n    "forward_passes": 1,\n  }\n}'),
    kind: "ParseError",
    file: "config.json",
    says: /invalid JSON at line 4, column 3: trailing comma/,
    context: { line: 4, column: 3 },
  },
  {
    what: "JSON cut off in the middle",
    breakIt: (c) => c.writeText("stages.json", '{ "stages": [ { "id": 0'),
    kind: "ParseError",
    file: "stages.json",
    says: /line 1.*end of file/,
    context: { line: 1 },
  },
  {
    what: "an empty JSON file",
    breakIt: (c) => c.writeText("penalties.json", ""),
    kind: "ParseError",
    file: "penalties.json",
    says: /invalid JSON at line 1/,
  },
  {
    what: "JSON with comments",
    breakIt: (c) => c.writeText("system/lines.json", '{\n  // no lines\n  "lines": []\n}'),
    kind: "ParseError",
    file: "system/lines.json",
    says: /line 2, column 3/,
  },
  {
    what: "non-UTF-8 bytes",
    breakIt: (c) =>
      c.writeBytes("system/buses.json", new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])),
    kind: "ParseError",
    file: "system/buses.json",
    says: /not valid UTF-8/,
  },
  {
    what: "a JSON array where an object belongs",
    breakIt: (c) => c.writeText("system/hydros.json", "[]"),
    kind: "SchemaViolation",
    file: "system/hydros.json",
    says: /top-level value must be a JSON object, found array/,
  },
  {
    what: "a registry that is not an array",
    breakIt: (c) => c.writeText("system/thermals.json", '{"thermals": {"id": 0}}'),
    kind: "TypeMismatch",
    file: "system/thermals.json",
    says: /field "thermals" must be array, found object/,
  },
  {
    what: "a directory where a file belongs",
    breakIt: async (c) => {
      await c.remove("system/hydros.json");
      await Deno.mkdir(c.path("system/hydros.json"));
    },
    kind: "ParseError",
    file: "system/hydros.json",
    says: /found a directory/,
  },
  {
    what: "a text file named .parquet",
    breakIt: (c) => c.writeText(STATS, "hydro_id,stage_id\n0,0\n"),
    kind: "ParseError",
    file: STATS,
    says: /not a Parquet file/,
  },
  {
    what: "a truncated Parquet file",
    breakIt: (c) => c.writeBytes(STATS, validStats().subarray(0, 200)),
    kind: "ParseError",
    file: STATS,
    says: /not a Parquet file|could not be decoded/,
  },
  {
    what: "a Parquet file with a corrupt footer",
    breakIt: async (c) => {
      const bytes = validStats().slice();
      // Overwrite the footer body but keep the length and PAR1 magic.
      bytes.fill(0xee, bytes.length - 60, bytes.length - 8);
      await c.writeBytes(STATS, bytes);
    },
    kind: "ParseError",
    file: STATS,
    says: /could not be decoded/,
  },
  {
    what: "an INT64 id column",
    breakIt: (c) =>
      c.writeParquet(STATS, [
        { name: "hydro_id", type: "INT64", data: [0n, 0n] },
        { name: "stage_id", type: "INT32", data: [0, 1] },
        { name: "mean_m3s", type: "DOUBLE", data: [20, 20] },
        { name: "std_m3s", type: "DOUBLE", data: [0, 0] },
      ]),
    kind: "TypeMismatch",
    file: STATS,
    says: /column "hydro_id" has Parquet type INT64, but Cobre requires INT32/,
    context: { expected_type: "INT32", actual_type: "INT64" },
  },
  {
    what: "a missing required column",
    breakIt: (c) =>
      c.writeParquet(STATS, [
        { name: "hydro_id", type: "INT32", data: [0, 0] },
        { name: "stage_id", type: "INT32", data: [0, 1] },
        { name: "mean_m3s", type: "DOUBLE", data: [20, 20] },
      ]),
    kind: "SchemaViolation",
    file: STATS,
    says: /required column "std_m3s" is missing/,
  },
  {
    what: "a null in a required column",
    breakIt: (c) =>
      c.writeParquet(STATS, [
        { name: "hydro_id", type: "INT32", data: [0, 0] },
        { name: "stage_id", type: "INT32", data: [0, 1] },
        { name: "mean_m3s", type: "DOUBLE", data: [20, null] },
        { name: "std_m3s", type: "DOUBLE", data: [0, 0] },
      ]),
    kind: "SchemaViolation",
    file: STATS,
    says: /row 1 \(hydro 0, stage 1\) has a null "mean_m3s"/,
  },
  {
    what: "NaN in a value column",
    breakIt: (c) =>
      c.writeParquet(STATS, [
        { name: "hydro_id", type: "INT32", data: [0, 0] },
        { name: "stage_id", type: "INT32", data: [0, 1] },
        { name: "mean_m3s", type: "DOUBLE", data: [20, NaN] },
        { name: "std_m3s", type: "DOUBLE", data: [0, 0] },
      ]),
    kind: "OutOfRange",
    file: STATS,
    says: /column "mean_m3s" is NaN, but must be finite/,
  },
  {
    what: "a duplicated (hydro, stage) row",
    breakIt: (c) =>
      c.writeParquet(STATS, [
        { name: "hydro_id", type: "INT32", data: [0, 0, 0] },
        { name: "stage_id", type: "INT32", data: [0, 1, 1] },
        { name: "mean_m3s", type: "DOUBLE", data: [20, 20, 21] },
        { name: "std_m3s", type: "DOUBLE", data: [0, 0, 0] },
      ]),
    kind: "DuplicateId",
    file: STATS,
    says: /row 2 \(hydro 0, stage 1\) repeats a key/,
  },
  {
    what: "a number too large for a double",
    breakIt: (c) =>
      c.editJson("system/thermals.json", (d) => (d.thermals[0].cost_per_mwh = "__BIG__")).then(
        async () => {
          const text = await Deno.readTextFile(c.path("system/thermals.json"));
          await c.writeText("system/thermals.json", text.replace('"__BIG__"', "1e400"));
        },
      ),
    kind: "OutOfRange",
    file: "system/thermals.json",
    says: /is Infinity, but must be a finite number/,
  },
  {
    what: "an invalid calendar date",
    breakIt: (c) => c.editJson("stages.json", (d) => (d.stages[0].end_date = "2024-02-30")),
    kind: "SchemaViolation",
    file: "stages.json",
    says: /"2024-02-30", which is not a calendar date/,
  },
];

for (const bad of BAD_INPUTS) {
  Deno.test(`validateCase() turns ${bad.what} into a ${bad.kind} record`, async () => {
    await withScratch(TINY, async (c) => {
      await bad.breakIt(c);
      const report = await validateCase(c.dir, directFileAccess);
      const error = report.errors.find((e) => e.kind === bad.kind && e.context.file === bad.file);
      assert.ok(
        error,
        `no ${bad.kind} for ${bad.file} in ${JSON.stringify(report.errors, null, 1)}`,
      );
      assert.match(error.message, bad.says);
      for (const [key, value] of Object.entries(bad.context ?? {})) {
        assert.deepEqual(error.context[key], value);
      }
      for (const record of report.errors) {
        for (const text of recordStrings(record)) {
          assert.ok(!text.includes(c.dir), `leaks the case path: ${text}`);
          assert.ok(!/\n\s+at /.test(text), `looks like a stack trace: ${text}`);
        }
      }
    });
  });
}

Deno.test("validateCase() refuses an oversized JSON file without reading it", async () => {
  await withScratch(TINY, async (c) => {
    // A sparse file: the size is there, the bytes are never written.
    const file = await Deno.open(c.path("system/hydros.json"), { write: true, truncate: true });
    await file.truncate(DEFAULT_READ_LIMITS.json_bytes + 1);
    file.close();
    const reads: string[] = [];
    const access: ReadAccess = {
      ...directFileAccess,
      readFile: (p) => (reads.push(p), directFileAccess.readFile(p)),
    };
    const report = await validateCase(c.dir, access);
    const error = report.errors.find((e) => e.context.file === "system/hydros.json") as ErrorRecord;
    assert.equal(error.kind, "ParseError");
    assert.match(error.message, /above the 64\.0 MiB limit/);
    assert.ok(!reads.some((p) => p.endsWith("hydros.json")), "the oversized file was read");
  });
});

Deno.test("validateCase() passes a sandbox refusal through, naming the file relative to the case", async () => {
  await withScratch(TINY, async (c) => {
    const refusing: ReadAccess = {
      ...directFileAccess,
      readFile: (p) =>
        p.endsWith("buses.json")
          ? Promise.reject(
            new CobreError(
              errorRecord("PermissionDenied", "Path is outside the allowed directories"),
            ),
          )
          : directFileAccess.readFile(p),
    };
    const report = await validateCase(c.dir, refusing);
    const error = report.errors.find((e) => e.context.file === "system/buses.json");
    assert.equal(error?.kind, "PermissionDenied");
    assert.equal(error?.message, "Path is outside the allowed directories");
    assert.equal(report.valid, false);
  });
});

Deno.test("validateCase() ignores files with non-UTF-8 names next to the case files", async () => {
  await withScratch(TINY, async (c) => {
    const command = new Deno.Command("sh", {
      args: ["-c", `touch "$(printf 'bad\\377name.json')"`],
      cwd: c.path("system"),
    });
    const { success } = await command.output();
    assert.ok(success);
    const report = await validateCase(c.dir, directFileAccess);
    assert.equal(report.valid, true);
  });
});

Deno.test("validateCase() reports an unreadable file without the operating system's message", async () => {
  await withScratch(TINY, async (c) => {
    const failing: ReadAccess = {
      ...directFileAccess,
      readFile: (p) =>
        p.endsWith("penalties.json")
          ? Promise.reject(new Error(`EIO reading ${p}`))
          : directFileAccess.readFile(p),
    };
    const report = await validateCase(c.dir, failing);
    const error = report.errors.find((e) => e.context.file === "penalties.json") as ErrorRecord;
    assert.equal(error.kind, "ParseError");
    assert.match(error.message, /could not be read/);
    assert.ok(!recordStrings(error).some((t) => t.includes(c.dir) || t.includes("EIO")));
  });
});

Deno.test("validateCase() refuses a Parquet footer declaring more rows than the limit before decoding", async () => {
  await withScratch(TINY, async (c) => {
    const report = await validateCase(c.dir, directFileAccess, { limits: { parquet_rows: 1 } });
    const error = report.errors.find((e) => e.context.file === STATS);
    assert.equal(error?.kind, "ParseError");
    assert.match(error?.message ?? "", /declares 2 rows, above the limit of 1/);
  });
});

Deno.test("validateCase() refuses a Parquet footer declaring too much uncompressed data", async () => {
  await withScratch(TINY, async (c) => {
    const report = await validateCase(c.dir, directFileAccess, {
      limits: { parquet_uncompressed_bytes: 10 },
    });
    const error = report.errors.find((e) => e.context.file === STATS);
    assert.equal(error?.kind, "ParseError");
    assert.match(error?.message ?? "", /of uncompressed data, above the 10 bytes limit/);
  });
});
