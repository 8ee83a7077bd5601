/**
 * One line of a service's log file, with its time and stream (`logs.format`):
 *   raw   `2026-01-02T03:04:05.678Z stdout the line as printed`
 *   json  `{"ts":"2026-01-02T03:04:05.678Z","stream":"stdout","line":"the line as printed"}`
 * The time is ISO-8601 UTC with milliseconds in both: readable as it stands, sorted as text,
 * what log shippers (Vector, Fluent Bit, Loki, Docker's json-file `time`) parse without being
 * told a format, and the same in both formats. The API keeps epoch milliseconds.
 * The orchestrator's own notes in the file (lines dropped while the disk refused writes) have
 * the stream `orchestrator`.
 */
import type { LogFormat } from "../contract/config";
import type { StreamName } from "../contract/output";

export type RecordStream = StreamName | "orchestrator";

/** Lines come in bursts within one millisecond: the last time's text is kept. */
let lastTs = Number.NaN;
let lastIso = "";

export function formatTimestamp(ts: number): string {
  if (ts !== lastTs) {
    lastIso = Number.isFinite(ts) && Math.abs(ts) <= 8.64e15 ? new Date(ts).toISOString() : String(ts); // toISOString throws on a time it cannot show
    lastTs = ts;
  }
  return lastIso;
}

export function formatLogRecord(format: LogFormat, ts: number, stream: RecordStream, line: string): string {
  const time = formatTimestamp(ts);
  return format === "json" ? JSON.stringify({ ts: time, stream, line }) : `${time} ${stream} ${line}`;
}
