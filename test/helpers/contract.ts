/**
 * The one place tests import the shared shapes from: the read model's schemas (what the API
 * validates and documents) and the port's types, all defined once in src/contract/.
 */
export * from "../../src/contract/actions";
export * from "../../src/contract/events";
export * from "../../src/contract/graph-json";
export * from "../../src/contract/output";
export * from "../../src/contract/service-view";
export * from "../../src/contract/states";
export * from "../../src/contract/stream";
export * from "../../src/contract/system-view";
export type { ServiceConfig } from "../../src/contract/config";
export type { OrchestratorPort } from "../../src/app/port";
export type { BusMessage } from "../../src/events/bus";
