/** TCP probe: healthy when a connection opens; the socket is closed at once. */
import { systemClock, type Clock } from "../lib/clock";
import { describeError } from "./http-request";
import type { Probe } from "./probe";
import type { ProbeResult } from "../contract/service-view";
import { startCheck } from "./probe-timing";

export interface TcpProbeOptions {
  host: string;
  port: number;
  clock?: Clock;
}

/** Create a probe that connects to host:port and closes the connection. */
export function createTcpProbe(options: TcpProbeOptions): Probe {
  const clock = options.clock ?? systemClock;
  const endpoint = `${options.host}:${options.port}`;
  return {
    check(timeoutMs) {
      const timing = startCheck(clock, timeoutMs);
      return new Promise<ProbeResult>((resolve) => {
        let settled = false;
        const settle = (ok: boolean, error?: string) => {
          if (settled) return;
          settled = true;
          timer.cancel();
          resolve(timing.finish(ok, endpoint, error));
        };
        const timer = clock.setTimeout(() => settle(false, `timeout after ${timeoutMs}ms`), timeoutMs);
        Bun.connect({
          hostname: options.host,
          port: options.port,
          socket: {
            open(socket) {
              socket.end();
              settle(true);
            },
            data() {},
            error: (_s, error) => settle(false, describeError(error)),
            connectError: (_s, error) => settle(false, describeError(error)),
          },
        }).then(
          (socket) => {
            if (settled) socket.end();
          },
          (error: unknown) => settle(false, describeError(error)),
        );
      });
    },
  };
}
