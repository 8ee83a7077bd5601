/** The crash context (SPEC §16): a service's last output lines, kept with each failure. */
import { CRASH_CONTEXT_LINES } from "../contract/events";
import type { LogLine, StreamName } from "../contract/output";

/** A longer line is cut here: the context is evidence, not a second log file. */
export const CONTEXT_LINE_CHARS = 500;

/** The last `size` lines of the current process, oldest first; a new spawn starts empty. */
export class OutputTail {
  private lines: LogLine[] = [];
  private next = 0;

  constructor(private readonly size = CRASH_CONTEXT_LINES) {}

  push(ts: number, stream: StreamName, line: string): void {
    const entry = { ts, stream, line: line.length > CONTEXT_LINE_CHARS ? `${line.slice(0, CONTEXT_LINE_CHARS)}…` : line };
    if (this.lines.length < this.size) this.lines.push(entry);
    else this.lines[this.next] = entry;
    this.next = (this.next + 1) % this.size;
  }

  /** A copy, oldest first. */
  snapshot(): LogLine[] {
    if (this.lines.length < this.size) return [...this.lines];
    return [...this.lines.slice(this.next), ...this.lines.slice(0, this.next)];
  }

  clear(): void {
    this.lines = [];
    this.next = 0;
  }
}
