/**
 * The orchestrator's port: everything the API (and through it the CLI client and the
 * dashboard) may read or do. The API depends on this interface only, never on internals.
 * Its shapes are the contract's schemas (src/contract/), the same ones the API validates
 * responses with and documents in OpenAPI.
 */
import type { ReloadOutcome, ServiceAction, ServiceActionName } from "../contract/actions";
import type { OrchestratorEvent, StoredHealing } from "../contract/events";
import type { GraphJson } from "../contract/graph-json";
import type { LogLine } from "../contract/output";
import type { ServiceDetail, ServiceSummary } from "../contract/service-view";
import type { StreamMessage } from "../contract/stream";
import type { HealthReport, OrchestratorStats, SystemStatus } from "../contract/system-view";
import type { Why } from "../contract/why";

export interface OrchestratorPort {
  readonly name: string;
  status(): SystemStatus;
  services(): ServiceSummary[];
  service(name: string): ServiceDetail | undefined;
  /** Recent output lines, oldest first; undefined for an unknown service. */
  logs(name: string, lines?: number): LogLine[] | undefined;
  healthReport(): HealthReport;
  /** What explains the service's state (SPEC §16); undefined for an unknown service. Reads the history: may throw StoreUnavailableError (503). */
  why(name: string): Why | undefined;
  dependencies(): GraphJson;
  healingHistory(query: { service?: string; limit?: number }): StoredHealing[];
  /** Stored events with seq > since, oldest first (log events are live-only). Reads of the history (this, healingHistory, service) throw StoreUnavailableError (503) when it cannot be read. */
  events(since: number, limit?: number): OrchestratorEvent[];
  stats(): OrchestratorStats;
  /** Throws UnknownServiceError (404), InvalidTransitionError or ShuttingDownError (409). */
  act(action: ServiceActionName, name: string): ServiceAction;
  /** `wait`: answer only once every changed service is ready or rolled back (SPEC §15), and say which. */
  reload(options?: { wait?: boolean }): Promise<ReloadOutcome>;
  /** A snapshot message first, then live events; `logs` names services whose output lines to include. */
  subscribe(handler: (message: StreamMessage) => void, options?: { logs?: string[] }): () => void;
}
