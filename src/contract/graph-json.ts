/** The dependency graph as `GET /orchestrator/dependencies` serves it; src/graph/types.ts builds on its edge. */
import { Type, type Static } from "@sinclair/typebox";
import { DependencyConditionSchema } from "./config";
import { Nullable } from "./schema-helpers";

/** `from` depends on `to`, and waits for `to` to reach `condition`. */
export const GraphEdgeSchema = Type.Object({ from: Type.String(), to: Type.String(), condition: DependencyConditionSchema });

/** A graph node whose port is always present (null when unset), so JSON never drops the key. */
export const GraphJsonNodeSchema = Type.Object({
  name: Type.String(),
  phase: Type.Integer({ minimum: 0 }),
  phaseName: Type.String(),
  critical: Type.Boolean(),
  optional: Type.Boolean(),
  disabled: Type.Boolean(),
  port: Nullable(Type.Integer()),
});

export const GraphJsonSchema = Type.Object(
  {
    nodes: Type.Array(GraphJsonNodeSchema),
    edges: Type.Array(GraphEdgeSchema),
    phases: Type.Array(Type.String()),
    order: Type.Array(Type.String(), { description: "Start order." }),
  },
  {
    examples: [
      {
        nodes: [
          { name: "db", phase: 0, phaseName: "critical", critical: true, optional: false, disabled: false, port: 5432 },
          { name: "api", phase: 1, phaseName: "core", critical: false, optional: false, disabled: false, port: 4001 },
        ],
        edges: [{ from: "api", to: "db", condition: "healthy" }],
        phases: ["critical", "core"],
        order: ["db", "api"],
      },
    ],
  },
);

export type GraphEdge = Static<typeof GraphEdgeSchema>;
export type GraphJsonNode = Static<typeof GraphJsonNodeSchema>;
export type GraphJson = Static<typeof GraphJsonSchema>;
