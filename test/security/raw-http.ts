/**
 * One HTTP/1.1 request written by hand over a real TCP socket, for what `fetch` cannot send:
 * any method exactly as written (Bun's fetch turns an unknown method into GET), any Host, no
 * Host at all, an HTTP/1.0 request line, a WebSocket upgrade.
 */
export interface RawReply {
  /** Bytes the server sent before closing (0: it closed without an answer). */
  bytes: number;
  status: number | null;
  headers: Record<string, string>;
  body: string;
}

/**
 * Send `lines` (request line and headers, no trailing blank line) and read until one whole
 * response has come (a 101, or the headers and Content-Length bytes of body), the server
 * closes, or `timeoutMs` passes.
 */
export async function rawRequest(port: number, lines: string[], timeoutMs = 5000): Promise<RawReply> {
  const chunks: Buffer[] = [];
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data: (_s, data) => {
        chunks.push(Buffer.from(data));
        if (isComplete(Buffer.concat(chunks))) finish();
      },
      close: () => finish(),
      end: () => finish(),
      error: () => finish(),
    },
  });
  socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  const timer = setTimeout(finish, timeoutMs);
  await done;
  clearTimeout(timer);
  socket.end();
  return parseReply(Buffer.concat(chunks).toString("utf8"));
}

/** A GET (or `method`) of `path` with `Host: host` and `Connection: close`. */
export function rawGet(port: number, path: string, options: { method?: string; host?: string; headers?: string[] } = {}): Promise<RawReply> {
  const host = options.host ?? `127.0.0.1:${port}`;
  return rawRequest(port, [`${options.method ?? "GET"} ${path} HTTP/1.1`, `Host: ${host}`, "Connection: close", ...(options.headers ?? [])]);
}

function isComplete(received: Buffer): boolean {
  const split = received.indexOf("\r\n\r\n");
  if (split < 0) return false;
  const head = received.subarray(0, split).toString("latin1");
  if (/^HTTP\/1\.[01] 101/.test(head)) return true;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  return length !== null && received.length - split - 4 >= Number(length[1]);
}

function parseReply(text: string): RawReply {
  const bytes = Buffer.byteLength(text);
  const split = text.indexOf("\r\n\r\n");
  const head = split < 0 ? text : text.slice(0, split);
  const [statusLine = "", ...headerLines] = head.split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { bytes, status: status ? Number(status[1]) : null, headers, body: split < 0 ? "" : text.slice(split + 4) };
}
