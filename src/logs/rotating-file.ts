/** A log file per service that rotates by size; writes are buffered and async so the hot path never waits on disk. */
import { mkdir, open, rename, type FileHandle } from "node:fs/promises";
import { join } from "node:path";

export interface RotatingFileOptions {
  /** Directory of the log files (created if missing). */
  dir: string;
  /** Service name: the file is DIR/NAME.log. */
  name: string;
  /** Rotate when the file would pass this size. Default 10 MB. */
  maxBytes?: number;
  /** Rotated files kept: NAME.log.1 (newest) … NAME.log.KEEP. Default 5. */
  keep?: number;
  /** Pending text held in memory while the disk is behind; beyond it lines are dropped (and counted). Default 8 MB. */
  maxPendingBytes?: number;
}

export class RotatingFile {
  /** Path of the live file. */
  readonly path: string;
  /** Lines dropped because the disk fell behind; a marker line in the file says where. */
  droppedLines = 0;
  /** The last write error, if the disk refused us (lines of that batch are lost). */
  lastError: Error | null = null;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly maxPendingBytes: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  private unreportedDrops = 0;
  private file: FileHandle | null = null;
  private size = 0;
  private writing: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: RotatingFileOptions) {
    this.path = join(options.dir, `${options.name}.log`);
    this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.keep = options.keep ?? 5;
    this.maxPendingBytes = options.maxPendingBytes ?? 8 * 1024 * 1024;
  }

  /** Queue one line (a newline is added). Returns at once; the write happens in the background. */
  write(line: string): void {
    if (this.closed) return;
    if (this.pendingBytes + line.length + 1 > this.maxPendingBytes) {
      this.droppedLines++;
      this.unreportedDrops++;
      return;
    }
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    this.writing ??= this.drain();
  }

  /** Resolves once every line queued so far is written. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Flush, then close the file; later writes are ignored. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.file?.close();
    this.file = null;
  }

  private async drain(): Promise<void> {
    await Promise.resolve(); // let the rest of this chunk's lines join the batch
    try {
      while (this.pending.length > 0) {
        const batch = this.takeBatch();
        try {
          await this.writeBatch(batch);
        } catch (error) {
          this.lastError = error as Error;
        }
      }
    } finally {
      this.writing = null;
    }
  }

  private takeBatch(): string[] {
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    // Drops only happen while the queue is full, so they come after every line in it.
    if (this.unreportedDrops > 0) {
      batch.push(`[orchestrator: ${this.unreportedDrops} lines dropped, the log writer fell behind]`);
      this.unreportedDrops = 0;
    }
    return batch;
  }

  private async writeBatch(lines: string[]): Promise<void> {
    const file = this.file ?? (await this.openFile());
    const text = lines.join("\n") + "\n";
    const bytes = Buffer.byteLength(text);
    if (this.size + bytes <= this.maxBytes) return this.append(file, text, bytes);
    // Too big for what is left of this file: fill it line by line, rotating at line boundaries.
    let chunk = "";
    let chunkBytes = 0;
    for (const line of lines) {
      const lineBytes = Buffer.byteLength(line) + 1;
      if (this.size + chunkBytes + lineBytes > this.maxBytes && this.size + chunkBytes > 0) {
        if (chunkBytes > 0) await this.append(this.file!, chunk, chunkBytes);
        await this.rotate();
        chunk = "";
        chunkBytes = 0;
      }
      chunk += line + "\n";
      chunkBytes += lineBytes;
    }
    if (chunkBytes > 0) await this.append(this.file!, chunk, chunkBytes);
  }

  private async append(file: FileHandle, text: string, bytes: number): Promise<void> {
    await file.write(text);
    this.size += bytes;
  }

  private async openFile(): Promise<FileHandle> {
    await mkdir(this.options.dir, { recursive: true });
    this.file = await open(this.path, "a");
    this.size = (await this.file.stat()).size;
    return this.file;
  }

  // NAME.log.(k-1) → NAME.log.k … NAME.log → NAME.log.1; the oldest is overwritten.
  private async rotate(): Promise<void> {
    await this.file?.close();
    this.file = null;
    for (let i = this.keep - 1; i >= 1; i--) await renameIfPresent(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    if (this.keep > 0) await renameIfPresent(this.path, `${this.path}.1`);
    this.file = await open(this.path, this.keep > 0 ? "a" : "w");
    this.size = 0;
  }
}

async function renameIfPresent(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
