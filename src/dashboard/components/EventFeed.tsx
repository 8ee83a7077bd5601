/** The live event feed: every stored event, newest first, including those replayed after a reconnect. */
import { useState } from "preact/hooks";
import type { StoredEvent } from "../api/sequencer";
import { describeEvent } from "../lib/describe-event";
import { formatClock } from "../lib/format";

const KINDS = ["service", "healing", "incident", "health", "status", "notice"] as const;

export function EventFeed({ events, onSelect }: { events: StoredEvent[]; onSelect(name: string): void }) {
  const [hidden, setHidden] = useState<Set<string>>(new Set(["health"]));
  const shown = events.filter((e) => !hidden.has(e.type));
  const toggle = (kind: string) => {
    const next = new Set(hidden);
    if (next.has(kind)) next.delete(kind);
    else next.add(kind);
    setHidden(next);
  };
  return (
    <section class="feed" aria-label="Event feed">
      <div class="feed-head">
        <h2>Events</h2>
        <div class="feed-kinds">
          {KINDS.map((k) => (
            <label class="kind" key={k}>
              <input type="checkbox" checked={!hidden.has(k)} data-testid={`feed-kind-${k}`} onChange={() => toggle(k)} />
              {k}
            </label>
          ))}
        </div>
      </div>
      <ol class="feed-list" data-testid="feed" aria-live="polite">
        {shown.length === 0 && <li class="empty small">Nothing yet.</li>}
        {shown.slice(0, 200).map((e) => {
          const line = describeEvent(e);
          return (
            <li key={e.seq} class={`feed-item tone-${line.tone}`} data-seq={e.seq} data-type={e.type}>
              <span class="feed-dot" aria-hidden="true" />
              <span class="feed-time">{formatClock(e.ts)}</span>
              <button type="button" class="feed-subject" onClick={() => line.subject !== "system" && onSelect(line.subject)}>
                {line.subject}
              </button>
              <span class="feed-text">{line.text}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
