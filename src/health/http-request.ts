/**
 * One HTTP GET over a raw loopback socket, reading only the status line.
 * Cheaper than `fetch` for probes (see bench/probe-cost.ts): no Response, headers or body objects.
 */
import type { Socket } from "bun";
import { systemClock, type Clock } from "../lib/clock";

export interface StatusTarget {
  host: string;
  port: number;
  path: string;
}

/**
 * `status`: the server answered with a status line; `no-response`: it accepted the connection
 * but closed it without one (treated like "no such route"); `failed`: refused, reset;
 * `timeout`: no status line within the time given.
 */
export type StatusOutcome =
  | { kind: "status"; status: number }
  | { kind: "timeout"; error: string }
  | { kind: "no-response"; error: string }
  | { kind: "failed"; error: string };

const MAX_HEAD_BYTES = 1024;

/** GET `path` with `Connection: close` and resolve with the status code; never rejects. */
export function requestStatus(target: StatusTarget, timeoutMs: number, clock: Clock = systemClock): Promise<StatusOutcome> {
  return new Promise((resolve) => {
    let head = "";
    let settled = false;
    let socket: Socket<undefined> | undefined;
    const settle = (outcome: StatusOutcome): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      socket?.end();
      resolve(outcome);
    };
    const timer = clock.setTimeout(() => settle({ kind: "timeout", error: `timeout after ${timeoutMs}ms` }), timeoutMs);
    const request = buildRequest(target);
    Bun.connect({
      hostname: target.host,
      port: target.port,
      socket: {
        open(s) {
          socket = s;
          if (settled) s.end();
          else s.write(request);
        },
        data(_s, chunk) {
          head += chunk.toString("latin1");
          const eol = head.indexOf("\r\n");
          if (eol >= 0 || head.length > MAX_HEAD_BYTES) settle(parseStatusLine(eol >= 0 ? head.slice(0, eol) : head));
        },
        end() {
          settle({ kind: "no-response", error: "connection closed without a response" });
        },
        close(_s, error) {
          settle(error ? { kind: "failed", error: describeError(error) } : { kind: "no-response", error: "connection closed without a response" });
        },
        error(_s, error) {
          settle({ kind: "failed", error: describeError(error) });
        },
        connectError(_s, error) {
          settle({ kind: "failed", error: describeError(error) });
        },
      },
    }).then(
      (s) => {
        socket = s;
        if (settled) s.end();
      },
      (error: unknown) => settle({ kind: "failed", error: describeError(error) }),
    );
  });
}

function buildRequest({ host, port, path }: StatusTarget): string {
  const hostHeader = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return `GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: orchestrator-probe\r\nConnection: close\r\n\r\n`;
}

function parseStatusLine(line: string): StatusOutcome {
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(line);
  if (!match) return { kind: "failed", error: `not an HTTP response: ${JSON.stringify(line.slice(0, 40))}` };
  return { kind: "status", status: Number(match[1]) };
}

/** "ECONNREFUSED" rather than a long message, when the error carries a code. */
export function describeError(error: unknown): string {
  if (error && typeof error === "object") {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code) return code;
    const message = (error as { message?: unknown }).message;
    if (typeof message === "string" && message) return message;
  }
  return String(error);
}
