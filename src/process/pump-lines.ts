/** Reading one child pipe into lines without letting a flood starve the event loop or memory. */
import type { Clock } from "../lib/clock";
import { LineSplitter } from "./line-splitter";
import type { StreamName } from "../contract/output";

/** Bytes read from one pipe before timers and other I/O get a turn. */
const YIELD_EVERY_BYTES = 64 * 1024;
/** Rate-limit window: the budget is spread over 10 windows a second so pauses stay short. */
const WINDOW_MS = 100;

export interface PumpOptions {
  clock: Clock;
  /** Most bytes read per second from this pipe; above it we stop reading and the full pipe slows the child. 0 = no limit. */
  maxBytesPerSecond: number;
}

/**
 * Read `stream` to its end, handing each line to `onLine`. A throwing consumer must not
 * wedge the pipe, so its errors are swallowed. Past the byte budget we pause: the pipe
 * fills and the writer blocks (backpressure, nothing lost), so a flood costs bounded CPU
 * and garbage.
 */
export async function pumpLines(
  stream: ReadableStream<Uint8Array>,
  name: StreamName,
  onLine: (stream: StreamName, line: string) => void,
  options: PumpOptions,
): Promise<void> {
  const splitter = new LineSplitter((line) => {
    try {
      onLine(name, line);
    } catch {
      // the consumer's bug; keep draining so the child never blocks forever on a full pipe
    }
  });
  const windowBudget = (options.maxBytesPerSecond * WINDOW_MS) / 1000;
  let windowStart = options.clock.now();
  let windowBytes = 0;
  let sinceYield = 0;
  try {
    const reader = stream.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      splitter.push(next.value);
      windowBytes += next.value.byteLength;
      sinceYield += next.value.byteLength;
      if (windowBudget > 0 && windowBytes >= windowBudget) {
        const wait = windowStart + WINDOW_MS - options.clock.now();
        if (wait > 0) await options.clock.sleep(wait);
        windowStart = options.clock.now();
        windowBytes = sinceYield = 0;
      } else if (sinceYield >= YIELD_EVERY_BYTES) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
      if (options.clock.now() - windowStart >= WINDOW_MS) {
        windowStart = options.clock.now();
        windowBytes = 0;
      }
    }
  } catch {
    // the pipe broke: deliver what we have
  }
  splitter.end();
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
