/** Asks for the API token when the orchestrator requires one; it is kept in this browser's storage. */
import { useState } from "preact/hooks";

export function TokenPrompt({ hadToken, onSubmit }: { hadToken: boolean; onSubmit(token: string): void }) {
  const [value, setValue] = useState("");
  return (
    <div class="modal-backdrop">
      <form
        class="modal"
        data-testid="token-prompt"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onSubmit(value.trim());
        }}
      >
        <h2>API token required</h2>
        <p class="muted">
          {hadToken ? "The stored token was refused. " : ""}This orchestrator needs a token (<code>api.token</code> in its manifest) for the live stream and for actions.
        </p>
        <input type="password" autoFocus autoComplete="current-password" placeholder="Token" aria-label="API token" data-testid="token-input" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        <button type="submit" class="btn btn-primary" data-testid="token-submit" disabled={!value.trim()}>
          Connect
        </button>
      </form>
    </div>
  );
}
