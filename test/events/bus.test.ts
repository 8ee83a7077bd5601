import { describe, expect, test } from "bun:test";
import { EventBus, type BusMessage } from "../../src/events/bus";
import { MemoryEventStore } from "../../src/events/memory-store";
import type { EventBody } from "../../src/contract/events";
import { FakeClock } from "../../src/lib/clock";
import { statusEvent } from "./store-contract";

const health = (name: string): EventBody => ({ type: "health", payload: { name, ok: true, status: "healthy", latencyMs: 1 } });
const log = (line: string): EventBody => ({ type: "log", payload: { name: "api", stream: "stdout", line } });

function makeBus() {
  const clock = new FakeClock();
  const store = new MemoryEventStore();
  return { clock, store, bus: new EventBus(store, clock) };
}

describe("EventBus", () => {
  test("stamps strictly increasing seqs and the clock's time; log events are live-only and take no seq of their own", async () => {
    const { clock, store, bus } = makeBus();
    const a = bus.emit(health("api"));
    await clock.advance(250);
    const b = bus.emit(log("hello"));
    const c = bus.emit(health("db"));
    expect([a.seq, b.seq, c.seq]).toEqual([1, 1, 2]);
    expect(c.ts - a.ts).toBe(250);
    expect(store.since(0).map((e) => e.seq)).toEqual([1, 2]); // no gap for replay
    expect(bus.lastSeq).toBe(2);
  });

  test("continues from the store's last seq", () => {
    const store = new MemoryEventStore();
    store.append(statusEvent(41));
    const bus = new EventBus(store, new FakeClock());
    expect(bus.emit(health("api")).seq).toBe(42);
  });

  test("subscribers get every event in seq order, even ones emitted from inside a handler", () => {
    const { bus } = makeBus();
    const first: number[] = [];
    const second: number[] = [];
    bus.subscribe((m) => {
      first.push(m.seq);
      if (m.seq === 1) bus.emit(health("nested"));
    });
    bus.subscribe((m) => second.push(m.seq));
    bus.emit(health("api"));
    bus.emit(health("db"));
    expect(first).toEqual([1, 2, 3]);
    expect(second).toEqual([1, 2, 3]);
  });

  test("a snapshot comes first, then only later events: no gap, no duplicate", () => {
    const { bus } = makeBus();
    const state: string[] = [];
    const emitChange = (name: string) => {
      state.push(name);
      bus.emit(health(name));
    };
    emitChange("a");
    emitChange("b");
    const messages: BusMessage[] = [];
    bus.subscribe((m) => messages.push(m), { snapshot: () => [...state] });
    emitChange("c");
    expect(messages[0]).toMatchObject({ type: "snapshot", seq: 2, payload: ["a", "b"] });
    expect(messages.slice(1).map((m) => m.seq)).toEqual([3]);
  });

  test("a subscriber added while events are still queued does not get them twice", () => {
    const { bus } = makeBus();
    const late: BusMessage[] = [];
    bus.subscribe((m) => {
      if (m.seq === 1) {
        bus.emit(health("queued")); // seq 2, queued behind seq 1
        bus.subscribe((x) => late.push(x), { snapshot: () => "state as of seq 2" });
      }
    });
    bus.emit(health("api"));
    bus.emit(health("db"));
    expect(late.map((m) => [m.type, m.seq])).toEqual([["snapshot", 2], ["health", 3]]);
  });

  test("a throwing subscriber does not affect the others or the emitter", () => {
    const { bus } = makeBus();
    const seen: number[] = [];
    bus.subscribe(() => {
      throw new Error("bad subscriber");
    });
    bus.subscribe((m) => seen.push(m.seq));
    expect(() => bus.emit(health("api"))).not.toThrow();
    bus.emit(health("db"));
    expect(seen).toEqual([1, 2]);
  });

  test("unsubscribe stops delivery; a filter picks which events are sent", () => {
    const { bus } = makeBus();
    const all: number[] = [];
    const logsOnly: number[] = [];
    const unsubscribe = bus.subscribe((m) => all.push(m.seq));
    bus.subscribe((m) => logsOnly.push(m.seq), { filter: (e) => e.type === "log" });
    bus.emit(health("api"));
    bus.emit(log("line"));
    unsubscribe();
    bus.emit(health("db"));
    expect(all).toEqual([1, 1]);
    expect(logsOnly).toEqual([1]);
    expect(bus.subscriberCount).toBe(1);
  });
});
