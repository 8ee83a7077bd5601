/** Restart / stop / start, each asking for confirmation and then showing what the API said. */
import { useState } from "preact/hooks";
import { ApiResponseError, type ApiClient } from "../api/client";
import type { ServiceActionName, ServiceSummary } from "../api/types";

type Outcome = { kind: "idle" } | { kind: "confirm"; action: ServiceActionName } | { kind: "busy"; action: ServiceActionName } | { kind: "done"; ok: boolean; text: string };

const VERBS: Record<ServiceActionName, string> = { restart: "Restart", stop: "Stop", start: "Start" };

interface Props {
  client: ApiClient;
  service: ServiceSummary;
  onDone(): void;
  onUnauthorized(): void;
}

export function ActionBar({ client, service, onDone, onUnauthorized }: Props) {
  const [outcome, setOutcome] = useState<Outcome>({ kind: "idle" });
  const running = service.state !== "stopped" && service.state !== "stopping";

  async function run(action: ServiceActionName) {
    setOutcome({ kind: "busy", action });
    try {
      const r = await client.act(action, service.name);
      setOutcome({ kind: "done", ok: true, text: `${VERBS[action]} accepted (was ${r.from}).` });
      onDone();
    } catch (err) {
      if (err instanceof ApiResponseError && err.unauthorized) onUnauthorized();
      const text = err instanceof ApiResponseError ? `${err.status ? `${err.status} ` : ""}${err.message}` : String(err);
      setOutcome({ kind: "done", ok: false, text: `${VERBS[action]} refused: ${text}` });
    }
  }

  if (outcome.kind === "confirm") {
    const danger = outcome.action !== "start";
    return (
      <div class="actions confirm" role="alertdialog" aria-label="Confirm action" data-testid="confirm">
        <span>
          {VERBS[outcome.action]} <strong>{service.name}</strong>?
        </span>
        <button type="button" class={`btn ${danger ? "btn-danger" : "btn-primary"}`} data-testid="confirm-yes" onClick={() => run(outcome.action)}>
          Yes, {outcome.action}
        </button>
        <button type="button" class="btn" data-testid="confirm-no" onClick={() => setOutcome({ kind: "idle" })}>
          Cancel
        </button>
      </div>
    );
  }

  const busy = outcome.kind === "busy";
  const ask = (action: ServiceActionName) => () => setOutcome({ kind: "confirm", action });
  return (
    <div class="actions-wrap">
      <div class="actions">
        <button type="button" class="btn btn-primary" data-testid="action-restart" disabled={busy} onClick={ask("restart")}>
          Restart
        </button>
        <button type="button" class="btn" data-testid="action-stop" disabled={busy || !running} onClick={ask("stop")}>
          Stop
        </button>
        <button type="button" class="btn" data-testid="action-start" disabled={busy || running} onClick={ask("start")}>
          Start
        </button>
      </div>
      {busy && <p class="action-result">Sending {outcome.action}…</p>}
      {outcome.kind === "done" && (
        <p class={`action-result ${outcome.ok ? "ok" : "bad"}`} role="status" data-testid="action-result">
          {outcome.text}
        </p>
      )}
    </div>
  );
}
