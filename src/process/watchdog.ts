/** The fleet orphan watchdog: one tiny `sh` that SIGKILLs every registered group when our pipe closes. */
import type { Subprocess } from "bun";
import { systemClock, type Clock, type Timer } from "../lib/clock";
import { MARKER_VAR } from "./marker";
import { trackChild } from "./own-children";

// Reads "+PGID" / "-PGID" lines; on EOF (we exited, however we died) kills what is left: the
// registered groups, then every process whose environment carries this run's marker ($1),
// found by one grep over /proc/*/environ (a daemon that left its group and session).
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
[ -n "$1" ] || exit 0
for f in $(grep -l -s -z -e "^${MARKER_VAR}=$1/" /proc/[0-9]*/environ); do
  p="\${f#/proc/}"; p="\${p%/environ}"
  [ "$p" = "$$" ] || kill -s KILL "$p" 2>/dev/null
done
`;

export interface OrphanWatchdogOptions {
  /** On EOF, also kill every process whose ORCHESTRATOR_SERVICE marker starts with `<runId>/`. */
  runId?: string;
  /** A watchdog that died was replaced: at once, or after 1 s when it was itself a replacement that lived less than that. */
  onReplaced?: (oldPid: number, newPid: number) => void;
  clock?: Clock;
}

const MIN_LIFE_MS = 1000;

/**
 * Kills every registered process group (and the run's marked processes) if the orchestrator
 * dies, even by SIGKILL: the watchdog sees EOF on its stdin pipe. Started lazily by the first
 * `register`; one that dies is replaced and handed the full set again.
 */
export class OrphanWatchdog {
  private proc: Subprocess<"pipe", "ignore", "ignore"> | null = null;
  private readonly groups = new Set<number>();
  private closed = false;
  private flushQueued = false;
  private startedAt = 0;
  /** The running watchdog stands in for one that died. */
  private isReplacement = false;
  private retry: Timer | null = null;
  private readonly clock: Clock;

  constructor(private readonly options: OrphanWatchdogOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  /** Pid of the watchdog process, 0 when it is not running. */
  get pid(): number {
    return this.proc?.pid ?? 0;
  }

  /** Watch group `pgid` from now on. */
  register(pgid: number): void {
    if (this.closed || pgid <= 0) return;
    this.groups.add(pgid);
    if (!this.proc && !this.retry) this.start();
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
    this.retry?.cancel();
    this.retry = null;
    const proc = this.proc;
    this.proc = null;
    if (proc) void Promise.resolve(proc.stdin.end()).catch(() => {});
  }

  /** Start a watchdog with the full set; `replacing` is the pid of the dead one it stands in for (0: none). */
  private start(replacing = 0): void {
    let proc: Subprocess<"pipe", "ignore", "ignore">;
    try {
      proc = trackChild(
        Bun.spawn(["/bin/sh", "-c", WATCHDOG_SCRIPT, "orchestrator-watchdog", this.options.runId ?? ""], {
          stdin: "pipe",
          stdout: "ignore",
          stderr: "ignore",
          detached: true,
          // only what the script needs: not the orchestrator's environment (its API token among it)
          env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
        }),
      );
    } catch {
      this.retryLater(replacing); // no process to spare right now (EAGAIN, EMFILE): try again
      return;
    }
    this.proc = proc;
    this.startedAt = this.clock.now();
    this.isReplacement = replacing > 0;
    proc.unref();
    void proc.exited.then(() => this.replace(proc));
    this.send([...this.groups].map((g) => `+${g}\n`).join(""));
    if (replacing > 0) this.options.onReplaced?.(replacing, proc.pid);
  }

  // Its exit is noticed at once (Bun watches the pid): start the next one with the full set.
  private replace(dead: Subprocess<"pipe", "ignore", "ignore">): void {
    if (this.proc !== dead) return;
    this.proc = null;
    if (this.closed) return;
    // A replacement that dies young is a loop (something kills every watchdog): slow it down.
    const lived = this.clock.now() - this.startedAt;
    if (this.isReplacement && lived < MIN_LIFE_MS) this.retryLater(dead.pid, MIN_LIFE_MS - lived);
    else this.start(dead.pid);
  }

  private retryLater(oldPid: number, delayMs = MIN_LIFE_MS): void {
    this.retry = this.clock.setTimeout(() => {
      this.retry = null;
      if (!this.closed && !this.proc) this.start(oldPid);
    }, delayMs);
  }

  private send(text: string): void {
    const proc = this.proc;
    if (!proc || text.length === 0) return;
    try {
      proc.stdin.write(text);
    } catch {
      return; // it died: its exit replaces it, with the full set
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
