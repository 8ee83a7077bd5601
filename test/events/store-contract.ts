/** The one contract every EventStore passes: run against the memory and the SQLite store. */
import { afterEach, describe, expect, test } from "bun:test";
import type { EventStore } from "../../src/events/store";
import type { EventBody, HealingRecord, OrchestratorEvent } from "../../src/contract/events";

let nextSeq = 0;
export function stamp(body: EventBody, seq = ++nextSeq): OrchestratorEvent {
  return { ...body, seq, ts: 1_700_000_000_000 + seq } as OrchestratorEvent;
}

export function healingEvent(service: string, attempt: number, seq?: number, extra: Partial<HealingRecord> = {}): OrchestratorEvent {
  return stamp({ type: "healing", payload: { service, action: "restart-scheduled", attempt, tier: "immediate", reason: "exit code 1", delayMs: 1000, ts: 5_000 + attempt, ...extra } }, seq);
}

export function statusEvent(seq?: number): OrchestratorEvent {
  return stamp({ type: "status", payload: { state: "ready", reasons: [] } }, seq);
}

export function runStoreContract(name: string, open: () => EventStore): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    afterEach(() => store?.close());

    test("an empty store has lastSeq 0 and nothing to replay", () => {
      store = open();
      expect(store.lastSeq()).toBe(0);
      expect(store.since(0)).toEqual([]);
      expect(store.healing()).toEqual([]);
    });

    test("since(seq) replays what came after seq, in order, up to the limit", () => {
      store = open();
      const events = [statusEvent(1), healingEvent("api", 1, 2), statusEvent(5), statusEvent(9)];
      for (const e of events) store.append(e);
      expect(store.since(0)).toEqual(events);
      expect(store.since(2).map((e) => e.seq)).toEqual([5, 9]);
      expect(store.since(3).map((e) => e.seq)).toEqual([5, 9]);
      expect(store.since(0, 2).map((e) => e.seq)).toEqual([1, 2]);
      expect(store.since(9)).toEqual([]);
      expect(store.lastSeq()).toBe(9);
    });

    test("a stored event is a copy: changing the original later does not change the replay", () => {
      store = open();
      const event = statusEvent(1);
      store.append(event);
      (event.payload as { reasons: string[] }).reasons.push("mutated");
      expect(store.since(0)[0].payload).toEqual({ state: "ready", reasons: [] });
    });

    test("healing records come back newest first, filtered by service and limited", () => {
      store = open();
      store.append(healingEvent("api", 1, 1));
      store.append(statusEvent(2));
      store.append(healingEvent("db", 1, 3, { tier: undefined, delayMs: undefined, action: "detected" }));
      store.append(healingEvent("api", 2, 4));
      store.append(healingEvent("api", 3, 5));
      expect(store.healing().map((h) => [h.service, h.attempt])).toEqual([["api", 3], ["api", 2], ["db", 1], ["api", 1]]);
      expect(store.healing({ service: "api", limit: 2 }).map((h) => h.seq)).toEqual([5, 4]);
      expect(store.healing({ service: "db" })).toEqual([{ seq: 3, service: "db", action: "detected", attempt: 1, reason: "exit code 1", ts: 5001 }]);
      expect(store.healing({ service: "api" })[0]).toEqual({ seq: 5, service: "api", action: "restart-scheduled", attempt: 3, tier: "immediate", reason: "exit code 1", delayMs: 1000, ts: 5003 });
      expect(store.healing({ service: "nobody" })).toEqual([]);
    });

    test("many events in a row are all kept", () => {
      store = open();
      for (let seq = 1; seq <= 3000; seq++) store.append(statusEvent(seq));
      expect(store.lastSeq()).toBe(3000);
      expect(store.since(2990, 100).map((e) => e.seq)).toEqual([2991, 2992, 2993, 2994, 2995, 2996, 2997, 2998, 2999, 3000]);
      expect(store.since(0, 5000)).toHaveLength(3000);
    });

    test("a failure's crash context, cause and exit come back with its healing record", () => {
      store = open();
      const context = [
        { ts: 10, stream: "stdout" as const, line: "listening on 8080" },
        { ts: 11, stream: "stderr" as const, line: "FATAL: connection refused" },
      ];
      store.append(healingEvent("api", 0, 1, { action: "detected", tier: undefined, delayMs: undefined, cause: "exit", exitCode: 3, context }));
      store.append(healingEvent("api", 0, 2, { action: "detected", tier: undefined, delayMs: undefined, cause: "exit", signal: "SIGKILL", context: [] }));
      const [killed, exited] = store.healing({ service: "api" });
      expect(exited).toMatchObject({ seq: 1, cause: "exit", exitCode: 3, context });
      expect(exited.signal).toBeUndefined();
      expect(killed).toMatchObject({ seq: 2, signal: "SIGKILL" });
      expect(killed.exitCode).toBeUndefined();
    });

    test("latest(type) gives the newest events of one type, newest first", () => {
      store = open();
      store.append(statusEvent(1));
      store.append(healingEvent("api", 1, 2));
      store.append(statusEvent(3));
      store.append(statusEvent(4));
      expect(store.latest("status", 2).map((e) => e.seq)).toEqual([4, 3]);
      expect(store.latest("healing", 5).map((e) => e.seq)).toEqual([2]);
      expect(store.latest("incident", 5)).toEqual([]);
    });
  });
}

/** Retention is part of the contract too: a store given small limits keeps only the newest. */
export function runRetentionContract(name: string, open: (limits: { maxEvents: number; maxHealing: number }) => EventStore): void {
  test(`${name}: keeps at most maxEvents events and maxHealing healing records, dropping the oldest`, () => {
    const store = open({ maxEvents: 50, maxHealing: 10 });
    try {
      for (let seq = 1; seq <= 200; seq++) store.append(seq % 2 === 0 ? healingEvent("api", seq, seq) : statusEvent(seq));
      const kept = store.since(0, 1000).map((e) => e.seq);
      expect(kept).toHaveLength(50);
      expect(kept[0]).toBe(151);
      expect(kept.at(-1)).toBe(200);
      const healing = store.healing({ limit: 100 });
      expect(healing).toHaveLength(10);
      expect(healing[0].seq).toBe(200);
      expect(healing.at(-1)!.seq).toBe(182);
      expect(store.lastSeq()).toBe(200);
    } finally {
      store.close();
    }
  });
}
