/**
 * EventBus: the EventSink the supervisor emits into. It stamps each event with a strictly
 * increasing `seq` and a `ts`, keeps every non-`log` event in the store, and hands it to
 * subscribers synchronously, in seq order, even when a subscriber emits from its handler.
 */
import type { Clock } from "../lib/clock";
import type { EventSink } from "./sink";
import type { EventStore } from "./store";
import type { EventBody, OrchestratorEvent } from "../contract/events";

/**
 * What a subscriber is sent first: the state as of `seq`; every later message has a greater
 * seq. The API's payload is `{status, services}` (SnapshotSchema in src/contract/stream.ts).
 */
export interface SnapshotMessage<P = unknown> {
  type: "snapshot";
  seq: number;
  ts: number;
  payload: P;
}

export type BusMessage<P = unknown> = SnapshotMessage<P> | OrchestratorEvent;

export interface SubscribeOptions<P = unknown> {
  /** Called at subscribe time; its result is sent first, as a `snapshot` message. */
  snapshot?: () => P;
  /** Only events this returns true for are sent (the snapshot always is). */
  filter?: (event: OrchestratorEvent) => boolean;
}

interface Subscriber {
  /** Events up to this seq are already covered by the snapshot. */
  after: number;
  handler: (message: BusMessage) => void;
  filter?: (event: OrchestratorEvent) => boolean;
}

export class EventBus implements EventSink {
  private seq: number;
  private readonly subscribers = new Set<Subscriber>();
  /** The subscribers as an array, rebuilt only when they change (not on every event). */
  private list: readonly Subscriber[] = [];
  private readonly queue: OrchestratorEvent[] = [];
  private delivering = false;

  /** Seqs continue from the store's last one, so replay after a restart never sees a seq twice. */
  constructor(private readonly store: EventStore, private readonly clock: Clock) {
    this.seq = store.lastSeq();
  }

  /** The seq of the latest event emitted. */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * `log` events are live-only: they are not stored and do not take a seq of their own (they
   * carry the seq of the last stored event), so the stored sequence has no gaps for replay.
   */
  emit(body: EventBody): OrchestratorEvent {
    const seq = body.type === "log" ? this.seq : ++this.seq;
    const event = { ...body, seq, ts: this.clock.now() } as OrchestratorEvent;
    if (event.type !== "log") this.store.append(event);
    this.queue.push(event);
    this.drain();
    return event;
  }

  /**
   * Send `handler` a snapshot (when asked for) and then every event after it, with no gap and
   * no duplicate. Returns the unsubscribe function.
   */
  subscribe<P = unknown>(handler: (message: BusMessage<P>) => void, options: SubscribeOptions<P> = {}): () => void {
    // delivery is synchronous, so the state read here is exactly the state as of this.seq
    const payload = options.snapshot?.();
    // the only snapshot this handler is sent is the one its own options.snapshot made: a P
    const subscriber: Subscriber = { after: this.seq, handler: handler as (message: BusMessage) => void, filter: options.filter };
    if (options.snapshot) deliver(subscriber, { type: "snapshot", seq: subscriber.after, ts: this.clock.now(), payload });
    this.subscribers.add(subscriber);
    this.list = [...this.subscribers];
    return () => {
      if (this.subscribers.delete(subscriber)) this.list = [...this.subscribers];
    };
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Events emitted by a handler are queued and sent after the current one, to everyone, in order. */
  private drain(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let event = this.queue.shift(); event; event = this.queue.shift()) {
        for (const subscriber of this.list) {
          if (!this.subscribers.has(subscriber)) continue; // unsubscribed by an earlier handler
          if (event.seq <= subscriber.after && event.type !== "log") continue; // subscribed mid-drain: already in its snapshot
          if (subscriber.filter && !safely(() => subscriber.filter!(event))) continue;
          deliver(subscriber, event);
        }
      }
    } finally {
      this.delivering = false;
    }
  }
}

function deliver(subscriber: Subscriber, message: BusMessage): void {
  safely(() => subscriber.handler(message));
}

/** A subscriber that throws must not affect the others (or the emitter). */
function safely(fn: () => boolean | void): boolean {
  try {
    return fn() !== false;
  } catch {
    return false;
  }
}
