/** The messages of WS /orchestrator/stream: a snapshot first, then events. */
import { Type, type Static } from "@sinclair/typebox";
import { EventSchema } from "./events";
import { ServiceSummarySchema } from "./service-view";
import { SystemStatusSchema } from "./system-view";

/** The first message on the stream: the state as of `seq`; every later message has a greater seq. */
export const SnapshotSchema = Type.Object({
  type: Type.Literal("snapshot"),
  seq: Type.Integer({ minimum: 0 }),
  ts: Type.Number(),
  payload: Type.Object({ status: SystemStatusSchema, services: Type.Array(ServiceSummarySchema) }),
});

export const StreamMessageSchema = Type.Union([SnapshotSchema, EventSchema]);

export type SnapshotMessage = Static<typeof SnapshotSchema>;
export type SnapshotPayload = SnapshotMessage["payload"];
export type StreamMessage = Static<typeof StreamMessageSchema>;
