/** The readable part of the effective config: how it becomes ready (readiness-facts.ts) and how it runs (config-facts.ts), one line each. */
import type { ServiceConfig, ServiceSummary } from "../api/types";
import { describeRunConfig } from "../lib/config-facts";
import { describeReadiness } from "../lib/readiness-facts";

export function ConfigFacts({ config, readiness }: { config: ServiceConfig; readiness?: ServiceSummary["readiness"] }) {
  return (
    <dl class="facts" data-testid="config-facts">
      {[...describeReadiness(config, readiness), ...describeRunConfig(config)].map((f) => (
        <div key={f.key} data-testid={`config-${f.key}`}>
          <dt>{f.label}</dt>
          <dd class={f.mono ? "mono" : undefined}>{f.value}</dd>
        </div>
      ))}
    </dl>
  );
}
