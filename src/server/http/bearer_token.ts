/**
 * Bearer-token authentication for the HTTP transport. The token comes from the
 * `COBRE_MCP_HTTP_TOKEN` environment variable or a file (`--token-file`); only its SHA-256
 * digest is kept, and a presented token is hashed and compared in constant time, so neither
 * timing nor length tells an attacker anything. The secret itself is never logged: this module
 * holds no copy of it after `fromSecret` returns.
 *
 * @module
 */
import { CobreError, errorRecord } from "../../common/mod.ts";

/** Shortest token accepted: 32 characters (e.g. `openssl rand -hex 32` gives 64). */
export const MIN_TOKEN_LENGTH = 32;

/** Why a request was not authenticated. */
export type AuthFailure = "missing" | "invalid";

const encoder = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** XOR-accumulates every byte: the time taken does not depend on where the inputs differ. */
function equalDigests(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/** The server's expected token, as a digest. */
export class BearerToken {
  readonly #digest: Uint8Array;

  private constructor(digest: Uint8Array) {
    this.#digest = digest;
  }

  /** Hashes `secret`; throws `CobreError` (InvalidArgument) for a token too short to be safe. */
  static async fromSecret(secret: string): Promise<BearerToken> {
    const token = secret.trim();
    if (token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
      throw new CobreError(errorRecord(
        "InvalidArgument",
        `The HTTP bearer token must be at least ${MIN_TOKEN_LENGTH} characters without spaces`,
        { min_length: MIN_TOKEN_LENGTH },
        "Generate one with `openssl rand -hex 32`.",
      ));
    }
    return new BearerToken(await sha256(token));
  }

  /** Checks an `Authorization` header value; null means authenticated. */
  async verify(authorization: string | null): Promise<AuthFailure | null> {
    if (authorization === null) return "missing";
    const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization);
    if (!match || match[1] === undefined) return "invalid";
    return equalDigests(await sha256(match[1]), this.#digest) ? null : "invalid";
  }

  /** Never serialised or printed with its digest. */
  toJSON(): string {
    return "[bearer token]";
  }

  [Symbol.for("Deno.customInspect")](): string {
    return "BearerToken [redacted]";
  }
}

/** Where the token may come from. */
export interface TokenSources {
  /** The value of `COBRE_MCP_HTTP_TOKEN`, if set. */
  env: string | undefined;
  /** `--token-file`, if given. */
  tokenFile: string | null;
  readTextFile(path: string): Promise<string>;
}

/**
 * Loads the token: the file when given (so a token in the environment cannot silently win over
 * the one the operator pointed at), else the environment variable; null when neither is set.
 */
export async function loadBearerToken(sources: TokenSources): Promise<BearerToken | null> {
  if (sources.tokenFile !== null) {
    let text: string;
    try {
      text = await sources.readTextFile(sources.tokenFile);
    } catch (error) {
      throw new CobreError(errorRecord(
        "MissingFile",
        `The token file '${sources.tokenFile}' could not be read (${
          error instanceof Error ? error.name : "error"
        })`,
        { file: sources.tokenFile },
        "Check the path, and that the launch line grants read on it.",
      ));
    }
    return await BearerToken.fromSecret(text);
  }
  if (sources.env !== undefined && sources.env !== "") {
    return await BearerToken.fromSecret(sources.env);
  }
  return null;
}
