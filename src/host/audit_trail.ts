/**
 * The audit trail of one host session, from both sides: the host's own Flight Recorder and the
 * server's, merged in time order, with each host job matched to the server job that ran it (the
 * server stores the host's `_meta["dev.cobre/job"]` as a client claim on its own events).
 *
 * The server's recorder is read by a separate least-privilege `flight` process: the host revoked
 * its own FFI permission once its recorder started, and the DuckDB reader needs FFI.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { runtimeFiles } from "../common/mod.ts";
import type { FlightEventRow } from "../recorder/mod.ts";
import { JOB_META_KEY } from "./types.ts";

/** One event with the side that recorded it. */
export interface TrailEvent {
  readonly side: "host" | "server";
  readonly row: FlightEventRow;
}

/** A host job and the server job it became. */
export interface JobLink {
  readonly hostJobId: string;
  readonly serverJobId: string | null;
  readonly traceId: string | null;
  readonly toolName: string | null;
}

const REPO = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

/**
 * Events of the server state dir `stateDir`, read by `main.ts flight --json` in a child process
 * granted read on that dir, write on its recorder dir and FFI on the DuckDB binding only.
 */
export async function readServerFlight(stateDir: string, limit = 2_000): Promise<FlightEventRow[]> {
  const binding = runtimeFiles().duckdbBinding;
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--config",
      `${REPO}/deno.json`,
      `--allow-read=${stateDir},${REPO}/src,${binding}`,
      `--allow-write=${stateDir}/recorder`,
      `--allow-ffi=${binding}`,
      "--unstable-worker-options",
      `${REPO}/main.ts`,
      "flight",
      "--state-dir",
      stateDir,
      "--json",
      "--limit",
      String(limit),
    ],
    cwd: stateDir,
    stdout: "piped",
    stderr: "piped",
    clearEnv: true,
  }).output();
  if (!output.success) {
    throw new Error(
      `flight exited with code ${output.code}: ${new TextDecoder().decode(output.stderr).trim()}`,
    );
  }
  return JSON.parse(new TextDecoder().decode(output.stdout)) as FlightEventRow[];
}

/**
 * Both sides in time order. Ties (same millisecond) keep each recorder's own order and put the
 * host first: it sends before the server receives.
 */
export function mergeTrail(
  host: readonly FlightEventRow[],
  server: readonly FlightEventRow[],
): TrailEvent[] {
  const keyed = [
    ...host.map((row, index) => ({ event: { side: "host" as const, row }, side: 0, index })),
    ...server.map((row, index) => ({ event: { side: "server" as const, row }, side: 1, index })),
  ];
  keyed.sort((a, b) =>
    a.event.row.tsUtc < b.event.row.tsUtc
      ? -1
      : a.event.row.tsUtc > b.event.row.tsUtc
      ? 1
      : a.side - b.side || a.index - b.index
  );
  return keyed.map(({ event }) => event);
}

/**
 * Pairs each host job with the server job whose events carry it as a claim: the host's
 * `_meta["dev.cobre/job"].job_id`, or else the progress token the host minted for the call.
 */
export function linkJobs(trail: readonly TrailEvent[]): JobLink[] {
  const links = new Map<string, JobLink>();
  const byToken = new Map<string, string>();
  for (const { side, row } of trail) {
    if (side !== "host" || row.jobId === null) continue;
    if (!links.has(row.jobId)) {
      links.set(row.jobId, {
        hostJobId: row.jobId,
        serverJobId: null,
        traceId: row.traceId,
        toolName: row.toolName,
      });
    }
    const token = (row.payload as { progress_token?: unknown } | null)?.progress_token;
    if (typeof token === "string") byToken.set(token, row.jobId);
  }
  for (const { side, row } of trail) {
    if (side !== "server" || row.jobId === null) continue;
    const claims = row.clientClaims as Record<string, unknown> | null;
    const claimedJob = (claims?.[JOB_META_KEY] as { job_id?: unknown } | undefined)?.job_id;
    const claimedToken = claims?.progressToken;
    const hostJob = typeof claimedJob === "string" && links.has(claimedJob)
      ? claimedJob
      : typeof claimedToken === "string"
      ? byToken.get(claimedToken)
      : undefined;
    const link = hostJob === undefined ? undefined : links.get(hostJob);
    if (link && link.serverJobId === null) {
      links.set(link.hostJobId, { ...link, serverJobId: row.jobId });
    }
  }
  return [...links.values()];
}

function clip(text: string, width: number): string {
  const flat = text.replace(/[\r\n\t]+/g, " ");
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat.padEnd(width);
}

/**
 * A table a person can read: seconds since the first event, side, kind, tool, gate decision and
 * message. Debug-level events (progress) are folded into one count per side.
 */
export function formatTrail(trail: readonly TrailEvent[], width = 120): string {
  if (trail.length === 0) return "(no events)";
  const start = Date.parse(trail[0]!.row.tsUtc);
  const folded = { host: 0, server: 0 };
  const lines = [
    `${"time".padStart(8)} ${"side".padEnd(6)} ${"event".padEnd(24)} ${"tool".padEnd(22)} ${
      "gate".padEnd(5)
    } message`,
  ];
  for (const { side, row } of trail) {
    if (row.level === "debug") {
      folded[side]++;
      continue;
    }
    const at = ((Date.parse(row.tsUtc) - start) / 1000).toFixed(2).padStart(7);
    const fixed = `${at}s ${side.padEnd(6)} ${clip(row.eventKind, 24)} ${
      clip(row.toolName ?? "", 22)
    } ${clip(row.gateDecision ?? "", 5)} `;
    lines.push(`${fixed}${clip(row.message, Math.max(20, width - fixed.length)).trimEnd()}`);
  }
  if (folded.host + folded.server > 0) {
    lines.push(`    (plus ${folded.host} host and ${folded.server} server progress/debug events)`);
  }
  return lines.join("\n");
}
