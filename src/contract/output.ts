/** A service's output lines: what the ring buffer keeps, `GET .../logs` returns and `log` events carry. */
import { Type, type Static } from "@sinclair/typebox";
import { literals } from "./schema-helpers";

export const OUTPUT_STREAMS = ["stdout", "stderr"] as const;

export type StreamName = (typeof OUTPUT_STREAMS)[number];

export const StreamNameSchema = literals(OUTPUT_STREAMS);

export const LogLineSchema = Type.Object({ ts: Type.Number({ description: "Epoch milliseconds." }), stream: StreamNameSchema, line: Type.String() });

export type LogLine = Static<typeof LogLineSchema>;
