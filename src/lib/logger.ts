/**
 * The orchestrator's own log: pino, JSON by default, pretty on a TTY or with
 * `--log-format pretty`. pino-pretty runs as an in-process stream (worker transports do
 * not work inside a compiled binary). The destination is asynchronous with a bounded
 * buffer: if stdout cannot keep up (a service flooding its output), lines are dropped
 * and counted rather than buffered without limit or blocking the supervisor.
 */
import pino, { type Logger } from "pino";
import pretty from "pino-pretty";

export type LogFormat = "json" | "pretty";
export type { Logger };

export interface LoggerOptions {
  format: LogFormat;
  level?: string;
  /** File descriptor to write to (default 1, stdout). */
  fd?: number;
  color?: boolean;
}

const MAX_BUFFER = 8 * 1024 * 1024;

export function createLogger(options: LoggerOptions): { logger: Logger; flush(): void; close(timeoutMs?: number): Promise<void>; dropped(): number } {
  let dropped = 0;
  const destination = pino.destination({ dest: options.fd ?? 1, sync: false, minLength: 0, maxLength: MAX_BUFFER });
  destination.on("drop", () => void dropped++);
  const stream =
    options.format === "pretty"
      ? pretty({ destination, colorize: options.color ?? false, translateTime: "HH:MM:ss.l", ignore: "pid,hostname", messageFormat: "{if service}[{service}] {end}{msg}", sync: false })
      : destination;
  const logger = pino({ level: options.level ?? "info", base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, stream);
  const flush = () => {
    try {
      destination.flushSync();
    } catch {
      /* stdout closed: nothing left to do */
    }
  };
  return {
    logger,
    flush,
    // flushSync skips a write still in flight (one retrying a full pipe): end() waits for it, then
    // writes the rest and says "finish" (fd 1 and 2 stay open). Bounded: a reader that never reads loses the tail.
    close: (timeoutMs = 2000) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => (flush(), done()), timeoutMs);
        destination.once("finish", done);
        destination.once("error", done);
        try {
          destination.end();
        } catch {
          flush();
          done();
        }
      }),
    dropped: () => dropped,
  };
}
