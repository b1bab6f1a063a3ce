/**
 * Bounded buffering for SSE responses. The SDK writes events into a stream without waiting for
 * the client, so a client that never reads would make the server queue them forever. This
 * wrapper drains the SDK's stream and keeps its own queue, measured in bytes:
 *
 * - beyond half the bound, `notifications/progress` events are dropped (the Cobre MCP spec
 *   SS6.4: agents tolerate gaps in progress; everything stays in the event store);
 * - beyond the bound, the stream is ended (what is queued still goes out), so the client
 *   reconnects with `Last-Event-ID` and the event store replays what it missed.
 *
 * Either way the memory one client can pin is at most the bound, plus what the kernel buffers.
 *
 * @module
 */

/** What one bounded stream reports when it ends. */
export interface SseStreamReport {
  /** Most bytes queued at once. */
  peakQueuedBytes: number;
  droppedProgress: number;
  /** True when the stream was closed because the client did not keep up. */
  cut: boolean;
}

/** Options of `boundedSseBody`. */
export interface BoundedSseOptions {
  maxQueuedBytes: number;
  /** Called exactly once, when the stream ends for any reason. */
  onEnd(report: SseStreamReport): void;
}

const decoder = new TextDecoder();

/** True when an SSE event chunk carries a progress notification (the SDK writes one per chunk). */
function isProgressEvent(chunk: Uint8Array): boolean {
  return decoder.decode(chunk).includes('"method":"notifications/progress"');
}

/** Wraps an SDK SSE body so that it never queues more than `maxQueuedBytes`. */
export function boundedSseBody(
  source: ReadableStream<Uint8Array>,
  options: BoundedSseOptions,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const max = options.maxQueuedBytes;
  const report: SseStreamReport = { peakQueuedBytes: 0, droppedProgress: 0, cut: false };
  let ended = false;
  let cancelled = false;
  const end = () => {
    if (ended) return;
    ended = true;
    options.onEnd(report);
  };

  const pump = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (cancelled) return;
        if (done) {
          controller.close();
          return;
        }
        const queued = max - (controller.desiredSize ?? 0);
        const after = queued + value.byteLength;
        if (after > max / 2 && isProgressEvent(value)) {
          report.droppedProgress++;
          continue;
        }
        if (after > max) {
          // End the response cleanly: what is queued still goes out, then the client sees the
          // stream end and resumes with Last-Event-ID (SEP-1699), as after any server close.
          report.cut = true;
          controller.close();
          await reader.cancel("client too slow").catch(() => {});
          return;
        }
        controller.enqueue(value);
        if (after > report.peakQueuedBytes) report.peakQueuedBytes = after;
      }
    } catch {
      // Cancelled by the client (the connection closed) or the source failed: nothing to send.
    } finally {
      end();
    }
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        void pump(controller);
      },
      async cancel(reason) {
        cancelled = true;
        await reader.cancel(reason).catch(() => {});
        end();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: max }),
  );
}
