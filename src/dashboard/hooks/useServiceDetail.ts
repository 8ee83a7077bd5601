/**
 * One service in depth for the details panel: GET /services/:name (re-read, throttled, when
 * its events move), its recent output, and live output lines over a stream with `?logs=`.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { ApiClient } from "../api/client";
import { openStream } from "../api/stream";
import type { LogLine, ServiceDetail, Why } from "../api/types";

const LOG_LINES = 200;
const THROTTLE_MS = 750;

export interface ServiceDetailView {
  detail: ServiceDetail | null;
  /** The explanation shown on top (null until read, or when the API has none). */
  why: Why | null;
  logs: LogLine[];
  error: string | null;
  /** Re-read now (after an action). */
  refresh(): void;
}

export function useServiceDetail(client: ApiClient, name: string, touchedSeq: number): ServiceDetailView {
  const [detail, setDetail] = useState<ServiceDetail | null>(null);
  const [why, setWhy] = useState<Why | null>(null);
  const [logs, setLogs] = useState<LogLine[]>([]);
  const [error, setError] = useState<string | null>(null);
  const lastRead = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** The touchedSeq the last read already covers (the mount's read covers the first). */
  const readSeq = useRef(touchedSeq);

  const read = () => {
    lastRead.current = Date.now();
    client.service(name).then(
      (d) => (setDetail(d), setError(null)),
      (err: Error) => setError(err.message),
    );
    client.why(name).then(setWhy, () => setWhy(null));
  };

  useEffect(() => {
    setDetail(null);
    setWhy(null);
    setLogs([]);
    read();
    return () => {
      clearTimeout(timer.current);
      timer.current = undefined; // else the throttle below would wait for a timer that never fires
    };
  }, [client, name]);

  useEffect(() => {
    if (touchedSeq === readSeq.current || timer.current) return;
    readSeq.current = touchedSeq;
    const wait = Math.max(0, lastRead.current + THROTTLE_MS - Date.now());
    timer.current = setTimeout(() => {
      timer.current = undefined;
      read();
    }, wait);
  }, [touchedSeq]);

  useEffect(() => {
    const stream = openStream(client, {
      logs: name,
      onState(state) {
        // output is live-only: after every (re)connect, start again from the stored tail
        if (state.kind === "open") client.logs(name, LOG_LINES).then(setLogs, () => undefined);
      },
      onMessage(message) {
        if (message.type !== "log" || message.payload.name !== name) return;
        const { stream: which, line } = message.payload;
        setLogs((prev) => [...prev, { ts: message.ts, stream: which, line }].slice(-LOG_LINES));
      },
    });
    return () => stream.close();
  }, [client, name]);

  return { detail, why, logs, error, refresh: read };
}
