import { expect, test } from "bun:test";
import { MemoryEventStore } from "../../src/events/memory-store";
import { runRetentionContract, runStoreContract } from "./store-contract";

runStoreContract("memory", () => new MemoryEventStore());
runRetentionContract("memory", (limits) => new MemoryEventStore(limits));

test("memory: a retention limit that is not a positive integer is refused with what was got", () => {
  expect(() => new MemoryEventStore({ maxEvents: 0 })).toThrow("maxEvents must be a positive integer, got 0");
});
