/** The fleet orphan watchdog: one tiny `sh` that SIGKILLs every registered group when our pipe closes. */
import type { Subprocess } from "bun";

// Reads "+PGID" / "-PGID" lines; on EOF (we exited, however we died) kills what is left.
// It ignores INT/TERM/HUP so a Ctrl-C or a graceful shutdown cannot take it down first.
const WATCHDOG_SCRIPT = `trap '' INT TERM HUP
groups=' '
while read -r line; do
  case "$line" in
    +*) groups="$groups\${line#+} " ;;
    -*) p="\${line#-}"
        case "$groups" in *" $p "*) groups="\${groups%%" $p "*} \${groups#*" $p "}" ;; esac ;;
  esac
done
for p in $groups; do kill -s KILL -- "-$p" 2>/dev/null; done
`;

/**
 * Kills every registered process group if the orchestrator dies, even by SIGKILL: the
 * watchdog sees EOF on its stdin pipe. Started lazily by the first `register`.
 */
export class OrphanWatchdog {
  private proc: Subprocess<"pipe", "ignore", "ignore"> | null = null;
  private readonly groups = new Set<number>();
  private closed = false;
  private flushQueued = false;

  /** Pid of the watchdog process, 0 when it is not running. */
  get pid(): number {
    return this.proc?.pid ?? 0;
  }

  /** Watch group `pgid` from now on. */
  register(pgid: number): void {
    if (this.closed || pgid <= 0) return;
    this.groups.add(pgid);
    if (!this.proc) this.start();
    else this.send(`+${pgid}\n`);
  }

  /** Forget group `pgid` (it has ended and been SIGKILLed). */
  unregister(pgid: number): void {
    if (!this.groups.delete(pgid) || !this.proc) return;
    this.send(`-${pgid}\n`);
  }

  /** Close the pipe: the watchdog kills every group still registered, then exits. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const proc = this.proc;
    this.proc = null;
    if (proc) void Promise.resolve(proc.stdin.end()).catch(() => {});
  }

  private start(): void {
    const proc = Bun.spawn(["/bin/sh", "-c", WATCHDOG_SCRIPT], {
      stdin: "pipe",
      stdout: "ignore",
      stderr: "ignore",
      detached: true,
    });
    this.proc = proc;
    proc.unref();
    // If it dies under us, the next registration starts a new one with the full set.
    void proc.exited.then(() => {
      if (this.proc === proc) this.proc = null;
    });
    this.send([...this.groups].map((g) => `+${g}\n`).join(""));
  }

  private send(text: string): void {
    const proc = this.proc;
    if (!proc || text.length === 0) return;
    try {
      proc.stdin.write(text);
    } catch {
      if (this.proc === proc) this.proc = null;
      return;
    }
    // One flush per burst of spawns (200 at launch), still before the event loop moves on.
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      void Promise.resolve()
        .then(() => proc.stdin.flush())
        .catch(() => {});
    });
  }
}
