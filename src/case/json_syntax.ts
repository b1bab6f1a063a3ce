/**
 * Locates the first JSON syntax error in a text. `JSON.parse` reports positions inconsistently
 * (and sometimes quotes the offending text instead), so after it fails we rescan with this small
 * recursive-descent checker to give the agent a stable line, column and reason.
 *
 * @module
 */

/** Where and why a JSON text is malformed. */
export interface JsonSyntaxError {
  line: number;
  column: number;
  reason: string;
}

/** Returns the first syntax error of `text`, or null when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const scanner = new Scanner(text);
  try {
    scanner.skipWhitespace();
    scanner.value(0);
    scanner.skipWhitespace();
    if (scanner.pos < text.length) {
      scanner.fail("unexpected content after the end of the JSON value");
    }
    return null;
  } catch (error) {
    if (error instanceof SyntaxFailure) return scanner.locate(error.pos, error.reason);
    throw error;
  }
}

class SyntaxFailure {
  constructor(readonly pos: number, readonly reason: string) {}
}

/** Nesting deeper than this is refused rather than risking the call stack. */
const MAX_DEPTH = 512;

class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  fail(reason: string): never {
    throw new SyntaxFailure(this.pos, reason);
  }

  locate(pos: number, reason: string): JsonSyntaxError {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < pos && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    return { line, column: pos - lineStart + 1, reason };
  }

  skipWhitespace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  value(depth: number): void {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    if (this.pos >= this.text.length) this.fail("unexpected end of file, a value was expected");
    const c = this.text[this.pos];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const word of ["true", "false", "null"]) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return;
      }
    }
    this.fail(`unexpected character ${describe(c)}, a value was expected`);
  }

  object(depth: number): void {
    if (this.opensEmpty("}")) return;
    do {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') {
        this.fail(
          `expected a property name in double quotes, found ${describe(this.text[this.pos])}`,
        );
      }
      this.string();
      this.skipWhitespace();
      if (this.text[this.pos] !== ":") {
        this.fail(`expected ':' after the property name, found ${describe(this.text[this.pos])}`);
      }
      this.pos++;
      this.skipWhitespace();
      this.value(depth + 1);
    } while (!this.closesAfter("}", "a property value"));
  }

  array(depth: number): void {
    if (this.opensEmpty("]")) return;
    do {
      this.skipWhitespace();
      this.value(depth + 1);
    } while (!this.closesAfter("]", "an array element"));
  }

  /** Steps over an opening bracket; true (and past `close`) when the container is empty. */
  opensEmpty(close: "}" | "]"): boolean {
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] !== close) return false;
    this.pos++;
    return true;
  }

  /** After a member: false past a `,` (another member follows), true past `close`. */
  closesAfter(close: "}" | "]", member: string): boolean {
    this.skipWhitespace();
    const next = this.text[this.pos];
    if (next === ",") {
      this.pos++;
      this.skipWhitespace();
      if (this.text[this.pos] === close) this.fail(`trailing comma before '${close}'`);
      return false;
    }
    if (next === close) {
      this.pos++;
      return true;
    }
    this.fail(`expected ',' or '${close}' after ${member}, found ${describe(next)}`);
  }

  string(): void {
    this.pos++;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 34) {
        this.pos++;
        return;
      }
      if (c < 32) this.fail("control character inside a string (escape it, e.g. \\n)");
      if (c === 92) {
        const e = this.text[this.pos + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
            this.fail("invalid \\u escape in a string");
          }
          this.pos += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail("invalid escape in a string");
        this.pos += 2;
        continue;
      }
      this.pos++;
    }
    this.fail("unterminated string");
  }

  number(): void {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(
      this.text.slice(this.pos, this.pos + 400),
    );
    if (!match || match[0] === "-") this.fail("malformed number");
    this.pos += match[0].length;
  }
}

function describe(c: string | undefined): string {
  if (c === undefined) return "end of file";
  if (c === "\n") return "a line break";
  return `'${c}'`;
}
