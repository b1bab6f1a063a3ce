/**
 * One training run per server process (Cobre MCP spec SS7.1): a second `cobre/run` while one is
 * active is refused as `Busy`, whichever session or task asks. The coordinator also lets the
 * process stop the active run when its client disconnects, and wait until that run has written
 * its outputs before the job store and the audit trail close.
 *
 * @module
 */
import { CobreError, errorRecord } from "../../common/mod.ts";

/** What identifies the active run in a `Busy` refusal (never a path: the agent may not own it). */
export interface RunLabel {
  readonly sessionId: string;
  readonly requestId: string | number;
}

/** The right to run, held from admission until the outputs are written. */
export interface RunLease {
  /** Set once the process asked the run to stop (client gone, shutdown). */
  readonly stopReason: string | null;
  /** Registers what stopping means for this run (cancel the engine); runs at once if stopped. */
  onStop(stop: (reason: string) => void): void;
  /** Ends the lease; the next run may start. */
  release(): void;
}

/** The run holding the slot. */
class ActiveRun implements RunLease {
  stopReason: string | null = null;
  readonly #stoppers: ((reason: string) => void)[] = [];
  readonly #release: (run: ActiveRun) => void;
  readonly done: Promise<void>;
  #finish: () => void = () => {};

  constructor(readonly label: RunLabel, release: (run: ActiveRun) => void) {
    this.#release = release;
    this.done = new Promise<void>((resolve) => (this.#finish = resolve));
  }

  onStop(stop: (reason: string) => void): void {
    if (this.stopReason !== null) stop(this.stopReason);
    else this.#stoppers.push(stop);
  }

  stop(reason: string): void {
    if (this.stopReason !== null) return;
    this.stopReason = reason;
    for (const stop of this.#stoppers.splice(0)) stop(reason);
  }

  release(): void {
    this.#stoppers.length = 0;
    this.#release(this);
    this.#finish();
  }
}

/** The process-wide run slot; see the module doc. */
export class RunCoordinator {
  #active: ActiveRun | null = null;

  /** Whether a run holds the slot. */
  get busy(): boolean {
    return this.#active !== null;
  }

  /** Takes the slot, or throws a `Busy` CobreError naming the run that holds it. */
  begin(label: RunLabel): RunLease {
    if (this.#active !== null) {
      const holder = this.#active.label;
      throw new CobreError(errorRecord(
        "Busy",
        "Another cobre/run is in progress on this server; it runs one training at a time.",
        {
          active_request_id: holder.requestId,
          same_session: holder.sessionId === label.sessionId,
        },
        "Wait for the active run to finish (follow its progress), or cancel it, then call " +
          "cobre/run again.",
      ));
    }
    const run = new ActiveRun(label, (ended) => {
      if (this.#active === ended) this.#active = null;
    });
    this.#active = run;
    return run;
  }

  /** Asks the active run, if any, to stop at its next iteration boundary. */
  stopActive(reason: string): void {
    this.#active?.stop(reason);
  }

  /**
   * Resolves once no run is active. It then waits one more macrotask, so that what the server
   * does with the run's result (observers updating the job row) happens before the caller
   * closes the job store.
   */
  async idle(): Promise<void> {
    while (this.#active !== null) await this.#active.done;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
