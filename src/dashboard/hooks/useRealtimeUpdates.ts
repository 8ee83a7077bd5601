/**
 * The live connection: opens the stream, reconnects with backoff, and hands on a snapshot
 * and then every stored event exactly once and in order (gaps are replayed with `?since`).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { ApiClient } from "../api/client";
import { createSequencer, type SequencerSink } from "../api/sequencer";
import { openStream, type StreamHandle, type StreamState } from "../api/stream";

export interface RealtimeOptions {
  /** How many stored events before the first snapshot to fetch as history (0: none). */
  history?: number;
  /** Bump to reconnect (e.g. after a new token). */
  generation?: number;
}

export interface Realtime {
  connection: StreamState;
  reconnect(): void;
}

export function useRealtimeUpdates(client: ApiClient, sink: SequencerSink, options: RealtimeOptions = {}): Realtime {
  const [connection, setConnection] = useState<StreamState>({ kind: "connecting" });
  const sinkRef = useRef(sink);
  sinkRef.current = sink;
  const handleRef = useRef<StreamHandle | null>(null);

  useEffect(() => {
    const sequencer = createSequencer(
      client,
      {
        snapshot: (payload, seq) => sinkRef.current.snapshot(payload, seq),
        events: (events, origin) => sinkRef.current.events(events, origin),
        failed: (error) => {
          sinkRef.current.failed?.(error);
          handleRef.current?.reconnect();
        },
      },
      options.history ?? 0,
    );
    const handle = openStream(client, { onMessage: sequencer.push, onState: setConnection });
    handleRef.current = handle;
    return () => handle.close();
  }, [client, options.history, options.generation]);

  return { connection, reconnect: () => handleRef.current?.reconnect() };
}
