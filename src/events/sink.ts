import type { EventBody, OrchestratorEvent } from "../contract/events";

/** The port the supervisor emits into; the bus implements it. */
export interface EventSink {
  emit(body: EventBody): OrchestratorEvent;
}
