/**
 * Matching `cobre://` URIs against the resource templates of spec SS3.1.
 *
 * Path variables (`case_dir`, `output_dir`) hold a URL-encoded absolute path, so the canonical
 * form has no raw `/` in them (`cobre://case/%2Fdata%2Fcase/config`). A raw form
 * (`cobre://case//data/case/config`) is accepted too: the path variable takes everything up to
 * the template's fixed tail, so the result is the same path. Every variable is percent-decoded
 * exactly once (`%252F` becomes the literal text `%2F`, never `/`); what decoding yields is
 * handed to the sandbox unchanged. A raw `?` or `#` (query, fragment) never matches.
 *
 * @module
 */
import { CobreError, errorRecord } from "../../common/mod.ts";

/** A parsed URI template: its variables in order and the regular expression that matches it. */
export interface CompiledTemplate {
  readonly template: string;
  readonly variables: readonly string[];
  readonly pattern: RegExp;
}

/** Variables whose value is a filesystem path (may span several URI segments when raw). */
export function isPathVariable(name: string): boolean {
  return name.endsWith("_dir");
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Compiles a template such as `cobre://case/{case_dir}/entities/{entity_type}`. */
export function compileTemplate(template: string): CompiledTemplate {
  const variables: string[] = [];
  let source = "^";
  let last = 0;
  for (const match of template.matchAll(/\{([a-z_]+)\}/g)) {
    const name = match[1] as string;
    source += escapeRegExp(template.slice(last, match.index));
    source += isPathVariable(name) ? "([^?#]+)" : "([^/?#]+)";
    variables.push(name);
    last = match.index + match[0].length;
  }
  source += `${escapeRegExp(template.slice(last))}$`;
  return { template, variables, pattern: new RegExp(source) };
}

/**
 * The decoded variables of `uri` when it matches `compiled`, else null. Throws an
 * `InvalidArgument` record when a variable is not valid percent-encoding.
 */
export function matchTemplate(
  compiled: CompiledTemplate,
  uri: string,
): Record<string, string> | null {
  const match = compiled.pattern.exec(uri);
  if (match === null) return null;
  const variables: Record<string, string> = {};
  compiled.variables.forEach((name, i) => {
    const raw = match[i + 1] as string;
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      throw new CobreError(errorRecord(
        "InvalidArgument",
        `The ${name} part of the resource URI is not valid percent-encoding`,
        { argument: name, value: raw.slice(0, 200) },
        "Percent-encode the value once (encodeURIComponent), e.g. %2Fdata%2Fcase for /data/case.",
      ));
    }
    variables[name] = decoded;
  });
  return variables;
}

/** Expands a template with values, percent-encoding each (the inverse of `matchTemplate`). */
export function expandTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([a-z_]+)\}/g, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No value for {${name}} in ${template}`);
    return encodeURIComponent(value);
  });
}
