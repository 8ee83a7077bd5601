/**
 * Where service output goes: a ring buffer per service (last 1000 lines), a rotating file
 * `state.dir/logs/NAME.log`, the orchestrator's own log in the foreground, and the event
 * bus for stream subscribers that asked for that service's logs. The files share one
 * fleet-wide bound on text held in memory and report to the fleet's StorageHealth.
 */
import { join } from "node:path";
import type { EventSink } from "../events/sink";
import type { Logger } from "../lib/logger";
import type { StorageReporter } from "../lib/storage-health";
import { DEFAULT_FLEET_PENDING_BYTES, PendingBudget } from "../logs/pending-lines";
import { LogRingBuffer } from "../logs/ring-buffer";
import type { LogLine, StreamName } from "../contract/output";
import { RotatingFile } from "../logs/rotating-file";

export class OutputSinks {
  private readonly rings = new Map<string, LogRingBuffer>();
  private readonly files = new Map<string, RotatingFile>();
  /** Services someone is streaming logs of, with how many subscribers each. */
  private readonly interest = new Map<string, number>();
  private readonly budget = new PendingBudget(DEFAULT_FLEET_PENDING_BYTES);

  constructor(
    private readonly stateDir: string,
    private readonly sink: EventSink,
    private readonly logger: Logger | undefined,
    private readonly now: () => number,
    private readonly storage?: StorageReporter,
  ) {}

  write(name: string, stream: StreamName, line: string): void {
    this.ring(name).push({ ts: this.now(), stream, line });
    this.file(name).write(line);
    this.logger?.info({ service: name, stream }, line);
    if (this.interest.has(name)) this.sink.emit({ type: "log", payload: { name, stream, line } });
  }

  /** Recent lines, oldest first. */
  recent(name: string, limit?: number): LogLine[] {
    return this.rings.get(name)?.lines(limit) ?? [];
  }

  /** Start emitting `log` events for `name`; returns the function that stops it. */
  watch(name: string): () => void {
    this.interest.set(name, (this.interest.get(name) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.interest.get(name) ?? 1) - 1;
      if (left > 0) this.interest.set(name, left);
      else this.interest.delete(name);
    };
  }

  async close(): Promise<void> {
    const files = [...this.files.values()];
    this.files.clear();
    await Promise.all(files.map((file) => file.close()));
  }

  private ring(name: string): LogRingBuffer {
    let ring = this.rings.get(name);
    if (!ring) this.rings.set(name, (ring = new LogRingBuffer()));
    return ring;
  }

  private file(name: string): RotatingFile {
    let file = this.files.get(name);
    if (!file) this.files.set(name, (file = new RotatingFile({ dir: join(this.stateDir, "logs"), name, budget: this.budget, storage: this.storage })));
    return file;
  }
}
