/** The state lists of ./states.ts as schemas, for the read model and the events. */
import { Type } from "@sinclair/typebox";
import { literals } from "./schema-helpers";
import { SERVICE_STATES, SYSTEM_STATES, type ServiceState } from "./states";

export const ServiceStateSchema = literals(SERVICE_STATES, { description: "A service's state (SPEC §9)." });
export const SystemStateSchema = literals(SYSTEM_STATES, { description: "The orchestrator's overall state." });

/** How many services are in each state: every state is a key, 0 when none. */
export const StateCountsSchema = Type.Object(
  Object.fromEntries(SERVICE_STATES.map((state) => [state, Type.Integer({ minimum: 0 })])) as Record<ServiceState, ReturnType<typeof Type.Integer>>,
);
