/**
 * Per-tool time budgets. A handler gets an `AbortSignal` that fires when its budget runs out or
 * the client cancels; the caller gets a timeout outcome at once (it does not wait for a handler
 * that ignores its signal) with a `Timeout` record and a decision to record.
 *
 * @module
 */
import { CobreError, type ErrorRecord, errorRecord } from "../../common/mod.ts";
import type { GateDecision } from "./decide.ts";

/** How a gated call ended. */
export type GatedOutcome<T> =
  | { readonly status: "completed"; readonly value: T; readonly durationMs: number }
  | {
    readonly status: "timeout";
    /** The timeout decision, for the recorder (verdict "timeout", reason "timeout"). */
    readonly decision: GateDecision;
    readonly durationMs: number;
  };

/** Options for `runWithTimeout`. */
export interface RunWithTimeoutOptions {
  /** Fires when the client cancels; the handler's signal follows it. */
  readonly signal?: AbortSignal;
}

/** The timeout decision (with its `Timeout` record) for a call that `allowed` had let through. */
export function timeoutDecision(
  allowed: GateDecision,
): { decision: GateDecision; record: ErrorRecord } {
  const seconds = (allowed.timeoutMs ?? 0) / 1000;
  const tool = allowed.toolName ?? allowed.method;
  const record = errorRecord(
    "Timeout",
    `${tool} did not finish within ${seconds} s and was stopped`,
    { tool, timeout_s: seconds, profile_id: allowed.profileId },
    "Narrow the request (filters, fewer stages or scenarios) or ask the operator for a longer timeout in the capability profile.",
  );
  return { decision: { ...allowed, verdict: "timeout", reason: "timeout", error: record }, record };
}

/**
 * Runs `handler` under an allowed decision's time budget. Rejections of the handler pass through
 * unchanged (so a client cancel surfaces as the handler's own error); a budget that runs out
 * aborts the handler's signal with a `CobreError` (`Timeout`) and resolves with a timeout outcome.
 */
export function runWithTimeout<T>(
  allowed: GateDecision,
  handler: (signal: AbortSignal) => Promise<T>,
  options: RunWithTimeoutOptions = {},
): Promise<GatedOutcome<T>> {
  if (allowed.verdict !== "allow") {
    return Promise.reject(new Error("runWithTimeout needs an allow decision"));
  }
  const started = performance.now();
  const controller = new AbortController();
  const parent = options.signal;
  const followParent = () => controller.abort(parent?.reason);
  if (parent?.aborted) followParent();
  else parent?.addEventListener("abort", followParent, { once: true });

  return new Promise<GatedOutcome<T>>((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = () => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      parent?.removeEventListener("abort", followParent);
    };
    if (allowed.timeoutMs !== null) {
      timer = setTimeout(() => {
        if (settled) return;
        finish();
        const { decision, record } = timeoutDecision(allowed);
        // The reason is the record itself, so a handler that rethrows it still speaks the protocol.
        controller.abort(new CobreError(record));
        resolve({ status: "timeout", decision, durationMs: performance.now() - started });
      }, allowed.timeoutMs);
    }
    let running: Promise<T>;
    try {
      running = handler(controller.signal);
    } catch (error) {
      finish();
      reject(error);
      return;
    }
    running.then(
      (value) => {
        if (settled) return;
        finish();
        resolve({ status: "completed", value, durationMs: performance.now() - started });
      },
      (error: unknown) => {
        // After a timeout the handler's late rejection is expected and already answered.
        if (settled) return;
        finish();
        reject(error);
      },
    );
  });
}
