/**
 * Follow one service's output: subscribe to `WS /orchestrator/stream?logs=NAME` first, then
 * fetch the recent lines, so nothing falls in between; lines seen both ways are printed once.
 * A dropped stream is reopened with backoff (and the gap filled from the tail) until aborted.
 */
import type { LogLine } from "../../contract/output";
import type { ApiClient } from "./api-client";
import { exitCodeFor } from "../exit-code";
import { ClientError } from "./errors";

export interface FollowOptions {
  client: ApiClient;
  name: string;
  /** Lines of history to print first. */
  lines: number;
  /** Following ends (and the promise resolves) when this aborts. */
  signal: AbortSignal;
  print(line: LogLine): void;
  /** One-line notices for the user (disconnects, reconnects). */
  notice(text: string): void;
}

const OPEN_TIMEOUT_MS = 5000;
const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 5000];
/** Lines fetched after a reconnect, to fill the gap. */
const GAP_LINES = 200;
const HISTORY = 500;
const STABLE_MS = 5000;

export async function followLogs(options: FollowOptions): Promise<void> {
  const { client, name, signal } = options;
  const history: string[] = [];
  const emit = (line: LogLine) => {
    history.push(keyOf(line));
    if (history.length > HISTORY) history.splice(0, history.length - HISTORY);
    options.print(line);
  };
  const emitNew = (lines: LogLine[]) => lines.slice(alreadyPrinted(history, lines.map(keyOf))).forEach(emit);

  let failures = 0;
  for (let first = true; !signal.aborted; first = false) {
    const stream = openStream(streamUrl(client, name), client.headers(), name, signal);
    const opened = await stream.opened;
    if (signal.aborted) break;
    // a refused upgrade will be refused again: say why instead of retrying for ever
    if (stream.refusedWith === 401 || stream.refusedWith === 403) throw client.unauthorized(stream.refusedWith);
    if (opened && failures > 0) options.notice(`reconnected to ${client.target.url}`);
    try {
      // The first tail also says whether the service exists and the API answers at all (as
      // does a stream refused with 404); after a reconnect, a longer tail fills the gap
      // (lines printed already are skipped).
      if (first || opened || stream.refusedWith === 404) {
        const tail = await client.logs(name, first ? Math.max(options.lines, 1) : GAP_LINES);
        emitNew(first && options.lines === 0 ? [] : tail);
      }
    } catch (err) {
      stream.close();
      // retrying cannot fix what the user must change (exit 2)
      if (first || !(err instanceof ClientError) || exitCodeFor(err) === 2) throw err;
    }
    if (opened) {
      emitNew(stream.takeBuffered());
      stream.onLine(emit);
      const since = Date.now();
      await stream.closed;
      // a stream that stays up a while starts the backoff over; one that drops at once does not
      if (Date.now() - since >= STABLE_MS) failures = 0;
    }
    if (signal.aborted) break;
    const delay = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)];
    failures++;
    options.notice(`${opened ? "log stream closed" : "cannot open the log stream"} at ${client.target.url}; retrying in ${delay} ms`);
    await sleep(delay, signal);
  }
}

function streamUrl(client: ApiClient, name: string): string {
  const url = new URL(client.target.url + "/orchestrator/stream");
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("logs", name);
  if (client.target.token) url.searchParams.set("token", client.target.token);
  return url.toString();
}

/** Bun's WebSocket takes request headers; the DOM typings in tsconfig's lib hide that overload. */
const BunWebSocket = WebSocket as unknown as new (url: string, options: { headers: Record<string, string> }) => WebSocket;

interface Stream {
  /** The HTTP status of a refused upgrade (Bun puts it in the error message), once known. */
  readonly refusedWith?: number;
  /** true once open; false when it failed, timed out or was aborted first. */
  opened: Promise<boolean>;
  closed: Promise<void>;
  takeBuffered(): LogLine[];
  onLine(handler: (line: LogLine) => void): void;
  close(): void;
}

function openStream(url: string, headers: Record<string, string>, name: string, signal: AbortSignal): Stream {
  let buffered: LogLine[] = [];
  let handler: ((line: LogLine) => void) | undefined;
  let refusedWith: number | undefined;
  const ws = new BunWebSocket(url, { headers });
  ws.addEventListener("error", (event) => {
    const status = /status code:? (\d{3})/.exec((event as ErrorEvent).message ?? "");
    if (status) refusedWith = Number(status[1]);
  });
  const close = () => ws.readyState !== WebSocket.CLOSED && ws.close();
  const onAbort = () => close();
  signal.addEventListener("abort", onAbort, { once: true });
  const closed = new Promise<void>((resolve) => {
    ws.addEventListener("close", () => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
  const opened = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => (resolve(false), close()), OPEN_TIMEOUT_MS);
    ws.addEventListener("open", () => (clearTimeout(timer), resolve(true)));
    void closed.then(() => (clearTimeout(timer), resolve(false)));
  });
  ws.addEventListener("message", (message) => {
    for (const line of logLinesOf(message.data, name)) handler ? handler(line) : buffered.push(line);
  });
  return {
    get refusedWith() {
      return refusedWith;
    },
    opened,
    closed,
    takeBuffered: () => [buffered, (buffered = [])][0],
    onLine: (h) => void (handler = h),
    close,
  };
}

/** The `log` events for `name` in one stream message (an event, or an array of them). */
export function logLinesOf(data: unknown, name: string): LogLine[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data as ArrayBuffer));
  } catch {
    return [];
  }
  const out: LogLine[] = [];
  for (const event of Array.isArray(parsed) ? parsed : [parsed]) {
    const payload = event?.type === "log" ? event.payload : undefined;
    if (payload?.name !== name || typeof payload.line !== "string") continue;
    out.push({ ts: typeof event.ts === "number" ? event.ts : Date.now(), stream: payload.stream === "stderr" ? "stderr" : "stdout", line: payload.line });
  }
  return out;
}

function keyOf(line: LogLine): string {
  return `${line.stream}\u0000${line.line}`;
}

/**
 * How many of `incoming`'s first lines were printed already: the largest i such that
 * incoming[0..i) and what was printed end alike (one contains the other's end).
 */
export function alreadyPrinted(printed: string[], incoming: string[]): number {
  if (printed.length === 0) return 0;
  for (let i = incoming.length; i > 0; i--) {
    const n = Math.min(i, printed.length);
    let k = 1;
    while (k <= n && incoming[i - k] === printed[printed.length - k]) k++;
    if (k > n) return i;
  }
  return 0;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
