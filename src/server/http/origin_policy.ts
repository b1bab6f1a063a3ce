/**
 * Host and Origin checks against DNS rebinding (MCP transports, "Security Warning"): a web page
 * whose name an attacker re-points at 127.0.0.1 reaches a loopback server with its own name in
 * `Host` and its own origin in `Origin`. Both must name this server.
 *
 * Pure functions: the allowlist is computed once from the bind address and the operator's
 * `--allowed-hosts` / `--allowed-origins`, then every request is checked against it.
 *
 * @module
 */

/** Names that always mean "this machine". */
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"] as const;

/** The allowlist one server checks every request against. */
export interface OriginPolicy {
  /** The port the server listens on; a `Host` port, when present, must equal it. */
  readonly port: number;
  /** Host names (lowercase, IPv6 in brackets) a `Host` header may carry. */
  readonly hostNames: ReadonlySet<string>;
  /** Origins the operator allowed explicitly (normalised); only these get CORS headers. */
  readonly corsOrigins: ReadonlySet<string>;
}

/** What the `Origin` header of a request turned out to be. */
export type OriginVerdict =
  /** No `Origin` header: not a browser, or a same-origin GET. */
  | "absent"
  /** The page came from this very server (an allowed host on our port). */
  | "same-origin"
  /** An origin the operator listed with `--allowed-origins`. */
  | "cors"
  | "refused";

/** True for an address or name that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return name === "localhost" || name === "::1" || /^127(\.\d{1,3}){3}$/.test(name);
}

/** True for a bind address that listens on every interface. */
export function isWildcardHost(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "[::]";
}

/** A bare IPv6 address (`::1`) becomes `[::1]`, as in `Host` headers; `name:port` stays. */
function bracketed(host: string): string {
  const colons = host.split(":").length - 1;
  return colons > 1 && !host.startsWith("[") ? `[${host}]` : host;
}

/** Splits `name[:port]`; null when it is not of that shape. */
export function splitHostPort(value: string): { name: string; port: number | null } | null {
  const text = value.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(text);
  if (!match || match[1] === undefined) return null;
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && port > 65535) return null;
  return { name: match[1], port };
}

function normaliseOrigin(origin: string): string | null {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  // An origin is exactly scheme://host[:port]; anything more is not an Origin header value.
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "" || url.username !== "") {
    return null;
  }
  return url.origin.toLowerCase();
}

/** Options of `originPolicy`. */
export interface OriginPolicyOptions {
  /** The bind address. */
  host: string;
  port: number;
  /** Extra host names (or `name:port`) clients use to reach the server, e.g. a DNS name. */
  allowedHosts?: readonly string[];
  /** Browser origins allowed to call the server (they get CORS headers). */
  allowedOrigins?: readonly string[];
}

/**
 * Builds the allowlist. A loopback bind accepts the loopback names; a specific address accepts
 * itself; a wildcard bind accepts the loopback names and whatever the operator lists.
 * Throws `RangeError` (quoting the value) for an entry that is not a host or an origin.
 */
export function originPolicy(options: OriginPolicyOptions): OriginPolicy {
  const hostNames = new Set<string>();
  const bind = bracketed(options.host.toLowerCase());
  if (isLoopbackHost(bind) || isWildcardHost(options.host)) {
    for (const name of LOOPBACK_NAMES) hostNames.add(name);
  }
  if (!isWildcardHost(options.host)) hostNames.add(bind);
  for (const entry of options.allowedHosts ?? []) {
    const parsed = splitHostPort(bracketed(entry));
    if (!parsed) throw new RangeError(`"${entry}" is not a host name or address`);
    if (parsed.port !== null && parsed.port !== options.port) {
      throw new RangeError(
        `"${entry}" names port ${parsed.port}, but the server listens on ${options.port}`,
      );
    }
    hostNames.add(parsed.name);
  }
  const corsOrigins = new Set<string>();
  for (const entry of options.allowedOrigins ?? []) {
    if (entry === "*") throw new RangeError(`"*" is not allowed: list each origin explicitly`);
    const origin = normaliseOrigin(entry);
    if (origin === null) throw new RangeError(`"${entry}" is not an origin (scheme://host[:port])`);
    corsOrigins.add(origin);
  }
  return { port: options.port, hostNames, corsOrigins };
}

/** True when a `Host` header names this server (missing headers are refused). */
export function hostAllowed(policy: OriginPolicy, host: string | null): boolean {
  if (host === null) return false;
  const parsed = splitHostPort(host);
  if (!parsed || !policy.hostNames.has(parsed.name)) return false;
  return parsed.port === null || parsed.port === policy.port;
}

/** Classifies the `Origin` header of a request; `refused` means answer 403. */
export function checkOrigin(policy: OriginPolicy, origin: string | null): OriginVerdict {
  if (origin === null) return "absent";
  const normalised = normaliseOrigin(origin);
  if (normalised === null) return "refused"; // includes the opaque "null" origin
  if (policy.corsOrigins.has(normalised)) return "cors";
  const url = new URL(normalised);
  const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
  return policy.hostNames.has(url.hostname) && port === policy.port ? "same-origin" : "refused";
}
