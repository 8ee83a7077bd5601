/**
 * The dashboard's stream sequencer: a gap in seqs is filled with `GET /events?since=` before
 * anything newer is handed on, messages keep their order while a replay is in flight, and a
 * failed replay stops the flow until the next snapshot.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createApiClient, type ApiClient } from "../../src/dashboard/api/client";
import { createSequencer, type EventOrigin, type SequencerSink, type StoredEvent } from "../../src/dashboard/api/sequencer";
import type { SnapshotMessage, StreamMessage } from "../../src/dashboard/api/types";
import type { OrchestratorEvent } from "../helpers/contract";
import { serveFakeApi, type FakeApi } from "../helpers/fake-api";
import { FakePort } from "../helpers/fake-port";
import { waitFor } from "../helpers/processes";

const event = (seq: number): StoredEvent => ({ seq, ts: seq, type: "status", payload: { state: "ready", reasons: [`#${seq}`] } });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => event(from + i));

function snapshot(seq: number): SnapshotMessage {
  const status = { name: "t", state: "ready", startedAt: 1, uptimeMs: 1, counts: {}, total: 0, healthy: 0, phase: { index: 0, name: null }, reasons: [] };
  return { type: "snapshot", seq, ts: seq, payload: { status: status as unknown as SnapshotMessage["payload"]["status"], services: [] } };
}

interface Recorder extends SequencerSink {
  /** What the sink was handed, in order: "snapshot 5", "history 1-5", "replay 6-7", "live 8". */
  log: string[];
  errors: unknown[];
}

function recorder(): Recorder {
  const log: string[] = [];
  const errors: unknown[] = [];
  const seqs = (events: StoredEvent[]) => (events.length === 1 ? `${events[0]!.seq}` : `${events[0]!.seq}-${events.at(-1)!.seq}`);
  return {
    log,
    errors,
    snapshot: (_payload, seq) => void log.push(`snapshot ${seq}`),
    events: (events: StoredEvent[], origin: EventOrigin) => void log.push(`${origin} ${seqs(events)}`),
    failed: (error) => void errors.push(error),
  };
}

interface Fetch {
  since: number;
  limit: number | undefined;
  resolve(events: OrchestratorEvent[]): void;
  reject(error: Error): void;
}

/** An ApiClient whose `events()` calls wait until the test answers them. */
function pendingClient(): { client: ApiClient; fetches: Fetch[] } {
  const fetches: Fetch[] = [];
  const client: ApiClient = {
    ...createApiClient("http://127.0.0.1:9", null),
    events: (since, limit) => new Promise((resolve, reject) => void fetches.push({ since, limit, resolve, reject })),
  };
  return { client, fetches };
}

/** An ApiClient whose `events()` answers from `stored`, as the API does (seq > since, at most limit). */
function storedClient(stored: StoredEvent[], calls: string[] = []): ApiClient {
  return {
    ...createApiClient("http://127.0.0.1:9", null),
    events: async (since, limit = 1000) => {
      calls.push(`since=${since}&limit=${limit}`);
      return stored.filter((e) => e.seq > since).slice(0, limit);
    },
  };
}

const settle = () => Bun.sleep(5);

describe("the first snapshot", () => {
  test("fetches up to historySize events before it as history, then hands on the snapshot", async () => {
    const calls: string[] = [];
    const sink = recorder();
    const seq = createSequencer(storedClient(range(1, 50), calls), sink, 20);
    seq.push(snapshot(50));
    await settle();
    expect(calls).toEqual(["since=30&limit=1000"]);
    expect(sink.log).toEqual(["history 31-50", "snapshot 50"]);
    expect(seq.lastSeq).toBe(50);
  });

  test("live events before any snapshot, and log lines, are not handed on", async () => {
    const sink = recorder();
    const seq = createSequencer(storedClient([]), sink);
    seq.push(event(3));
    seq.push({ seq: 0, ts: 0, type: "log", payload: { name: "api", stream: "stdout", line: "x" } });
    await settle();
    expect(sink.log).toEqual([]);
    expect(seq.lastSeq).toBeNull();
  });
});

