import assert from "node:assert/strict";
import { findJsonSyntaxError } from "../../src/case/json_syntax.ts";

const CASES: [string, string, { line: number; column: number; reason: RegExp } | null][] = [
  ["valid object", '{"a": [1, 2.5e3, -0.1, true, null, "x\\u00e9"]}', null],
  ["valid with whitespace", " \n\t{ }\r\n", null],
  ["trailing comma in object", '{"a": 1,\n}', { line: 2, column: 1, reason: /trailing comma/ }],
  ["trailing comma in array", "[1,\n 2,\n]", { line: 3, column: 1, reason: /trailing comma/ }],
  ["single quotes", "{'a': 1}", { line: 1, column: 2, reason: /property name in double quotes/ }],
  ["missing colon", '{"a" 1}', { line: 1, column: 6, reason: /expected ':'/ }],
  ["missing comma", '{"a": 1\n "b": 2}', { line: 2, column: 2, reason: /expected ',' or '}'/ }],
  ["unterminated string", '{"a": "abc', { line: 1, column: 11, reason: /unterminated string/ }],
  ["raw newline in string", '{"a": "x\ny"}', { line: 1, column: 9, reason: /control character/ }],
  ["NaN literal", '{"a": NaN}', { line: 1, column: 7, reason: /unexpected character 'N'/ }],
  ["leading zero", "[01]", { line: 1, column: 3, reason: /expected ',' or ']'/ }],
  ["bad escape", '["\\x"]', { line: 1, column: 3, reason: /invalid escape/ }],
  ["content after the value", "{}{}", { line: 1, column: 3, reason: /after the end/ }],
  ["empty text", "", { line: 1, column: 1, reason: /end of file/ }],
];

for (const [what, text, expected] of CASES) {
  Deno.test(`findJsonSyntaxError() handles ${what}`, () => {
    const found = findJsonSyntaxError(text);
    if (expected === null) {
      assert.equal(found, null);
      assert.doesNotThrow(() => JSON.parse(text));
      return;
    }
    assert.throws(() => JSON.parse(text));
    assert.ok(found);
    assert.equal(found.line, expected.line, `line of ${JSON.stringify(found)}`);
    assert.equal(found.column, expected.column, `column of ${JSON.stringify(found)}`);
    assert.match(found.reason, expected.reason);
  });
}

Deno.test("findJsonSyntaxError() refuses pathological nesting without overflowing the stack", () => {
  const found = findJsonSyntaxError("[".repeat(100_000));
  assert.ok(found);
  assert.match(found.reason, /nesting deeper than/);
});
