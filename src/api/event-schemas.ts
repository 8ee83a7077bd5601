/** Schemas of the event stream and the replay route: the union in src/events/types.ts, as `t`. */
import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { ServiceStateSchema, ServiceSummarySchema, SystemStateSchema, SystemStatusSchema, HealingRecordSchema } from "./schemas";
import { literals } from "./schema-helpers";
import { NOTICE_KINDS } from "../events/types";

const Stamp = {
  seq: Type.Integer({ minimum: 0, description: "Strictly increasing; `log` events repeat the last stored seq." }),
  ts: t.Number({ description: "Epoch milliseconds." }),
};

export const ServiceEventSchema = t.Object({
  ...Stamp,
  type: t.Literal("service"),
  payload: t.Object({ name: t.String(), from: ServiceStateSchema, to: ServiceStateSchema, pid: t.Optional(Type.Integer()), reason: t.Optional(t.String()) }),
});

export const HealthEventSchema = t.Object({
  ...Stamp,
  type: t.Literal("health"),
  payload: t.Object({
    name: t.String(),
    ok: t.Boolean(),
    status: literals(["healthy", "unhealthy"]),
    latencyMs: t.Number(),
    endpoint: t.Optional(t.String()),
    error: t.Optional(t.String()),
  }),
});

export const HealingEventSchema = t.Object({ ...Stamp, type: t.Literal("healing"), payload: HealingRecordSchema });

export const StatusEventSchema = t.Object({
  ...Stamp,
  type: t.Literal("status"),
  payload: t.Object({ state: SystemStateSchema, reasons: t.Array(t.String()) }),
});

export const NoticeEventSchema = t.Object({
  ...Stamp,
  type: t.Literal("notice"),
  payload: t.Object({
    kind: literals(NOTICE_KINDS),
    level: literals(["info", "warn", "error"]),
    message: t.String(),
    path: t.Optional(t.String()),
    pid: t.Optional(Type.Integer()),
    service: t.Optional(t.String()),
  }),
});

export const LogEventSchema = t.Object({
  ...Stamp,
  type: t.Literal("log"),
  payload: t.Object({ name: t.String(), stream: literals(["stdout", "stderr"]), line: t.String() }),
});

/** Any published event, `log` included (the stream sends those only when asked). */
export const EventSchema = t.Union([ServiceEventSchema, HealthEventSchema, HealingEventSchema, StatusEventSchema, NoticeEventSchema, LogEventSchema], {
  examples: [{ seq: 17, ts: 1735689600000, type: "service", payload: { name: "api", from: "starting", to: "healthy", pid: 4242 } }],
});

/** The first message on the stream: the state as of `seq`; every later message has a greater seq. */
export const SnapshotSchema = t.Object({
  type: t.Literal("snapshot"),
  seq: Type.Integer({ minimum: 0 }),
  ts: t.Number(),
  payload: t.Object({ status: SystemStatusSchema, services: t.Array(ServiceSummarySchema) }),
});

export const StreamMessageSchema = t.Union([SnapshotSchema, EventSchema]);
