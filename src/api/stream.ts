/**
 * WS /orchestrator/stream: a `snapshot`, then every event as `{seq, ts, type, payload}`.
 * The bus calls our handler synchronously, so it never waits on a socket: each message is
 * handed to Bun's send buffer, and a client whose unsent backlog passes the bound is closed
 * (1013, with the seq to replay from) rather than held in memory or allowed to slow the others.
 */
import { Elysia } from "elysia";
import type { ServerWebSocket } from "bun";
import type { BusMessage } from "../events/bus";
import { clientAddress, type ApiContext } from "./context";
import { ApiError } from "./errors";
import { requireTrustedOrigin } from "./origins";
import { StreamQuery } from "./request-schemas";

export const DEFAULT_MAX_BACKLOG_BYTES = 1024 * 1024;
/** Close codes: 1013 "try again later" when a client falls behind. */
export const CLOSE_TOO_SLOW = 1013;

export interface StreamOptions {
  /** Unsent bytes a client may accumulate before it is dropped (default 1 MiB). */
  maxBacklogBytes?: number;
}

interface Client {
  unsubscribe: () => void;
  lastSeq: number;
  closed: boolean;
}

export function streamRoute(ctx: ApiContext, options: StreamOptions = {}) {
  const limit = options.maxBacklogBytes ?? DEFAULT_MAX_BACKLOG_BYTES;
  const clients = new WeakMap<object, Client>();
  return new Elysia({ name: "orchestrator-stream" }).ws("/orchestrator/stream", {
    query: StreamQuery,
    beforeHandle({ request, query, server }) {
      requireTrustedOrigin(ctx.origins, request);
      ctx.auth.require(request, clientAddress(server, request), true);
      const unknown = splitNames(query.logs).filter((name) => !ctx.port.service(name));
      if (unknown.length > 0) throw new ApiError("UNKNOWN_SERVICE", 404, `query.logs: expected names of services, got unknown ${unknown.map((n) => JSON.stringify(n)).join(", ")}`);
    },
    open(ws) {
      const raw = ws.raw as ServerWebSocket<unknown>;
      const client: Client = { unsubscribe: () => {}, lastSeq: 0, closed: false };
      clients.set(raw, client);
      const send = (message: BusMessage) => sendBounded(raw, client, message, limit);
      client.unsubscribe = ctx.port.subscribe(send, { logs: splitNames(ws.data.query.logs) });
      if (client.closed) client.unsubscribe(); // dropped while sending the snapshot
    },
    close(ws) {
      const client = clients.get(ws.raw);
      if (!client) return;
      client.closed = true;
      client.unsubscribe();
      clients.delete(ws.raw);
    },
    message() {
      // the stream is one-way; anything a client sends is ignored
    },
    detail: { hide: true },
  });
}

function sendBounded(raw: ServerWebSocket<unknown>, client: Client, message: BusMessage, limit: number): void {
  if (client.closed) return;
  if (raw.getBufferedAmount() > limit) return drop(raw, client, `backlog over ${limit} bytes`);
  const result = raw.send(JSON.stringify(message));
  // -1: queued behind backpressure (bounded by the check above); 0: Bun dropped it, a gap
  if (result === 0) return drop(raw, client, "message dropped");
  if (message.type !== "log") client.lastSeq = message.seq;
}

function drop(raw: ServerWebSocket<unknown>, client: Client, why: string): void {
  client.closed = true;
  client.unsubscribe();
  // a close reason has at most 123 bytes
  raw.close(CLOSE_TOO_SLOW, `too slow: ${why}; replay with ?since=${client.lastSeq}`.slice(0, 123));
}

function splitNames(list: string | undefined): string[] {
  return list ? [...new Set(list.split(",").filter(Boolean))] : [];
}
