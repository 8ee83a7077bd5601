/** Test helpers for the stream: open a client that records every message, or probe an upgrade's HTTP answer. */

export interface RecordingClient {
  ws: WebSocket;
  messages: { type: string; seq: number; payload: unknown }[];
  closed: { code: number; reason: string } | null;
  opened: Promise<void>;
}

/** Connect and record every message; `opened` resolves on the first message (the snapshot). */
export function connect(url: string, headers?: Record<string, string>): RecordingClient {
  const ws = new WebSocket(url, headers ? ({ headers } as unknown as string[]) : undefined);
  const client: RecordingClient = { ws, messages: [], closed: null, opened: Promise.resolve() };
  client.opened = new Promise((resolve, reject) => {
    ws.onmessage = (e) => {
      client.messages.push(JSON.parse(String(e.data)));
      resolve();
    };
    ws.onclose = (e) => {
      client.closed = { code: e.code, reason: e.reason };
      reject(new Error(`closed before the snapshot: ${e.code} ${e.reason}`));
    };
  });
  client.opened.catch(() => {});
  return client;
}

/** The HTTP answer to a WebSocket upgrade request (401/403/404 for a refused one). */
export async function probeUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(url.replace(/^ws/, "http"), {
    headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13", ...headers },
  });
  const body = res.status === 101 ? "" : await res.text();
  return { status: res.status, body, headers: res.headers };
}
