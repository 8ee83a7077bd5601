/**
 * The dashboard header says when storage fails, and stops saying it once it recovers: the
 * compiled binary with its state.dir on a small tmpfs that the test fills to the last byte,
 * seen in a real browser (playwright-core driving Debian's chromium).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { BinaryRun, ensureBinary, writeFleetDir } from "../helpers/binary-run";
import { fixtureCommand, freePort, waitFor } from "../helpers/processes";
import { quickManifest } from "../helpers/quick-manifest";
import { fillDisk, mountTmpfs, unmountTmpfs } from "../helpers/tmpfs";

const CHROMIUM = "/usr/bin/chromium";
const disk = existsSync(CHROMIUM) ? mountTmpfs("4m") : { dir: null, skip: `${CHROMIUM} is missing (apt-get install -y chromium)` };
if (disk.skip) console.warn(`skipped: the dashboard storage test: ${disk.skip}`);

let run: BinaryRun | undefined;
let context: BrowserContext | undefined;
let profile: string | undefined;
beforeAll(() => {
  if (!disk.skip) ensureBinary();
});
afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await run?.cleanup();
  unmountTmpfs(disk.dir);
}, 30_000);

test.skipIf(disk.skip !== null)(`the header shows Storage: failing while writes fail, and not after${disk.skip ? ` (skipped: ${disk.skip})` : ""}`, async () => {
  const apiPort = freePort();
  run = new BinaryRun(
    writeFleetDir(quickManifest("dash-storage", { apiPort, stateDir: disk.dir!, services: { web: { command: fixtureCommand("healthy.ts"), port: freePort(), health: { http: "/health" } } } })),
    ["up"],
  );
  await run.waitRecord((r) => r.msg === "SYSTEM READY", 20_000, "SYSTEM READY");
  const { chromium } = await import("playwright-core");
  profile = mkdtempSync(join(tmpdir(), "orch-chromium-"));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
  const page: Page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`http://127.0.0.1:${apiPort}/`);
  await page.locator('[data-testid="system-state"]', { hasText: "ready" }).waitFor({ timeout: 20_000 });
  expect(await page.locator('[data-testid="storage-alert"]').count()).toBe(0);

  fillDisk(join(disk.dir!, "filler"));
  const services = async () => (await (await fetch(`http://127.0.0.1:${apiPort}/orchestrator/services`)).json()) as { pid: number; state: string }[];
  const [{ pid }] = await services();
  process.kill(pid, "SIGKILL"); // its restart is written to the history file, which the disk refuses
  await waitFor(async () => (await services())[0].pid !== pid, 20_000, "the service restarted");
  run.pids.add((await services())[0].pid);
  const alert = page.locator('[data-testid="storage-alert"]');
  await alert.waitFor({ timeout: 20_000 });
  expect(await alert.textContent()).toBe("failing");
  expect(await alert.getAttribute("title")).toContain("cannot write ");

  rmSync(join(disk.dir!, "filler"));
  await alert.waitFor({ state: "detached", timeout: 20_000 });
  await page.locator('[data-testid="system-state"]', { hasText: "ready" }).waitFor({ timeout: 20_000 });
}, 90_000);
