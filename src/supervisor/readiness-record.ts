/**
 * What a service said about its own readiness in its current spawn (SPEC §14): what made it
 * ready and when, its sd_notify STATUS= and MAINPID=, whether it announced STOPPING=1, its
 * startup deadline (EXTEND_TIMEOUT_USEC moves it) and its last watchdog ping. Cleared by
 * each spawn; read by the snapshot.
 */
export class ReadinessRecord {
  #signal: string | null = null;
  #readyAt: number | null = null;
  #status: string | null = null;
  #mainPid: number | null = null;
  #stopping = false;
  #deadline: number | null = null;
  #lastPingAt: number | null = null;
  #watchdogMs: number | null = null;
  #lastCheck: string | null = null;
  #spawn = 0;

  /** The generation of the spawn this record speaks of. */
  get spawn(): number {
    return this.#spawn;
  }

  /** What made it ready ("READY=1", "log line matched", "newline on fd 3", "probe passed"), null until it is. */
  get signal(): string | null {
    return this.#signal;
  }

  get readyAt(): number | null {
    return this.#readyAt;
  }

  /** The latest STATUS= text. */
  get status(): string | null {
    return this.#status;
  }

  get mainPid(): number | null {
    return this.#mainPid;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** When the startup deadline runs out (epoch ms), while starting. */
  get deadline(): number | null {
    return this.#deadline;
  }

  get lastPingAt(): number | null {
    return this.#lastPingAt;
  }

  /** The watchdog timeout in effect (WATCHDOG_USEC= may change it), null without one. */
  get watchdogMs(): number | null {
    return this.#watchdogMs;
  }

  /** Why the readiness probe last failed, while starting. */
  get lastCheck(): string | null {
    return this.#lastCheck;
  }

  /** A new spawn (its generation): nothing said yet. */
  reset(spawn: number, watchdogMs: number | null): void {
    this.#spawn = spawn;
    this.#signal = this.#readyAt = this.#status = this.#mainPid = this.#deadline = this.#lastPingAt = this.#lastCheck = null;
    this.#stopping = false;
    this.#watchdogMs = watchdogMs;
  }

  markReady(signal: string, now: number): void {
    this.#signal = signal;
    this.#readyAt = now;
    this.#lastCheck = null;
  }

  setStatus(status: string): void {
    this.#status = status;
  }

  setMainPid(pid: number): void {
    this.#mainPid = pid;
  }

  markStopping(): void {
    this.#stopping = true;
  }

  setDeadline(at: number | null): void {
    this.#deadline = at;
  }

  recordPing(now: number): void {
    this.#lastPingAt = now;
  }

  setWatchdog(ms: number): void {
    this.#watchdogMs = ms;
  }

  recordCheck(error: string | null): void {
    this.#lastCheck = error;
  }
}
