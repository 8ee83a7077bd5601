/**
 * A WebSocket to /orchestrator/stream that reconnects by itself with exponential backoff
 * (0.5 s doubling to 10 s, plus jitter) and reports its state: connecting, open,
 * reconnecting (with the delay), or unauthorized (the token is missing or wrong).
 */
import { ApiResponseError, type ApiClient } from "./client";
import type { StreamMessage } from "./types";

export type StreamState =
  | { kind: "connecting" }
  | { kind: "open" }
  | { kind: "reconnecting"; attempt: number; retryInMs: number }
  | { kind: "unauthorized" };

export interface StreamOptions {
  logs?: string;
  onMessage(message: StreamMessage): void;
  onState?(state: StreamState): void;
}

export interface StreamHandle {
  close(): void;
  /** Reconnect now (after a new token, or a user's "retry"). */
  reconnect(): void;
}

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 10_000;
/** Close codes a server may use to say "bad token" (4401 mirrors HTTP 401; 1008 is policy violation). */
const AUTH_CLOSE_CODES = new Set([4401, 4403, 1008]);

export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 + 0.2 * random()));
}

export function openStream(client: ApiClient, options: StreamOptions): StreamHandle {
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let closed = false;
  const setState = (state: StreamState) => options.onState?.(state);

  function connect(): void {
    clearTimeout(timer);
    setState(attempt === 0 ? { kind: "connecting" } : { kind: "reconnecting", attempt, retryInMs: 0 });
    let opened = false;
    const ws = new WebSocket(client.streamUrl({ logs: options.logs }));
    socket = ws;
    ws.onopen = () => {
      opened = true;
      attempt = 0;
      setState({ kind: "open" });
    };
    ws.onmessage = (e) => {
      if (typeof e.data !== "string") return;
      try {
        options.onMessage(JSON.parse(e.data) as StreamMessage);
      } catch (err) {
        console.error("stream: bad message", err);
      }
    };
    ws.onclose = (e) => {
      if (socket !== ws || closed) return;
      socket = null;
      if (AUTH_CLOSE_CODES.has(e.code)) return setState({ kind: "unauthorized" });
      if (opened) return scheduleRetry();
      // never opened: a refused upgrade looks like any network error, so ask over HTTP
      void client.tokenRefused().then(
        (refused) => {
          if (closed || socket) return;
          if (refused) setState({ kind: "unauthorized" });
          else scheduleRetry();
        },
        (err: unknown) => {
          if (closed || socket) return;
          // 429: too many wrong tokens from here; asking for another one is the way on
          if (err instanceof ApiResponseError && err.unauthorized) setState({ kind: "unauthorized" });
          else scheduleRetry();
        },
      );
    };
  }

  function scheduleRetry(): void {
    attempt += 1;
    const retryInMs = backoffDelay(attempt);
    setState({ kind: "reconnecting", attempt, retryInMs });
    timer = setTimeout(connect, retryInMs);
  }

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      const ws = socket;
      socket = null;
      ws?.close();
    },
    reconnect() {
      if (closed) return;
      const ws = socket;
      socket = null;
      ws?.close();
      attempt = 0;
      connect();
    },
  };
}
