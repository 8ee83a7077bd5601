/** Turns a byte stream into lines: partial chunks, CRLF, UTF-8 split across chunks, over-long lines. */

/** Longest line kept, in UTF-16 code units (16 KiB); the rest of the line is dropped. */
export const MAX_LINE_LENGTH = 16 * 1024;

/** Appended to a line that was cut at `maxLength`. */
export const TRUNCATED_MARKER = " …[line truncated]";

export interface LineSplitterOptions {
  maxLength?: number;
}

/**
 * Feed it chunks with `push`, call `end` once the stream closes. Memory is bounded by
 * `maxLength`: an over-long line is emitted as soon as it reaches the limit (with
 * TRUNCATED_MARKER) and everything up to its newline is discarded.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder("utf-8");
  private readonly maxLength: number;
  private partial = "";
  private discarding = false;

  constructor(
    private readonly onLine: (line: string) => void,
    options: LineSplitterOptions = {},
  ) {
    this.maxLength = options.maxLength ?? MAX_LINE_LENGTH;
  }

  push(chunk: Uint8Array | string): void {
    const text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    this.splitText(text);
  }

  /** Flush the decoder and emit a final line that had no newline. */
  end(): void {
    this.splitText(this.decoder.decode());
    if (!this.discarding && this.partial.length > 0) this.emit(this.partial.replace(/\r$/, ""));
    this.partial = "";
    this.discarding = false;
  }

  private splitText(text: string): void {
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      const line = this.partial.length > 0 ? this.partial + piece : piece;
      this.partial = "";
      this.emit(line.endsWith("\r") ? line.slice(0, -1) : line);
    }
    if (start < text.length && !this.discarding) this.keepPartial(text.slice(start));
  }

  private keepPartial(rest: string): void {
    this.partial += rest;
    if (this.partial.length <= this.maxLength + 1) return; // +1: room for the CR of a CRLF
    this.emitTruncated(this.partial);
    this.partial = "";
    this.discarding = true;
  }

  private emit(line: string): void {
    if (line.length > this.maxLength) this.emitTruncated(line);
    else this.onLine(line);
  }

  // Cut at the limit without splitting a surrogate pair.
  private emitTruncated(line: string): void {
    const code = line.charCodeAt(this.maxLength - 1);
    const cut = code >= 0xd800 && code <= 0xdbff ? this.maxLength - 1 : this.maxLength;
    this.onLine(line.slice(0, cut) + TRUNCATED_MARKER);
  }
}
