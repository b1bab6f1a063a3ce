import assert from "node:assert/strict";
import { isWithin, malformedReason } from "../../src/security/mod.ts";

Deno.test("isWithin() compares whole segments, never string prefixes", () => {
  const cases: [root: string, path: string, inside: boolean][] = [
    ["/data/cases", "/data/cases", true],
    ["/data/cases", "/data/cases/a", true],
    ["/data/cases", "/data/cases/a/b.json", true],
    ["/data/cases", "/data/cases_evil", false],
    ["/data/cases", "/data/cases_evil/x", false],
    ["/data/cases", "/data/casesx", false],
    ["/data/cases", "/data/case", false],
    ["/data/cases", "/data", false],
    ["/data/cases", "/", false],
    ["/home/user/project", "/home/user/project2/file", false],
    ["/", "/etc/passwd", true],
    ["/", "/", true],
  ];
  for (const [root, path, inside] of cases) {
    assert.equal(isWithin(root, path), inside, `${path} in ${root}`);
  }
});

Deno.test("isWithin() never contains a path that still has dot segments or empty segments", () => {
  const cases = [
    "/data/cases/../etc/passwd",
    "/data/cases/./a",
    "/data/cases//a",
    "/data/cases/a/",
    "/data/cases/..",
    "data/cases/a",
    "",
  ];
  for (const path of cases) assert.equal(isWithin("/data/cases", path), false, path);
  assert.equal(isWithin("/data/cases/", "/data/cases/a"), false, "root must be canonical too");
});

Deno.test("isWithin() treats dot-like names that are not . or .. as ordinary names", () => {
  for (const name of ["...", "..a", ".a", "a..", ". ", " .."]) {
    assert.equal(isWithin("/data/cases", `/data/cases/${name}`), true, name);
  }
});

Deno.test("malformedReason() refuses empty, relative, null-byte and ill-formed strings", () => {
  const cases: [path: string, reason: string | null][] = [
    ["", "empty path"],
    ["relative/path", "relative path"],
    ["./case", "relative path"],
    ["../etc/passwd", "relative path"],
    ["~/cases", "relative path"],
    [" /data/cases", "relative path"],
    ["'/data/cases'", "relative path"],
    ["%2Fdata%2Fcases", "relative path"],
    ["file:///data/cases", "relative path"],
    ["/data/cases\0/../../etc/passwd", "contains a null byte"],
    ["/data/cases/\0", "contains a null byte"],
    ["/data/\uD800case", "not well-formed Unicode"],
    ["/data/case\uDC00", "not well-formed Unicode"],
    ["/data/cases", null],
    ["/data/cases/%2e%2e/x", null],
    ["/data/cases/ trailing space ", null],
    ["/data/caf\u00e9/\u{1F600}", null],
  ];
  for (const [path, reason] of cases) {
    assert.equal(malformedReason(path), reason, JSON.stringify(path));
  }
});
