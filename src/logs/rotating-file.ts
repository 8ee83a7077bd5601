/**
 * A log file per service that rotates by size; writes are buffered and async so the hot path
 * never waits on disk. A write the disk refuses (full, read-only, I/O error) never throws:
 * its lines stay queued (bounded, oldest dropped and counted), the StorageReporter retries
 * in the background, and a marker line in the file says how many lines were lost and why.
 * Files are created 0600 and their folder 0700.
 */
import { mkdir, open, rename, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "../lib/private-files";
import { describeCause, type StorageReporter } from "../lib/storage-health";
import { DEFAULT_FLEET_PENDING_BYTES, PendingBudget, PendingLines } from "./pending-lines";

export interface RotatingFileOptions {
  /** Directory of the log files (created if missing). */
  dir: string;
  /** Service name: the file is DIR/NAME.log. */
  name: string;
  /** Rotate when the file would pass this size. Default 10 MB. */
  maxBytes?: number;
  /** Rotated files kept: NAME.log.1 (newest) … NAME.log.KEEP; 0 truncates the file in place. Default 5. */
  keep?: number;
  /** How the file's own notes (lines dropped) are written, so they read like the records around them. Default: as is. */
  note?: (text: string) => string;
  /** Text held in memory while the disk is behind or failing; beyond it the oldest lines are dropped (and counted). Default 8 MB. */
  maxPendingBytes?: number;
  /** The fleet-wide bound on text held in memory, shared by every file. Default: a 32 MiB budget of this file's own. */
  budget?: PendingBudget;
  /** Told of failed writes (and retries them), drops and recoveries. */
  storage?: StorageReporter;
}

const ignoreStorage: StorageReporter = { failed() {}, recovered() {}, dropped() {} };

export class RotatingFile {
  /** Path of the live file. */
  readonly path: string;
  /** Lines dropped because the disk fell behind or refused them; a marker line in the file says where. */
  droppedLines = 0;
  /** The error of the latest failed write (kept after recovery). */
  lastError: Error | null = null;
  private maxBytes: number;
  private keep: number;
  private readonly storage: StorageReporter;
  private readonly pending: PendingLines;
  private unreportedDrops = 0;
  /** Set while writes fail: no write is attempted until the StorageReporter retries. */
  private failing = false;
  private file: FileHandle | null = null;
  private size = 0;
  private writing: Promise<void> | null = null;
  private closed = false;
  /** Lines of the batch being written that are in the file. */
  private linesWritten = 0;
  /** The file ends in the middle of a line (a write the disk cut short). */
  private torn = false;

  constructor(private readonly options: RotatingFileOptions) {
    this.path = join(options.dir, `${options.name}.log`);
    this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.keep = options.keep ?? 5;
    this.storage = options.storage ?? ignoreStorage;
    this.pending = new PendingLines(options.maxPendingBytes ?? 8 * 1024 * 1024, options.budget ?? new PendingBudget(DEFAULT_FLEET_PENDING_BYTES));
  }

  /** New rotation settings (a reload): the next write rotates by them; rotated files past `keep` go at the next rotation. */
  configure(settings: { maxBytes: number; keep: number }): void {
    this.maxBytes = settings.maxBytes;
    this.keep = settings.keep;
  }

  /** Queue one line (a newline is added). Returns at once; the write happens in the background. */
  write(line: string): void {
    if (this.closed) return;
    const dropped = this.pending.push(line);
    if (dropped > 0) this.countDrops(dropped);
    if (!this.failing) this.writing ??= this.drain();
  }

  /** Resolves once every line queued so far is written (or, while writes fail, once the attempt under way ends). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Flush (one more try if writes were failing), then close the file; what is still queued is dropped and counted, later writes ignored. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    if (this.failing && this.pending.length > 0) await (this.writing ??= this.drain());
    this.closed = true;
    const lost = this.pending.clear();
    if (lost > 0) this.countDrops(lost);
    await this.closeFile();
  }

  private countDrops(count: number): void {
    this.droppedLines += count;
    this.unreportedDrops += count;
    this.storage.dropped("logLines", count);
  }

  private async drain(): Promise<void> {
    await Promise.resolve(); // let the rest of this chunk's lines join the batch
    try {
      while (this.pending.length > 0) {
        const drops = this.unreportedDrops;
        this.unreportedDrops = 0;
        const batch = this.pending.take(drops > 0 ? this.dropMarker(drops) : undefined);
        try {
          await this.writeBatch(batch);
        } catch (error) {
          // a marker that did not reach the file is made again, counting what is lost meanwhile too
          const markerLost = drops > 0 && this.linesWritten === 0;
          if (markerLost) this.unreportedDrops += drops;
          const dropped = this.pending.failed(batch.slice(markerLost ? 1 : this.linesWritten));
          if (dropped > 0) this.countDrops(dropped);
          await this.fail(error as Error);
          return;
        }
        this.pending.written();
        if (this.failing) {
          this.failing = false;
          this.storage.recovered(this.path);
        }
      }
    } finally {
      this.writing = null;
    }
  }

  // Drops are of the oldest queued lines, so the marker goes in front of the batch that follows them.
  private dropMarker(count: number): string {
    const why = this.failing && this.lastError ? `the disk refused writes: ${describeCause(this.lastError)}` : "the log writer fell behind";
    const text = `[orchestrator: ${count} lines dropped, ${why}]`;
    return this.options.note ? this.options.note(text) : text;
  }

  private async fail(error: Error): Promise<void> {
    this.lastError = error;
    this.failing = true;
    await this.closeFile(); // reopened (and its size read again) by the next attempt
    this.storage.failed(this.path, error, () => {
      if (!this.closed) this.writing ??= this.drain();
    });
  }

  private async writeBatch(lines: string[]): Promise<void> {
    this.linesWritten = 0;
    const file = this.file ?? (await this.openFile());
    const text = Buffer.from(lines.join("\n") + "\n");
    if (this.size + text.length <= this.maxBytes) return this.append(file, text, lines.length);
    // Too big for what is left of this file: fill it line by line, rotating at line boundaries.
    let chunk = "";
    let chunkBytes = 0;
    let chunkLines = 0;
    for (const line of lines) {
      const lineBytes = Buffer.byteLength(line) + 1;
      if (this.size + chunkBytes + lineBytes > this.maxBytes && this.size + chunkBytes > 0) {
        if (chunkBytes > 0) await this.append(this.file!, Buffer.from(chunk), chunkLines);
        await this.rotate();
        chunk = "";
        chunkBytes = 0;
        chunkLines = 0;
      }
      chunk += line + "\n";
      chunkBytes += lineBytes;
      chunkLines++;
    }
    if (chunkBytes > 0) await this.append(this.file!, Buffer.from(chunk), chunkLines);
  }

  /**
   * A full disk can take part of a write and report the rest short: write until all of it is
   * in, or it throws. Then only the lines not yet written are retried, and a line cut in two
   * is ended before the next write, so the file has no duplicates and no run-on line.
   */
  private async append(file: FileHandle, bytes: Buffer, lines: number): Promise<void> {
    if (this.torn) {
      await file.write("\n");
      this.size += 1;
      this.torn = false;
    }
    let offset = 0;
    try {
      while (offset < bytes.length) {
        const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset);
        offset += bytesWritten;
        this.size += bytesWritten;
      }
    } finally {
      this.linesWritten += offset === bytes.length ? lines : countLines(bytes, offset);
      this.torn = offset > 0 && offset < bytes.length && bytes[offset - 1] !== NEWLINE;
    }
  }

  private async openFile(): Promise<FileHandle> {
    await mkdir(this.options.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    this.file = await open(this.path, "a", PRIVATE_FILE_MODE);
    const stat = await this.file.stat();
    if ((stat.mode & 0o777) !== PRIVATE_FILE_MODE) await this.file.chmod(PRIVATE_FILE_MODE);
    this.size = stat.size;
    return this.file;
  }

  private async closeFile(): Promise<void> {
    const file = this.file;
    this.file = null;
    try {
      await file?.close();
    } catch {
      // closing a file the disk refused can fail too; the handle is released either way
    }
  }

  // NAME.log.(k-1) → NAME.log.k … NAME.log → NAME.log.1; the oldest is overwritten, and any
  // older ones a larger `keep` left (before a reload or a restart) are removed.
  private async rotate(): Promise<void> {
    await this.closeFile();
    for (let i = this.keep + 1; await removeIfPresent(`${this.path}.${i}`); i++);
    for (let i = this.keep - 1; i >= 1; i--) await renameIfPresent(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    if (this.keep > 0) await renameIfPresent(this.path, `${this.path}.1`);
    this.file = await open(this.path, this.keep > 0 ? "a" : "w", PRIVATE_FILE_MODE);
    this.size = 0;
  }
}

const NEWLINE = 0x0a;

function countLines(bytes: Buffer, end: number): number {
  let count = 0;
  for (let i = bytes.indexOf(NEWLINE); i !== -1 && i < end; i = bytes.indexOf(NEWLINE, i + 1)) count++;
  return count;
}

/** True when there was a file to remove. */
async function removeIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    return false;
  }
}

async function renameIfPresent(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
