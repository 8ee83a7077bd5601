/** The readable part of the effective config: how the service runs (config-facts.ts), one line each. */
import type { ServiceConfig } from "../api/types";
import { describeRunConfig } from "../lib/config-facts";

export function ConfigFacts({ config }: { config: ServiceConfig }) {
  return (
    <dl class="facts" data-testid="config-facts">
      {describeRunConfig(config).map((f) => (
        <div key={f.key} data-testid={`config-${f.key}`}>
          <dt>{f.label}</dt>
          <dd class={f.mono ? "mono" : undefined}>{f.value}</dd>
        </div>
      ))}
    </dl>
  );
}
