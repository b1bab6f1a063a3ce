/**
 * A request/response channel between the coordinator and one solver Worker over shared memory.
 *
 * Training crosses a barrier at every backward stage (13 per 4ree iteration). Through
 * `postMessage` each barrier cost ~0.5 ms: about 0.1 ms to wake the sleeping Worker, as long to
 * get the reply through the coordinator's event loop, plus structured cloning. Here one side
 * writes the payload into a shared buffer and bumps a sequence number; the other side is
 * spinning on it (measured round trip 0.4 us) and only goes to sleep after `SPIN_MS` without
 * work, so long pauses do not burn a core. Both sides then sleep in short `Atomics.wait`s: the
 * coordinator so it notices a Worker that died (its loop raises a flag on the way out), the Worker
 * so `terminate()` can still stop it; it also leaves its loop on a stop request. The coordinator
 * blocks only for the rest of one barrier (it would otherwise be computing its own share); a
 * cancel request is still read between iterations. Asynchronous waiting was tried and lost:
 * `Atomics.waitAsync` never resolved in Deno 2.9 and a wake-up message from a Worker that never
 * returns to its event loop took 12 ms on average.
 *
 * One request is in flight at a time: the coordinator writes a request, the Worker replaces it
 * with the result. Payloads are `Float64Array`s (packed requests and results, see `wire.ts`) or
 * UTF-8 JSON for the rare bulky kinds (simulation rows, counters, errors).
 *
 * @module
 */

/** How long a waiting side spins before it sleeps (covers a typical barrier's imbalance). */
export const SPIN_MS = 2;
/** Longest single sleep of a waiting Worker. */
const SLEEP_MS = 50;

const REQUEST = 0;
const DONE = 1;
const FORMAT = 2;
const LENGTH = 3;
/** Set by a Worker whose loop ended (failure or stop): nothing more will be answered. */
const CLOSED = 4;
const CONTROL_WORDS = 5;

/** Payload formats. */
const F64 = 0;
const JSON_TEXT = 1;

/** The shared buffers, as sent to the Worker at start-up. */
export interface SharedChannelBuffers {
  control: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

/** A payload: numbers packed by `wire.ts`, or any JSON value. */
export type Payload = { kind: "f64"; data: Float64Array } | { kind: "json"; value: unknown };

const INITIAL_BYTES = 1 << 16;
const MAX_BYTES = 1 << 30;

/** One end of the channel (the same class serves both sides). */
export class SharedChannel {
  readonly #control: Int32Array;
  readonly #data: SharedArrayBuffer;
  readonly buffers: SharedChannelBuffers;

  constructor(buffers?: SharedChannelBuffers) {
    this.buffers = buffers ?? {
      control: new SharedArrayBuffer(CONTROL_WORDS * 4),
      data: new SharedArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_BYTES }),
    };
    this.#control = new Int32Array(this.buffers.control);
    this.#data = this.buffers.data;
  }

  /** Sequence number of the last request posted. */
  get requestSeq(): number {
    return Atomics.load(this.#control, REQUEST);
  }

  /** Coordinator: writes request `seq` and wakes the Worker. */
  postRequest(seq: number, payload: Payload): void {
    this.#write(payload);
    Atomics.store(this.#control, REQUEST, seq);
    Atomics.notify(this.#control, REQUEST);
  }

  /** Worker: waits for a request after `seen`; returns its sequence number and payload. */
  takeRequest(seen: number): { seq: number; payload: Payload } {
    const start = performance.now();
    for (let spins = 1; Atomics.load(this.#control, REQUEST) === seen; spins++) {
      // Reading the clock costs more than a load, so check it only every few thousand spins.
      if (spins % 4096 === 0 && performance.now() - start > SPIN_MS) {
        // Short sleeps: a terminated Worker only stops once it runs JavaScript again.
        Atomics.wait(this.#control, REQUEST, seen, SLEEP_MS);
      }
    }
    return { seq: Atomics.load(this.#control, REQUEST), payload: this.#read() };
  }

  /** Worker: writes the reply to request `seq` and wakes the coordinator. */
  postReply(seq: number, payload: Payload): void {
    this.#write(payload);
    Atomics.store(this.#control, DONE, seq);
    Atomics.notify(this.#control, DONE);
  }

  /** Worker: marks the channel closed (called on the way out of its loop). */
  close(): void {
    Atomics.store(this.#control, CLOSED, 1);
    Atomics.notify(this.#control, DONE);
  }

  /** Coordinator: waits for the reply to request `seq`; null if the Worker's loop ended. */
  takeReply(seq: number): Payload | null {
    const start = performance.now();
    for (let spins = 1;; spins++) {
      const done = Atomics.load(this.#control, DONE);
      if (done === seq) return this.#read();
      if (Atomics.load(this.#control, CLOSED) === 1) return null;
      if (spins % 4096 === 0 && performance.now() - start > SPIN_MS) {
        Atomics.wait(this.#control, DONE, done, SLEEP_MS);
      }
    }
  }

  #write(payload: Payload): void {
    if (payload.kind === "f64") {
      this.#ensure(payload.data.byteLength);
      new Float64Array(this.#data, 0, payload.data.length).set(payload.data);
      Atomics.store(this.#control, FORMAT, F64);
      Atomics.store(this.#control, LENGTH, payload.data.length);
      return;
    }
    const text = new TextEncoder().encode(JSON.stringify(payload.value) ?? "null");
    this.#ensure(text.byteLength);
    new Uint8Array(this.#data, 0, text.byteLength).set(text);
    Atomics.store(this.#control, FORMAT, JSON_TEXT);
    Atomics.store(this.#control, LENGTH, text.byteLength);
  }

  #read(): Payload {
    const length = Atomics.load(this.#control, LENGTH);
    if (Atomics.load(this.#control, FORMAT) === F64) {
      return { kind: "f64", data: new Float64Array(this.#data, 0, length).slice() };
    }
    // TextDecoder refuses shared memory: decode a private copy.
    const bytes = new Uint8Array(this.#data, 0, length).slice();
    return { kind: "json", value: JSON.parse(new TextDecoder().decode(bytes)) };
  }

  #ensure(bytes: number): void {
    if (bytes <= this.#data.byteLength) return;
    if (bytes > MAX_BYTES) throw new RangeError(`Solver message of ${bytes} bytes is too large`);
    this.#data.grow(Math.min(MAX_BYTES, Math.max(bytes, this.#data.byteLength * 2)));
  }
}
