/**
 * Where service output goes: a ring buffer per service (last 1000 lines), a rotating file
 * `state.dir/logs/NAME.log`, the orchestrator's own log in the foreground, and the event
 * bus for stream subscribers that asked for that service's logs. The files share one
 * fleet-wide bound on text held in memory and report to the fleet's StorageHealth.
 * Each file follows its service's `logs` (size, files kept, raw or json records with time
 * and stream), read from the live config: a reload that changes them applies to the next line.
 */
import { join } from "node:path";
import type { EventSink } from "../events/sink";
import type { Logger } from "../lib/logger";
import type { StorageReporter } from "../lib/storage-health";
import { DEFAULT_FLEET_PENDING_BYTES, PendingBudget } from "../logs/pending-lines";
import { LogRingBuffer } from "../logs/ring-buffer";
import type { LogLine, StreamName } from "../contract/output";
import type { LogsConfig } from "../contract/config";
import { parseSize } from "../lib/size";
import { formatLogRecord } from "../logs/log-record";
import { DEFAULTS } from "../manifest/defaults";
import { RotatingFile } from "../logs/rotating-file";

/** What a service's `logs` resolves to when nothing says otherwise. */
export const DEFAULT_LOGS: LogsConfig = { maxBytes: parseSize(DEFAULTS.logs.maxSize)!, keep: DEFAULTS.logs.keep, format: DEFAULTS.logs.format };
const NO_SETTINGS: readonly { name: string; logs: LogsConfig }[] = [];

/** The services whose log settings the files follow: the live config's list (compared by identity, read again when it changes). */
export type LogSettings = () => readonly { name: string; logs: LogsConfig }[];

interface ServiceFile {
  file: RotatingFile;
  logs: LogsConfig;
}

export class OutputSinks {
  private readonly rings = new Map<string, LogRingBuffer>();
  private readonly files = new Map<string, ServiceFile>();
  private settingsSeen: readonly { name: string; logs: LogsConfig }[] | null = null;
  private settingsByName = new Map<string, LogsConfig>();
  /** Services someone is streaming logs of, with how many subscribers each. */
  private readonly interest = new Map<string, number>();
  private readonly budget = new PendingBudget(DEFAULT_FLEET_PENDING_BYTES);

  constructor(
    private readonly stateDir: string,
    private readonly sink: EventSink,
    private readonly logger: Logger | undefined,
    private readonly now: () => number,
    private readonly storage?: StorageReporter,
    private readonly settings: LogSettings = () => NO_SETTINGS,
  ) {}

  write(name: string, stream: StreamName, line: string): void {
    const ts = this.now();
    this.ring(name).push({ ts, stream, line });
    const target = this.file(name);
    target.file.write(formatLogRecord(target.logs.format, ts, stream, line));
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
    await Promise.all(files.map(({ file }) => file.close()));
  }

  private ring(name: string): LogRingBuffer {
    let ring = this.rings.get(name);
    if (!ring) this.rings.set(name, (ring = new LogRingBuffer()));
    return ring;
  }

  private file(name: string): ServiceFile {
    this.followSettings();
    let target = this.files.get(name);
    if (!target) {
      const logs = this.settingsByName.get(name) ?? DEFAULT_LOGS;
      const note = (text: string) => formatLogRecord(target!.logs.format, this.now(), "orchestrator", text);
      const file = new RotatingFile({ dir: join(this.stateDir, "logs"), name, maxBytes: logs.maxBytes, keep: logs.keep, note, budget: this.budget, storage: this.storage });
      this.files.set(name, (target = { file, logs }));
    }
    return target;
  }

  // One identity check per line; the settings are read again only when the config was replaced.
  private followSettings(): void {
    const services = this.settings();
    if (services === this.settingsSeen) return;
    this.settingsSeen = services;
    this.settingsByName = new Map(services.map((s) => [s.name, s.logs]));
    for (const [name, target] of this.files) {
      const logs = this.settingsByName.get(name) ?? DEFAULT_LOGS;
      if (logs.maxBytes !== target.logs.maxBytes || logs.keep !== target.logs.keep) target.file.configure(logs);
      target.logs = logs;
    }
  }
}
