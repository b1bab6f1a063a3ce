/**
 * The `flight` command: prints Flight Recorder events of a state directory as a table or JSON.
 *
 * ```
 * flight [--job ID] [--kind KIND] [--session ID] [--since TIME] [--limit N] [--json]
 * ```
 *
 * `--since` takes an ISO 8601 time or a relative age (`90s`, `15m`, `2h`, `7d`). Without it the
 * newest `--limit` events (default 200) are shown, oldest first. Works while servers run.
 *
 * @module
 */
import { isCobreError } from "../common/mod.ts";
import { EVENT_KINDS, type FlightEventRow, type FlightFilter } from "./events.ts";
import { readFlightEvents } from "./history.ts";

/** Where the command writes, and what it may be told (tests pass their own). */
export interface FlightCommandIo {
  readonly write?: (text: string) => void;
  readonly error?: (text: string) => void;
  readonly bindingPath?: string;
  readonly now?: () => number;
}

/** Usage text of the `flight` command. */
export const FLIGHT_USAGE =
  `usage: flight [--job ID] [--kind KIND] [--session ID] [--since TIME] [--limit N] [--json]

  --job ID        only events of this job
  --kind KIND     only events of this kind (${EVENT_KINDS.slice(0, 4).join(", ")}, ...)
  --session ID    only events of this MCP session
  --since TIME    ISO 8601 time, or an age such as 90s, 15m, 2h, 7d
  --limit N       at most N events, the newest (default 200)
  --json          print a JSON array instead of a table`;

const UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `--since`: an ISO time or a relative age; null when it is neither. */
export function parseSince(text: string, nowMs: number): number | null {
  const age = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  if (age) return nowMs - Number(age[1]) * UNITS_MS[age[2]!]!;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

type Parsed = { filter: FlightFilter; json: boolean } | { problem: string };

/** Parses the command's arguments into a filter. */
export function parseFlightArgs(args: readonly string[], nowMs: number): Parsed {
  const filter: { -readonly [K in keyof FlightFilter]: FlightFilter[K] } = {
    newest: true,
    limit: 200,
  };
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    if (flag === "--json") {
      json = true;
      continue;
    }
    const [name, inline] = flag.startsWith("--") && flag.includes("=")
      ? [flag.slice(0, flag.indexOf("=")), flag.slice(flag.indexOf("=") + 1)]
      : [flag, undefined];
    const value = inline ?? args[++i];
    if (value === undefined) return { problem: `${name} needs a value` };
    switch (name) {
      case "--job":
        filter.jobId = value;
        break;
      case "--kind":
        if (!(EVENT_KINDS as readonly string[]).includes(value)) {
          return { problem: `unknown event kind "${value}"; known: ${EVENT_KINDS.join(", ")}` };
        }
        filter.kind = value;
        break;
      case "--session":
        filter.sessionId = value;
        break;
      case "--since": {
        const since = parseSince(value, nowMs);
        if (since === null) {
          return { problem: `--since "${value}" is neither an ISO time nor an age like 15m` };
        }
        filter.sinceMs = since;
        filter.newest = false;
        break;
      }
      case "--limit": {
        const limit = Number(value);
        if (!Number.isInteger(limit) || limit < 1) {
          return { problem: `--limit must be a positive integer` };
        }
        filter.limit = limit;
        break;
      }
      default:
        return { problem: `unknown option ${name}` };
    }
  }
  if (
    filter.sinceMs !== undefined && !args.includes("--limit") &&
    !args.some((a) => a.startsWith("--limit="))
  ) {
    filter.limit = 10_000;
  }
  return { filter, json };
}

function cell(value: string | number | null, width: number): string {
  const text = value === null ? "-" : String(value);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/** Renders events as a fixed-width table, one line per event. */
export function formatTable(rows: readonly FlightEventRow[]): string {
  const header = [
    cell("TIME (UTC)", 24),
    cell("KIND", 27),
    cell("LEVEL", 7),
    cell("TOOL", 24),
    cell("JOB", 32),
    cell("GATE", 7),
    cell("MS", 9),
    "MESSAGE",
  ].join(" ");
  const lines = rows.map((row) =>
    [
      cell(row.tsUtc, 24),
      cell(row.eventKind, 27),
      cell(row.level, 7),
      cell(row.toolName, 24),
      cell(row.jobId, 32),
      cell(row.gateDecision, 7),
      cell(row.durationMs === null ? null : Math.round(row.durationMs), 9),
      row.message.replace(/[\r\n\t]+/g, " ").slice(0, 160),
    ].join(" ").trimEnd()
  );
  return [header.trimEnd(), ...lines].join("\n");
}

/** Runs `flight` over `stateDir`; returns the process exit code (0 ok, 1 failure, 2 usage). */
export async function runFlightCommand(
  args: readonly string[],
  stateDir: string,
  io: FlightCommandIo = {},
): Promise<number> {
  const write = io.write ?? ((text: string) => console.log(text));
  const error = io.error ?? ((text: string) => console.error(text));
  if (args.includes("--help") || args.includes("-h")) {
    write(FLIGHT_USAGE);
    return 0;
  }
  const parsed = parseFlightArgs(args, (io.now ?? Date.now)());
  if ("problem" in parsed) {
    error(`flight: ${parsed.problem}\n${FLIGHT_USAGE}`);
    return 2;
  }
  try {
    const { rows } = await readFlightEvents(
      stateDir,
      parsed.filter,
      io.bindingPath === undefined ? {} : { bindingPath: io.bindingPath },
    );
    write(parsed.json ? JSON.stringify(rows, null, 2) : formatTable(rows));
    return 0;
  } catch (failure) {
    error(`flight: ${isCobreError(failure) ? failure.record.message : String(failure)}`);
    return 1;
  }
}
