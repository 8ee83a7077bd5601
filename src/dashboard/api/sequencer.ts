/**
 * Keeps the stream's events gap-free. Stored events carry strictly increasing seqs with no
 * holes, so a jump means we missed some (a reconnect, a dropped socket): those are fetched
 * with GET /orchestrator/events?since=lastSeq before anything newer is handed on. Messages
 * are handled one at a time, in arrival order, even while a replay is in flight.
 */
import type { ApiClient } from "./client";
import type { OrchestratorEvent, SnapshotMessage, StreamMessage } from "./types";

export type LogEvent = Extract<OrchestratorEvent, { type: "log" }>;
export type StoredEvent = Exclude<OrchestratorEvent, LogEvent>;
/** live: from the socket; replay: fetched to fill a gap; history: what happened before we first connected. */
export type EventOrigin = "live" | "replay" | "history";

export interface SequencerSink {
  snapshot(payload: SnapshotMessage["payload"], seq: number): void;
  events(events: StoredEvent[], origin: EventOrigin): void;
  /** A replay failed: the caller should reconnect (the next snapshot replays again). */
  failed?(error: unknown): void;
}

const PAGE = 1000;

export interface Sequencer {
  push(message: StreamMessage): void;
  readonly lastSeq: number | null;
}

export function createSequencer(client: ApiClient, sink: SequencerSink, historySize = 200): Sequencer {
  let lastSeq: number | null = null;
  let chain: Promise<void> = Promise.resolve();
  let broken = false;

  async function handle(message: StreamMessage): Promise<void> {
    if (message.type === "log") return; // output lines are for a details panel's own stream
    if (message.type === "snapshot") {
      broken = false;
      if (lastSeq === null) await fetchRange(Math.max(0, message.seq - historySize), message.seq, "history");
      else if (message.seq > lastSeq) await fetchRange(lastSeq, message.seq, "replay");
      lastSeq = message.seq;
      return sink.snapshot(message.payload, message.seq);
    }
    if (broken || lastSeq === null) return; // wait for the next snapshot
    if (message.seq <= lastSeq) return; // already have it (replayed)
    if (message.seq > lastSeq + 1) await fetchRange(lastSeq, message.seq - 1, "replay");
    sink.events([message as StoredEvent], "live");
    lastSeq = message.seq;
  }

  // Fetch stored events in (from, to] page by page and hand them on.
  async function fetchRange(from: number, to: number, origin: EventOrigin): Promise<void> {
    let since = from;
    while (since < to) {
      const page = (await client.events(since, PAGE)).filter((e) => e.seq > since && e.seq <= to) as StoredEvent[];
      if (page.length === 0) break;
      sink.events(page, origin);
      since = page[page.length - 1].seq;
      if (origin !== "history") lastSeq = since;
    }
  }

  return {
    push(message) {
      chain = chain
        .then(() => handle(message))
        .catch((error: unknown) => {
          broken = true;
          sink.failed?.(error);
        });
    },
    get lastSeq() {
      return lastSeq;
    },
  };
}
