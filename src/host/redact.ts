/**
 * Response analysis: what the host removes from a server's answer before an agent sees it.
 * Every string in a result (text blocks, structured content, error records, resource text) is
 * scanned; each rule that fires is reported with a count and where it fired, never the matched
 * text, so the audit trail can say that a secret was removed without holding the secret.
 *
 * Host paths: an absolute path (or `file://` URI) outside the policy roots is replaced; paths
 * inside the roots are the agent's own data and stay. To keep false positives low a bare path
 * needs two segments (`/etc/passwd`) or a well-known top-level directory (`/root`), and a slash
 * glued to a word (`m3/s`, `cobre/validate`, `https://x/y`) is not a path.
 *
 * @module
 */
import { posix } from "node:path";
import { isWithinDir } from "../security/mod.ts";
import type { RedactionPolicy } from "./policy.ts";

/** One rule that fired on one result. */
export interface RedactionFiring {
  readonly rule: string;
  readonly count: number;
  /** Where in the result it fired (`content[0].text`, `structuredContent.errors[1].message`). */
  readonly locations: readonly string[];
}

/** The outcome of redacting a value. */
export interface Redacted<T> {
  readonly value: T;
  readonly firings: readonly RedactionFiring[];
}

interface SecretRule {
  readonly id: string;
  readonly pattern: RegExp;
  /** Keeps a harmless prefix (e.g. the key name) so the text still reads. */
  readonly keep?: (match: string, ...groups: string[]) => string;
}

/** Token-like secrets. Patterns follow the issuers' published formats. */
export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: "private_key",
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  },
  { id: "openai_api_key", pattern: /\bsk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{16,}/g },
  { id: "github_token", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g },
  { id: "slack_token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { id: "aws_access_key_id", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  {
    id: "aws_secret_access_key",
    pattern:
      /(aws_secret_access_key|aws_secret_key|secret_access_key)(["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}/gi,
    keep: (_match, name, separator) => `${name}${separator}`,
  },
  {
    id: "bearer_token",
    pattern: /\b(Bearer)(\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi,
    keep: (_match, word, space) => `${word}${space}`,
  },
];

const REPLACEMENT = (rule: string) => `[redacted:${rule}]`;

/** Top-level directories whose one-segment paths still count as host paths. */
const SYSTEM_DIRS = new Set([
  "bin",
  "boot",
  "dev",
  "etc",
  "home",
  "lib",
  "lib64",
  "media",
  "mnt",
  "opt",
  "private",
  "proc",
  "root",
  "run",
  "sbin",
  "srv",
  "sys",
  "tmp",
  "usr",
  "var",
  "Users",
  "Volumes",
  "Library",
]);

const FILE_URI = /\bfile:\/\/[^\s"'<>`)\]}]+/g;
const BARE_PATH = /(?<![\w.~:/\\%-])\/[\w.@+-]+(?:\/[\w.@+-]+)*\/?/g;

class Tally {
  readonly #counts = new Map<string, { count: number; locations: string[] }>();

  add(rule: string, location: string, count = 1): void {
    const entry = this.#counts.get(rule) ?? { count: 0, locations: [] };
    entry.count += count;
    if (entry.locations.length < 10 && !entry.locations.includes(location)) {
      entry.locations.push(location);
    }
    this.#counts.set(rule, entry);
  }

  firings(): RedactionFiring[] {
    return [...this.#counts].map(([rule, { count, locations }]) => ({ rule, count, locations }));
  }
}

/** A redactor for one policy and set of canonical roots. */
export class Redactor {
  readonly #policy: RedactionPolicy;
  readonly #roots: readonly string[];
  readonly #verdicts = new Map<string, boolean>();

  constructor(policy: RedactionPolicy, roots: readonly string[]) {
    this.#policy = policy;
    this.#roots = roots;
  }

  /** Redacts every string in `value` (objects and arrays recursively; keys are kept). */
  redact<T>(value: T, where = "$"): Redacted<T> {
    const tally = new Tally();
    const result = this.#walk(value, where, tally, 0) as T;
    return { value: result, firings: tally.firings() };
  }

  /** Redacts one string. */
  redactText(text: string, where = "$"): Redacted<string> {
    const tally = new Tally();
    return { value: this.#text(text, where, tally), firings: tally.firings() };
  }

  #walk(value: unknown, where: string, tally: Tally, depth: number): unknown {
    if (typeof value === "string") return this.#text(value, where, tally);
    if (depth > 64 || value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) {
      return value.map((item, index) => this.#walk(item, `${where}[${index}]`, tally, depth + 1));
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = this.#walk(item, `${where}.${key}`, tally, depth + 1);
    }
    return out;
  }

  #text(text: string, where: string, tally: Tally): string {
    let out = text;
    if (this.#policy.secrets) {
      for (const rule of SECRET_RULES) {
        out = out.replace(rule.pattern, (match: string, ...groups: unknown[]) => {
          tally.add(rule.id, where);
          const prefix = rule.keep ? rule.keep(match, ...groups.map(String)) : "";
          return `${prefix}${REPLACEMENT(rule.id)}`;
        });
      }
    }
    for (const { id, pattern } of this.#policy.patterns) {
      pattern.lastIndex = 0;
      out = out.replace(pattern, () => {
        tally.add(id, where);
        return REPLACEMENT(id);
      });
    }
    if (this.#policy.hostPaths) {
      out = out.replace(FILE_URI, (uri) => {
        if (this.#insideRoots(fileUriPath(uri))) return uri;
        tally.add("host_path", where);
        return REPLACEMENT("host_path");
      });
      out = out.replace(BARE_PATH, (path) => {
        if (!this.#isHostPath(path)) return path;
        tally.add("host_path", where);
        return REPLACEMENT("host_path");
      });
    }
    return out;
  }

  /** A host path outside the roots? Results repeat the same paths, so answers are cached. */
  #isHostPath(path: string): boolean {
    let verdict = this.#verdicts.get(path);
    if (verdict === undefined) {
      verdict = looksLikeHostPath(path) && !this.#insideRoots(path);
      if (this.#verdicts.size >= 4_096) this.#verdicts.clear();
      this.#verdicts.set(path, verdict);
    }
    return verdict;
  }

  #insideRoots(path: string | null): boolean {
    if (path === null) return false;
    const normal = posix.normalize(path).replace(/\/+$/, "") || "/";
    return this.#roots.some((root) => isWithinDir(normal, root));
  }
}

function fileUriPath(uri: string): string | null {
  try {
    const url = new URL(uri);
    return url.hostname === "" || url.hostname === "localhost"
      ? decodeURIComponent(url.pathname)
      : null;
  } catch {
    return null;
  }
}

function looksLikeHostPath(path: string): boolean {
  const segments = path.split("/").filter((segment) => segment !== "");
  if (segments.length >= 2) return true;
  return segments.length === 1 && SYSTEM_DIRS.has(segments[0]!);
}
