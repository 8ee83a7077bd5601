/** A Fleet over a history file it had to replace: the first event says so, and /status lists it for STORE_REPLACED_CONDITION_MS. */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Fleet } from "../../src/app/fleet";
import { STORE_REPLACED_CONDITION_MS } from "../../src/app/storage-notices";
import { FakeClock } from "../../src/lib/clock";
import { loadConfigSync } from "../../src/manifest/load";

const dir = mkdtempSync(join(tmpdir(), "storage-notices-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a replaced history file: its notice is the first event, its reason is listed for a while, then cleared by itself", async () => {
  const file = join(dir, "orchestrator.yaml");
  writeFileSync(file, JSON.stringify({ version: 1, name: "notices", discovery: { roots: [] }, state: { dir: "state" }, services: { web: { command: ["true"], health: false } } }));
  mkdirSync(join(dir, "state"));
  writeFileSync(join(dir, "state", "orchestrator.db"), "garbage, not SQLite ".repeat(100));
  const clock = new FakeClock();
  const fleet = new Fleet(loadConfigSync(file, { checkCommands: false }).config!, { clock });
  try {
    const [first] = fleet.store.since(0);
    expect(first).toMatchObject({ seq: 1, type: "notice", payload: { kind: "store-replaced", level: "warn" } });
    const reasons = () => fleet.supervisor.snapshot({ history: false }).system.reasons;
    expect(reasons()).toEqual([expect.stringContaining(`history file ${join(dir, "state", "orchestrator.db")} could not be read (file is not a database (SQLITE_NOTADB))`)]);
    await clock.advance(STORE_REPLACED_CONDITION_MS - 1);
    expect(reasons()).toHaveLength(1);
    await clock.advance(1);
    expect(reasons()).toEqual([]);
  } finally {
    await fleet.close();
  }
});
