/**
 * Token guesses per client address. Each client may present `budget` different wrong tokens
 * per window (counted from its first wrong one); past that, every token it presents is refused
 * with 429 until the window ends, the right one included, so a refusal says nothing about a
 * guess. Presenting the same wrong token again costs nothing (a dashboard or CLI retrying a
 * stale token does not lock its user out), and no token at all is not a guess.
 * Memory is bounded: at most `maxClients` windows, the oldest forgotten first; IPv6 clients
 * are counted per /64, the block one host usually holds.
 */
import { createHash } from "node:crypto";
import type { Clock } from "../lib/clock";

export interface GuessLimitOptions {
  /** Different wrong tokens a client may present per window (default 10). */
  budget?: number;
  /** Default 60 s. */
  windowMs?: number;
  /** Windows remembered at once (default 4096). */
  maxClients?: number;
}

interface GuessWindow {
  startedAt: number;
  /** Short digests of the wrong tokens seen in this window. */
  wrong: Set<string>;
}

export class GuessLimiter {
  readonly budget: number;
  readonly windowMs: number;
  private readonly maxClients: number;
  private readonly windows = new Map<string, GuessWindow>();

  constructor(
    private readonly clock: Pick<Clock, "now">,
    options: GuessLimitOptions = {},
  ) {
    this.budget = options.budget ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxClients = options.maxClients ?? 4096;
  }

  /** Milliseconds until `address` may present a token again; 0 when it may now. */
  retryAfterMs(address: string): number {
    const key = clientKey(address);
    const window = this.current(key);
    if (!window || window.wrong.size < this.budget) return 0;
    return window.startedAt + this.windowMs - this.clock.now();
  }

  /** `address` presented `token` and it was wrong. */
  recordWrong(address: string, token: string): void {
    const key = clientKey(address);
    let window = this.current(key);
    if (!window) {
      this.makeRoom();
      window = { startedAt: this.clock.now(), wrong: new Set() };
      this.windows.set(key, window);
    }
    if (window.wrong.size < this.budget) window.wrong.add(digest(token));
  }

  /** How many clients are remembered (for tests of the bound). */
  get size(): number {
    return this.windows.size;
  }

  private current(key: string): GuessWindow | undefined {
    const window = this.windows.get(key);
    if (window && this.clock.now() >= window.startedAt + this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  // Windows enter the Map when they start, so the Map's order is their age: the expired ones
  // are at the front, and so is the one to forget when none has expired.
  private makeRoom(): void {
    if (this.windows.size < this.maxClients) return;
    const now = this.clock.now();
    for (const [key, window] of this.windows) {
      if (this.windows.size < this.maxClients && now < window.startedAt + this.windowMs) break;
      this.windows.delete(key);
    }
  }
}

/** The unit a client is counted by: its IPv4 address, or the /64 of its IPv6 address. */
export function clientKey(address: string): string {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "").toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(bare);
  if (mapped) return mapped[1]!;
  if (!bare.includes(":")) return bare;
  const [head = "", tail = ""] = bare.split("::", 2);
  const left = head ? head.split(":") : [];
  const right = bare.includes("::") && tail ? tail.split(":") : [];
  const groups = bare.includes("::") ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

function digest(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("base64").slice(0, 16);
}
