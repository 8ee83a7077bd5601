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
          {hadToken ? "The stored token was refused. " : ""}This orchestrator needs a token (<code>api.token</code> in its manifest) to show its services, their output and history, and to act on them.
        </p>
        <p class="muted">After too many wrong tokens, every token from this address is refused for up to a minute.</p>
        <input type="password" autoFocus autoComplete="current-password" placeholder="Token" aria-label="API token" data-testid="token-input" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        <button type="submit" class="btn btn-primary" data-testid="token-submit" disabled={!value.trim()}>
          Connect
        </button>
      </form>
    </div>
  );
}