describe("live events", () => {
  test("consecutive seqs are handed on one by one, with no fetch; an old seq is dropped", async () => {
    const calls: string[] = [];
    const sink = recorder();
    const seq = createSequencer(storedClient([], calls), sink, 0);
    seq.push(snapshot(10));
    for (const s of [11, 12, 12, 9, 13]) seq.push(event(s));
    await settle();
    expect(calls).toEqual([]);
    expect(sink.log).toEqual(["snapshot 10", "live 11", "live 12", "live 13"]);
    expect(seq.lastSeq).toBe(13);
  });

  test("a gap is filled with ?since= before the newer event, and what arrives meanwhile waits its turn", async () => {
    const { client, fetches } = pendingClient();
    const sink = recorder();
    const seq = createSequencer(client, sink, 0);
    seq.push(snapshot(10));
    await settle();
    seq.push(event(13)); // 11 and 12 were missed
    seq.push(event(14)); // arrives while the replay is in flight
    await waitFor(() => fetches.length === 1, 1000, "the replay fetch");
    expect(fetches[0]).toMatchObject({ since: 10, limit: 1000 });
    await settle();
    expect(sink.log).toEqual(["snapshot 10"]); // nothing newer overtakes the replay
    fetches[0]!.resolve([...range(11, 14)]); // the store may already hold newer ones: only (10, 12] is taken
    await settle();
    expect(sink.log).toEqual(["snapshot 10", "replay 11-12", "live 13", "live 14"]);
    expect(seq.lastSeq).toBe(14);
  });

  test("a long gap is fetched page by page, each from the last seq received", async () => {
    const calls: string[] = [];
    const sink = recorder();
    const seq = createSequencer(storedClient(range(1, 2600), calls), sink, 0);
    seq.push(snapshot(0));
    seq.push(event(2600));
    await waitFor(() => sink.log.includes("live 2600"), 2000, "the live event after the replay");
    expect(calls).toEqual(["since=0&limit=1000", "since=1000&limit=1000", "since=2000&limit=1000"]);
    expect(sink.log).toEqual(["snapshot 0", "replay 1-1000", "replay 1001-2000", "replay 2001-2599", "live 2600"]);
  });

  test("a gap the store cannot fill (empty page) still hands on the newer event", async () => {
    const sink = recorder();
    const seq = createSequencer(storedClient([]), sink, 0);
    seq.push(snapshot(5));
    seq.push(event(9));
    await settle();
    expect(sink.log).toEqual(["snapshot 5", "live 9"]);
    expect(seq.lastSeq).toBe(9);
  });
});

describe("a failed replay", () => {
  test("is reported; later events are dropped until a snapshot, whose replay resumes from the last seq handed on", async () => {
    const { client, fetches } = pendingClient();
    const sink = recorder();
    const seq = createSequencer(client, sink, 0);
    seq.push(snapshot(10));
    seq.push(event(11));
    seq.push(event(15));
    await waitFor(() => fetches.length === 1, 1000, "the replay fetch");
    const failure = new Error("503 history unavailable");
    fetches[0]!.reject(failure);
    await settle();
    expect(sink.errors).toEqual([failure]);
    seq.push(event(16)); // broken: wait for the next snapshot
    await settle();
    expect(sink.log).toEqual(["snapshot 10", "live 11"]);

    seq.push(snapshot(17)); // the reconnect
    await waitFor(() => fetches.length === 2, 1000, "the replay after the reconnect");
    expect(fetches[1]).toMatchObject({ since: 11 });
    fetches[1]!.resolve(range(12, 17));
    await settle();
    seq.push(event(18));
    await settle();
    expect(sink.log).toEqual(["snapshot 10", "live 11", "replay 12-17", "snapshot 17", "live 18"]);
  });
});

describe("over the real API", () => {
  let api: FakeApi;
  afterAll(() => api?.stop());

  test("the gap is fetched from GET /orchestrator/events?since=, as the dashboard's client sends it", async () => {
    const port = new FakePort();
    for (let i = 0; i < 5; i++) port.publish({ type: "status", payload: { state: "ready", reasons: [] } });
    api = serveFakeApi(port);
    const sink = recorder();
    const messages: StreamMessage[] = [];
    port.subscribe((m) => messages.push(m as StreamMessage));
    const seq = createSequencer(createApiClient(api.url, null), sink, 2);
    seq.push(messages[0]!); // the snapshot at seq 5: history 4-5
    for (let i = 0; i < 3; i++) port.publish({ type: "status", payload: { state: "degraded", reasons: ["x"] } });
    seq.push(messages.at(-1)!); // seq 8 arrives alone: 6 and 7 were missed
    await waitFor(() => sink.log.includes("live 8"), 5000, "the live event");
    expect(sink.log).toEqual(["history 4-5", "snapshot 5", "replay 6-7", "live 8"]);
    expect(api.requests.filter((r) => r.includes("/events"))).toEqual(["GET /orchestrator/events?since=3&limit=1000", "GET /orchestrator/events?since=5&limit=1000"]);
  });
});
