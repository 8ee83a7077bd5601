import { afterAll, beforeAll, expect, test } from "bun:test";
import net from "node:net";
import { ApiServerError, createApi, startApiServer, type RunningApi } from "../../src/api";
import { waitFor } from "../helpers/processes";
import { startApiFleet, type ApiFleet } from "../helpers/fleet-harness";
import { connect, type RecordingClient } from "./ws-client";

const CLIENTS = 100;
const BACKLOG = 256 * 1024;

// `flood` writes ~1 KB lines for 3 s whenever it is started; it is how a client that asks for
// its logs and never reads falls behind.
const flood = { fixture: "flood-stdout.ts", env: { FLOOD_MS: "3000", LINE_BYTES: "1000" }, health: false, restart: { policy: "never" } };

let h: ApiFleet;
let server: RunningApi;
let stalled: ReturnType<typeof stallClient>;
const clients: RecordingClient[] = [];
beforeAll(async () => {
  h = await startApiFleet({ services: { flood }, stream: { maxBacklogBytes: BACKLOG } });
  await waitFor(() => h.port.service("flood")?.state === "completed", 30_000, "the first flood to finish");
  server = startApiServer(h.api, { host: "127.0.0.1", port: h.apiPort });
});
afterAll(async () => {
  for (const c of clients) c.ws.close();
  stalled?.socket.destroy();
  await server?.stop();
  await h?.cleanup();
});

/** A raw TCP client that completes the WebSocket handshake, then stops reading. */
function stallClient(port: number, path: string) {
  const socket = net.createConnection({ host: "127.0.0.1", port });
  const state = { socket, chunks: [] as Buffer[], handshake: "", ended: false };
  socket.on("data", (d: Buffer) => {
    state.chunks.push(d);
    if (!state.handshake) {
      state.handshake = d.toString("latin1").split("\r\n")[0]!;
      socket.pause();
    }
  });
  socket.on("close", () => (state.ended = true));
  socket.on("error", () => {});
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  return state;
}

/** The close frame in a server's byte stream (frames after the HTTP head), if there is one. */
function findCloseFrame(bytes: Buffer): { code: number; reason: string } | null {
  let at = bytes.indexOf("\r\n\r\n") + 4;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at]! & 0x0f;
    let len = bytes[at + 1]! & 0x7f;
    let head = 2;
    if (len === 126) [len, head] = [bytes.readUInt16BE(at + 2), 4];
    else if (len === 127) [len, head] = [Number(bytes.readBigUInt64BE(at + 2)), 10];
    if (at + head + len > bytes.length) return null;
    if (opcode === 8) return { code: bytes.readUInt16BE(at + head), reason: bytes.subarray(at + head + 2, at + head + len).toString("utf8") };
    at += head + len;
  }
  return null;
}

const post = (path: string) => fetch(`${server.url}${path}`, { method: "POST" });

async function restart(name: string): Promise<void> {
  const before = h.pidsByName()[name];
  const res = await post(`/orchestrator/restart/${name}`);
  expect(res.status).toBe(202);
  await waitFor(() => h.port.service(name)?.state === "healthy" && h.pidsByName()[name] !== before, 20_000, `${name} back with a new pid`);
}

test(`${CLIENTS} clients get the snapshot then every event in order while a stalled client is dropped`, async () => {
  const baseline = h.port.stats().events.subscribers;
  stalled = stallClient(server.port, "/orchestrator/stream?logs=flood");
  await waitFor(() => stalled.handshake !== "", 10_000, "the stalled client's handshake");
  expect(stalled.handshake).toBe("HTTP/1.1 101 Switching Protocols");

  const url = `ws://127.0.0.1:${server.port}/orchestrator/stream`;
  for (let i = 0; i < CLIENTS; i++) clients.push(connect(url));
  const leaver = connect(url);
  await Promise.all([...clients, leaver].map((c) => c.opened));
  expect(h.port.stats().events.subscribers).toBe(baseline + CLIENTS + 2);

  // the flood fills the stalled client's socket buffers, then its backlog passes the bound
  expect((await post("/orchestrator/start/flood")).status).toBe(202);
  await waitFor(() => h.port.stats().events.subscribers === baseline + CLIENTS + 1, 30_000, "the stalled client to be dropped");

  await restart("api");
  await waitFor(() => leaver.messages.some((m) => m.type === "service" && (m.payload as { to: string }).to === "healthy"), 10_000, "the leaver to see a recovery");
  const leftAt = leaver.messages.at(-1)!.seq;
  leaver.ws.close();
  await restart("worker");
  await restart("api");
  await waitFor(() => h.port.service("flood")?.state === "completed", 30_000, "the flood to finish");

  const last = h.port.stats().events.lastSeq;
  await waitFor(() => clients.every((c) => c.messages.at(-1)?.seq === last), 20_000, `every client to reach seq ${last}`);
  for (const [i, c] of clients.entries()) {
    const [snapshot, ...events] = c.messages;
    expect({ i, first: snapshot!.type }).toEqual({ i, first: "snapshot" });
    const seqs = events.map((e) => e.seq);
    const expected = Array.from({ length: last - snapshot!.seq }, (_, k) => snapshot!.seq + 1 + k);
    expect({ i, seqs }).toEqual({ i, seqs: expected });
    expect(events.some((e) => e.type === "log")).toBe(false);
    expect(c.closed).toBeNull();
  }
  const restartsSeen = clients[0]!.messages.filter((m) => m.type === "healing" && (m.payload as { action: string }).action === "manual-restart");
  expect(restartsSeen.length).toBe(3);

  // what the leaver missed is exactly what the others saw after its last seq
  const replay = (await (await fetch(`${server.url}/orchestrator/events?since=${leftAt}`)).json()) as { seq: number }[];
  expect(replay).toEqual(clients[0]!.messages.filter((m) => m.seq > leftAt) as never);

  // the stalled client, once it reads again, finds the close frame with code 1013 and the seq to replay from
  stalled.socket.resume();
  await waitFor(() => stalled.ended || findCloseFrame(Buffer.concat(stalled.chunks)) !== null, 20_000, "the close frame to arrive");
  const frame = findCloseFrame(Buffer.concat(stalled.chunks));
  expect(frame?.code).toBe(1013);
  expect(frame?.reason).toMatch(/^too slow: backlog over 262144 bytes; replay with \?since=\d+$/);
});

test("a port in use is an ApiServerError with code ADDRESS_IN_USE", () => {
  const other = createApi(h.port, { cors: [], host: "127.0.0.1", port: server.port });
  let error: unknown;
  try {
    startApiServer(other, { host: "127.0.0.1", port: server.port });
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ApiServerError);
  expect(error).toMatchObject({ code: "ADDRESS_IN_USE", message: `cannot listen on 127.0.0.1:${server.port}: the port is already in use (set api.port to a free port)` });
});
