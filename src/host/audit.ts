/**
 * How the host writes to its Flight Recorder: every event stamped with source `host`, the
 * connection as its session and the policy as its capability profile; anomalies flood-guarded
 * (the first ones one by one, then summaries), so a hostile server cannot flood the audit trail.
 *
 * @module
 */
import type { FlightEvent, FlightRecorder } from "../recorder/mod.ts";
import type { OutboundDecision } from "./outbound_gate.ts";
import { bounded, type Connection, messageOf } from "./session.ts";

/** An event as the host's code writes it (the source is always `host`). */
export type HostEvent = Omit<FlightEvent, "source">;

/** The host's writer of audit events. */
export class HostAudit {
  readonly #recorder: FlightRecorder;
  readonly #policyId: string;
  readonly #notice: (line: string) => void;

  constructor(recorder: FlightRecorder, policyId: string, notice: (line: string) => void) {
    this.#recorder = recorder;
    this.#policyId = policyId;
    this.#notice = notice;
  }

  /** Records one event; a recorder failure is told to the operator, never to the agent. */
  record(connection: Connection | null, event: HostEvent): void {
    try {
      this.#recorder.record({
        source: "host",
        sessionId: connection?.info.connectionId ?? null,
        capabilityProfileId: this.#policyId,
        ...event,
      });
    } catch (error) {
      this.#notice(`host: could not record an event: ${messageOf(error)}`);
    }
  }

  /** Records an anomaly of kind `anomaly`, or counts it once the server floods. */
  guarded(connection: Connection, anomaly: string, event: HostEvent): void {
    const verdict = connection.guard.note(anomaly);
    connection.floodKinds.set(anomaly, event.kind);
    if (verdict === "record") {
      this.record(connection, event);
      return;
    }
    if (connection.guard.startedFlooding(anomaly)) {
      this.#notice(
        `host: the server keeps sending ${
          anomaly.replace(/_/g, " ")
        }; recording summaries from now on`,
      );
    }
    if (verdict === "summarise") {
      this.record(connection, {
        kind: event.kind,
        level: "warning",
        message: `Suppressed ${connection.guard.summarySize} more "${anomaly}" events (flood)`,
        payload: { anomaly, suppressed: connection.guard.summarySize, flood: true },
      });
    }
  }

  /** Records what the flood guard counted and has not summarised yet. */
  summariseFloods(connection: Connection): void {
    for (const { kind, suppressed } of connection.guard.drain()) {
      this.record(connection, {
        kind: connection.floodKinds.get(kind) ?? "host.notification",
        level: "warning",
        message: `Suppressed ${suppressed} more "${kind}" events (flood)`,
        payload: { anomaly: kind, suppressed, flood: true, total: connection.guard.total(kind) },
      });
    }
  }

  /** Records an outbound gate decision. */
  decision(
    connection: Connection | null,
    decision: OutboundDecision,
    paths: readonly string[],
  ): void {
    this.record(connection, {
      kind: "mcp.gate_decision",
      level: decision.verdict === "allow" ? "info" : "warning",
      gateDecision: decision.verdict === "allow" ? "allow" : "deny",
      message: decision.verdict === "allow"
        ? `Outbound ${decision.toolName} allowed (${decision.reason})`
        : decision.error?.message ?? `Outbound ${decision.toolName} denied`,
      toolName: bounded(decision.toolName, 128),
      errorCode: decision.error?.kind ?? null,
      payload: {
        direction: "outbound",
        reason: decision.reason,
        paths: [...paths],
        timeout_ms: decision.timeoutMs,
      },
    });
  }
}
