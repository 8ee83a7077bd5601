/**
 * Runs the compiled `orchestrator` binary on a tmp fixture fleet and reads its stdout as it
 * comes: JSON log records, the pids they mention, the grandchildren fork fixtures print.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { killPids, waitFor, waitGone } from "./processes";

export const ROOT = resolve(import.meta.dir, "../..");
/** The binary under test; ORCHESTRATOR_BINARY points elsewhere (e.g. a deliberately broken build). */
export const BINARY = process.env.ORCHESTRATOR_BINARY ?? join(ROOT, "dist/orchestrator");

/** Build dist/orchestrator when it is missing. */
export function ensureBinary(): void {
  if (existsSync(BINARY)) return;
  if (process.env.ORCHESTRATOR_BINARY) throw new Error(`ensureBinary: expected ORCHESTRATOR_BINARY=${BINARY} to exist, it does not`);
  const build = Bun.spawnSync([process.execPath, "run", "build"], { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
  if (build.exitCode !== 0) throw new Error(`ensureBinary: expected "bun run build" to succeed, it exited ${build.exitCode}`);
}

/** A JSON log record of `up` (pino). */
export type LogRecord = Record<string, unknown> & { msg?: string };

export class BinaryRun {
  readonly lines: string[] = [];
  readonly stderrText: Promise<string>;
  readonly exited: Promise<number>;
  /** Service pids and grandchild pids seen so far: everything cleanup may have to kill. */
  readonly pids = new Set<number>();
  private readonly proc: Subprocess<"ignore", "pipe", "pipe">;

  /**
   * `command` runs instead of the binary (e.g. `[bun, "src/cli/main.ts"]` to compare the source
   * with it); `env` adds to the minimal environment it gets (PATH and HOME).
   */
  constructor(readonly dir: string, args: string[], options: { command?: string[]; env?: Record<string, string> } = {}) {
    this.proc = Bun.spawn([...(options.command ?? [BINARY]), ...args], {
      cwd: dir,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? dir, ...options.env },
    });
    this.stderrText = new Response(this.proc.stderr).text();
    const read = this.readLines();
    // its last lines may still be in the pipe when the exit is seen: `exited` comes after them (a stdout held open by a leaked process waits at most 2 s)
    this.exited = this.proc.exited.then(async (code) => (await Promise.race([read, Bun.sleep(2000)]), code));
  }

  get pid(): number {
    return this.proc.pid;
  }

  /** stdout lines that parse as JSON objects. */
  get records(): LogRecord[] {
    return this.lines.flatMap((line) => {
      try {
        const parsed = JSON.parse(line) as unknown;
        return parsed && typeof parsed === "object" ? [parsed as LogRecord] : [];
      } catch {
        return [];
      }
    });
  }

  /** `service` transitions logged so far. */
  transitions(): { service: string; from: string; to: string; pid?: number }[] {
    return this.records.filter((r) => r.event === "service") as unknown as { service: string; from: string; to: string; pid?: number }[];
  }

  /** Wait for a record matching `predicate`; fails with the tail of the log. */
  async waitRecord(predicate: (record: LogRecord) => boolean, timeoutMs: number, what: string): Promise<LogRecord> {
    let found: LogRecord | undefined;
    try {
      await waitFor(() => (found = this.records.find(predicate)) !== undefined, timeoutMs, what);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- last stdout lines ---\n${this.lines.slice(-15).join("\n")}`);
    }
    return found!;
  }

  /** Wait for a raw stdout line. */
  async waitLine(predicate: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    let found: string | undefined;
    await waitFor(() => (found = this.lines.find(predicate)) !== undefined, timeoutMs, what);
    return found!;
  }

  /** Grandchildren printed by fork-grandchildren services, as `{"pid","grandchildren"}` output lines. */
  grandchildren(): number[] {
    return this.records.flatMap((r) => {
      if (r.stream !== "stdout" || typeof r.msg !== "string" || !r.msg.startsWith("{")) return [];
      try {
        const printed = JSON.parse(r.msg) as { grandchildren?: number[] };
        return Array.isArray(printed.grandchildren) ? printed.grandchildren : [];
      } catch {
        return [];
      }
    });
  }

  signal(signal: NodeJS.Signals): void {
    this.proc.kill(signal);
  }

  /** Kill the binary if still running, SIGKILL every service/grandchild pid it reported, remove the dir. */
  async cleanup(): Promise<void> {
    this.collectPids();
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
    await Promise.race([this.exited, Bun.sleep(5000)]);
    this.collectPids();
    killPids([...this.pids]);
    await waitGone([...this.pids], 3000);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Every service pid the log mentioned and every grandchild printed. */
  collectPids(): number[] {
    for (const t of this.transitions()) if (typeof t.pid === "number") this.pids.add(t.pid);
    for (const pid of this.grandchildren()) this.pids.add(pid);
    return [...this.pids];
  }

  private async readLines(): Promise<void> {
    const decoder = new TextDecoder();
    let rest = "";
    const reader = this.proc.stdout.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += decoder.decode(chunk.value, { stream: true });
      const parts = rest.split("\n");
      rest = parts.pop()!;
      this.lines.push(...parts);
    }
    if (rest) this.lines.push(rest);
  }
}

/** A tmp dir holding `manifest` (written as JSON, which YAML reads) as orchestrator.yaml. */
export function writeFleetDir(manifest: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "orch-up-"));
  writeFileSync(join(dir, "orchestrator.yaml"), JSON.stringify(manifest, null, 2));
  return dir;
}
