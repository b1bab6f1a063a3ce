/**
 * `serve --transport http`: turns the parsed flags into a running HTTP server. The bearer token
 * is read here (file, else environment) and must not live inside an allowed directory, where a
 * tool or resource could hand it to an agent.
 *
 * @module
 */
import { posix } from "node:path";
import { CobreError, errorRecord } from "../../common/mod.ts";
import type { FlightEvent } from "../../recorder/mod.ts";
import {
  type CapabilityProfile,
  HTTP_TOKEN_ENV_VAR,
  isWithin,
  READ_ONLY_PROFILE,
  selectProfile,
} from "../../security/mod.ts";
import type { RequestObserver } from "../observer.ts";
import type { ServerMode } from "../types.ts";
import type { HttpFlags } from "../cli_args.ts";
import type { LogLevel } from "../logger.ts";
import type { CobreServerOptions } from "../server.ts";
import { loadBearerToken } from "./bearer_token.ts";
import { serveHttp } from "./serve_http.ts";

/** What `serve` hands over besides the flags. */
export interface HttpCommandContext {
  stateDir: string;
  allowedDirs: readonly string[];
  logLevel: LogLevel;
  record: (event: FlightEvent) => void;
  /** Resolves once the Flight Recorder is open (or failed to open). */
  auditReady: Promise<void>;
  /** The audit chain for a session under a profile. */
  observersFor(profile: CapabilityProfile): RequestObserver[];
  mode: ServerMode;
  env(name: string): string | undefined;
}

/** Serves over HTTP until SIGTERM/SIGINT. */
export async function serveHttpCommand(
  flags: HttpFlags,
  served: Omit<CobreServerOptions, "shutdownSignal" | "sessionId" | "log">,
  context: HttpCommandContext,
): Promise<void> {
  if (flags.tokenFile !== null) {
    await assertOutsideAllowedDirs(flags.tokenFile, context.allowedDirs);
  }
  const token = await loadBearerToken({
    env: context.env(HTTP_TOKEN_ENV_VAR),
    tokenFile: flags.tokenFile,
    readTextFile: (path) => Deno.readTextFile(path),
  });
  // Bind only once the recorder can take events: the first sessions and refusals are audited
  // too (a failed recorder still lets the server start; its readiness check refuses requests).
  await context.auditReady;
  try {
    await serveHttp({
      ...served,
      host: flags.host,
      port: flags.port,
      allowedHosts: flags.allowedHosts,
      allowedOrigins: flags.allowedOrigins,
      token,
      requireAuth: flags.requireAuth,
      stateDir: context.stateDir,
      logOptions: { stderrLevel: context.logLevel },
      record: context.record,
      // A read-write server also offers read-only sessions (Cobre-Profile: read-only).
      profiles: {
        default: selectProfile(context.mode, context.mode),
        selectable: context.mode === "read-write" ? [READ_ONLY_PROFILE] : [],
        observersFor: context.observersFor,
      },
      conformanceFixtures: flags.conformanceFixtures,
    });
  } catch (error) {
    if (error instanceof RangeError) {
      // A malformed --allowed-hosts/--allowed-origins entry: the message quotes it.
      throw new CobreError(errorRecord("InvalidArgument", error.message, {}, null));
    }
    throw error;
  }
}

async function assertOutsideAllowedDirs(file: string, allowedDirs: readonly string[]) {
  let canonical: string;
  try {
    canonical = await Deno.realPath(file);
  } catch {
    return; // loadBearerToken reports the unreadable file
  }
  for (const dir of allowedDirs) {
    const root = await Deno.realPath(dir).catch(() => posix.resolve(dir));
    if (isWithin(root, canonical)) {
      throw new CobreError(errorRecord(
        "InvalidArgument",
        "The token file lies inside an allowed directory, where agents could read it",
        {},
        "Keep the token file outside the allowed directories (e.g. next to the state dir).",
      ));
    }
  }
}
