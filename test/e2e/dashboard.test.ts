/**
 * The dashboard in a real browser (playwright-core driving Debian's chromium) against a real
 * fleet behind the compiled binary, `dist/orchestrator up` (see dashboard-harness.ts).
 * Screenshots land in docs/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import type { OrchestratorEvent } from "../../src/contract/events";
import { AccountSchema, ServiceConfigSchema, type ServiceConfig } from "../../src/contract/config";
import { OPERATED, ROOT, startTarget, waitUntil, type Target } from "./dashboard-harness";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = join(ROOT, "docs/screenshots");
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) console.warn(`dashboard browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const CORE = ["postgres", "redis", "auth", "api", "web"];
let target: Target;
let browser: Browser;
let page: Page;
const external: string[] = [];
const pageErrors: string[] = [];

const card = (name: string) => page.locator(`[data-testid="card-${name}"]`);
const cardState = (name: string) => card(name).getAttribute("data-state");

async function waitCard(name: string, predicate: (state: string | null, pid: string | null) => boolean, what: string, timeoutMs = 20_000) {
  await waitUntil(async () => predicate(await cardState(name), await card(name).getAttribute("data-pid")), timeoutMs, `${name}'s card ${what}`);
}

/** Record every state a card shows, however briefly (a MutationObserver in the page). */
async function recordStates(name: string): Promise<() => Promise<string[]>> {
  await page.evaluate((n) => {
    const w = window as unknown as { __states: Record<string, string[]>; __observer?: MutationObserver };
    w.__states = { [n]: [] };
    w.__observer?.disconnect();
    w.__observer = new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as HTMLElement;
        if (el.dataset.testid === `card-${n}`) w.__states[n].push(el.dataset.state ?? "");
      }
    });
    w.__observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-state"] });
  }, name);
  return () => page.evaluate((n) => (window as unknown as { __states: Record<string, string[]> }).__states[n], name);
}

async function noHorizontalScroll(p: Page = page): Promise<boolean> {
  return p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth && document.body.scrollWidth <= window.innerWidth);
}

describe.skipIf(!HAS_CHROMIUM)("dashboard in a real browser", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    target = await startTarget();
    browser = await openBrowser();
    page = browser.page;
    page.on("request", (r) => {
      if (!r.url().startsWith(`http://127.0.0.1:${target.proxy.port}/`) && !r.url().startsWith("data:")) external.push(r.url());
    });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await waitUntil(async () => (await target.services()).filter((s) => CORE.includes(s.name) && s.state === "healthy").length === CORE.length, 30_000, "the core services to be healthy");
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop();
  }, 60_000);

  test("the page loads from the orchestrator itself, with nothing fetched from elsewhere", async () => {
    const res = await page.goto(target.pageUrl);
    expect(res?.status()).toBe(200);
    expect(res?.headers()["content-type"]).toContain("text/html");
    await page.locator('[data-testid="connection"][data-state="open"]').waitFor({ timeout: 15_000 });
    await waitUntil(async () => (await page.locator('[data-testid="fleet-name"]').textContent()) === "acme-platform", 10_000, "the header to name the fleet");
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 30_000);

  test("the API docs render under their own policy; Try it out calls the API at the page's origin (servers: /)", async () => {
    const docs = await page.context().newPage();
    const violations: string[] = [];
    const errors: string[] = [];
    const calls: string[] = [];
    await docs.exposeFunction("__docsViolation", (v: string) => violations.push(v));
    await docs.addInitScript(() =>
      document.addEventListener("securitypolicyviolation", (e) => (window as unknown as { __docsViolation(v: string): void }).__docsViolation(`${e.violatedDirective} ${e.blockedURI}`)),
    );
    docs.on("pageerror", (e) => errors.push(e.message));
    docs.on("request", (r) => calls.push(`${r.method()} ${r.url()}`));
    try {
      const res = await docs.goto(`${target.pageUrl}docs`);
      expect(res?.headers()["content-security-policy"]).toContain("script-src 'self' 'sha256-");
      const status = docs.locator("#operations-read-getOrchestratorStatus");
      await status.waitFor({ timeout: 15_000 });
      expect(await docs.locator(".opblock").count()).toBe(18); // every route, GET /orchestrator/snapshot included
      expect(await docs.locator(".servers select").inputValue()).toBe("/");
      await status.locator(".opblock-summary").click();
      await status.locator("button.try-out__btn").click();
      await status.locator("button.execute").click();
      const code = status.locator(".live-responses-table tbody .response-col_status").first();
      await code.waitFor({ timeout: 10_000 });
      expect((await code.textContent())?.trim()).toBe("200");
      // the page came through the proxy, on another port than api.port: the call goes where the page came from
      expect(calls).toContain(`GET ${target.pageUrl}orchestrator/status`);
      expect(calls.filter((c) => !c.includes(target.pageUrl))).toEqual([]);
      expect(violations).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await docs.close();
    }
  }, 30_000);

  test("the grid shows the fleet's real states, grouped by phase", async () => {
    await card("migrate").waitFor({ timeout: 10_000 });
    await waitUntil(
      async () => {
        const services = await target.services();
        const shown = await Promise.all(services.map((s) => cardState(s.name)));
        return services.every((s, i) => shown[i] === s.state);
      },
      20_000,
      "every card to show the state the API reports",
    );
    for (const name of CORE) expect(await cardState(name)).toBe("healthy");
    expect(await cardState("migrate")).toBe("completed");
    expect(await page.locator('[data-testid="phase-0"] [data-testid^="card-"]').count()).toBe(3);
    expect(await page.locator('[data-testid="phase-2"] [data-testid="card-web"]').count()).toBe(1);
    const healthyCount = (await target.services()).filter((s) => s.state === "healthy" || s.state === "completed").length;
    await waitUntil(async () => (await page.locator('[data-testid="healthy-count"]').textContent()) === `${healthyCount}/7`, 10_000, "the header to count healthy services");
    // filter and search narrow the grid
    await page.locator('[data-testid="search"]').fill("red");
    expect(await page.locator('[data-testid^="card-"]').count()).toBe(1);
    await page.locator('[data-testid="search"]').fill("");
    await page.locator('[data-testid="filter-healthy"]').click();
    expect(await page.locator('[data-testid="card-report-worker"]').count()).toBe(0);
    await page.locator('[data-testid="filter-all"]').click();
    await waitUntil(async () => ["quarantined", "failed"].includes((await target.service("report-worker")).state), 40_000, "report-worker to give up");
    await waitCard("report-worker", (s) => s === "quarantined" || s === "failed", "to show it gave up");
    await page.screenshot({ path: join(SHOTS, "grid-light.png") });
  }, 90_000);

  test("a SIGKILLed service's card leaves healthy and comes back, without a reload", async () => {
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    const before = await target.service("auth");
    expect(before.state).toBe("healthy");
    const states = await recordStates("auth");
    process.kill(before.pid!, "SIGKILL");
    await waitCard("auth", (s, pid) => s === "healthy" && pid !== "" && pid !== String(before.pid), "to be healthy again with a new pid");
    const seen = await states();
    expect(seen.some((s) => s !== "healthy")).toBe(true);
    expect(seen[seen.length - 1]).toBe("healthy");
    expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
    expect((await target.service("auth")).pid).not.toBe(before.pid);
  }, 60_000);

  test("the restart button asks first, then restarts the service (new pid) and shows the result", async () => {
    const before = await target.service("web");
    await card("web").click();
    const panel = page.locator('[data-testid="details"]');
    await panel.waitFor();
    await panel.locator('[data-testid="health-chart"]').waitFor({ timeout: 10_000 });
    await panel.locator('[data-testid="action-restart"]').click();
    await panel.locator('[data-testid="confirm"]').waitFor();
    expect((await target.service("web")).pid).toBe(before.pid); // nothing happens before confirming
    await panel.locator('[data-testid="confirm-yes"]').click();
    expect(await panel.locator('[data-testid="action-result"]').textContent({ timeout: 10_000 })).toContain("Restart accepted");
    await waitUntil(async () => {
      const now = await target.service("web");
      return now.state === "healthy" && now.pid !== before.pid;
    }, 20_000, "web to run again under a new pid");
    const pid = String((await target.service("web")).pid);
    await waitUntil(async () => (await panel.locator('[data-testid="details-pid"]').textContent()) === pid, 10_000, "the panel to show the new pid");
    await panel.locator('[data-testid="logs"]').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(SHOTS, "details-panel.png") });
    await panel.locator('[data-testid="details-close"]').click();
  }, 60_000);

  test("the dependency graph highlights what a service needs and what needs it", async () => {
    await page.locator('[data-testid="tab-graph"]').click();
    await page.locator('[data-testid="node-auth"]').click();
    const role = (name: string) => page.locator(`[data-testid="node-${name}"]`).getAttribute("data-role");
    expect(await role("auth")).toBe("sel");
    expect(await role("postgres")).toBe("up");
    expect(await role("redis")).toBe("up");
    expect(await role("api")).toBe("down");
    expect(await role("web")).toBe("down");
    expect(await role("report-worker")).toBe("dim");
    await page.screenshot({ path: join(SHOTS, "dependency-graph.png") });
    await page.locator('[data-testid="tab-services"]').click();
  }, 30_000);

  test("dark mode toggles and is remembered across a reload", async () => {
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await theme()).toBe("light");
    const light = await background();
    await page.locator('[data-testid="theme-toggle"]').click();
    await waitUntil(async () => (await theme()) === "dark", 5000, "the page to turn dark");
    await waitUntil(async () => (await background()) !== light, 5000, "the background to change");
    await page.reload();
    await page.locator('[data-testid="connection"][data-state="open"]').waitFor({ timeout: 15_000 });
    expect(await theme()).toBe("dark");
    await card("web").waitFor();
    await page.screenshot({ path: join(SHOTS, "grid-dark.png") });
    await page.locator('[data-testid="theme-toggle"]').click();
    await waitUntil(async () => (await theme()) === "light", 5000, "the page to turn light again");
  }, 30_000);

  test("at 375 px wide nothing scrolls sideways", async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await card("web").waitFor();
    expect(await noHorizontalScroll()).toBe(true);
    await page.screenshot({ path: join(SHOTS, "mobile-375.png") });
    await card("api").click();
    await page.locator('[data-testid="details"]').waitFor();
    expect(await noHorizontalScroll()).toBe(true);
    await page.locator('[data-testid="details-close"]').click();
    await page.locator('[data-testid="tab-graph"]').click();
    expect(await noHorizontalScroll()).toBe(true);
    await page.locator('[data-testid="tab-services"]').click();
    await page.setViewportSize({ width: 1440, height: 900 });
  }, 30_000);

  test("at 1400 px and at 375 px every figure in the service cards is shown whole (the memory figure was cut to \"45.0 …\")", async () => {
    const cutFigures = () =>
      page.evaluate(() =>
        [...document.querySelectorAll(".card-stats dd")].filter((dd) => dd.scrollWidth > dd.clientWidth + 0.5 || dd.getBoundingClientRect().right > dd.closest(".card")!.getBoundingClientRect().right + 0.5).map((dd) => dd.textContent),
      );
    for (const width of [1400, 375]) {
      await page.setViewportSize({ width, height: 900 });
      await card("web").waitFor();
      await waitUntil(async () => (await page.locator(".card-stats dd").allTextContents()).some((t) => t.includes("MiB")), 15_000, "a memory figure in MiB");
      expect(await cutFigures()).toEqual([]);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  }, 30_000);

  test("when the stream is cut it says so, reconnects by itself and the feed has no gap", async () => {
    await page.locator('[data-testid="connection"][data-state="open"]').waitFor({ timeout: 15_000 });
    const lastBefore = (await target.api<{ events: { lastSeq: number } }>("/orchestrator/stats")).events.lastSeq;
    await waitUntil(async () => (await feedSeqs()).includes(lastBefore), 10_000, `the feed to show event ${lastBefore}`);
    const victim = await target.service("redis");

    target.proxy.cut();
    await page.locator('[data-testid="reconnecting"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="connection"]').getAttribute("data-state")).not.toBe("open");
    process.kill(victim.pid!, "SIGKILL"); // events the page cannot see while cut
    await waitUntil(async () => {
      const s = await target.service("redis");
      return s.state === "healthy" && s.pid !== victim.pid;
    }, 20_000, "redis to be healthy again");
    const missed = await target.api<OrchestratorEvent[]>(`/orchestrator/events?since=${lastBefore}`);
    expect(missed.some((e) => e.type === "service" && e.payload.name === "redis")).toBe(true);

    target.proxy.restore();
    await page.locator('[data-testid="connection"][data-state="open"]').waitFor({ timeout: 20_000 });
    const upTo = missed[missed.length - 1]!.seq;
    const expected = missed.filter((e) => e.type !== "health").map((e) => e.seq);
    await waitUntil(async () => {
      const shown = new Set(await feedSeqs());
      return expected.every((seq) => shown.has(seq));
    }, 15_000, "every missed event to appear in the feed");
    const shown = (await feedSeqs()).filter((seq) => seq > lastBefore && seq <= upTo);
    expect(shown.sort((a, b) => a - b)).toEqual(expected);
    expect(await cardState("redis")).toBe("healthy");
  }, 90_000);
});

interface Browser {
  page: Page;
  /** Close the browser and remove its profile. */
  close(): Promise<void>;
}

/** Debian's chromium, headless, on a fresh profile. */
async function openBrowser(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "orch-chromium-"));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1440, height: 900 },
    colorScheme: "light",
    reducedMotion: "reduce",
  });
  return {
    page: context.pages()[0] ?? (await context.newPage()),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Seqs of the feed's items (health events are hidden by default; the others are all listed). */
async function feedSeqs(): Promise<number[]> {
  return page.locator('[data-testid="feed"] [data-seq]').evaluateAll((items) => items.map((el) => Number((el as HTMLElement).dataset.seq)));
}

describe.skipIf(!HAS_CHROMIUM)("dashboard of an orchestrator with a token", () => {
  const TOKEN = "dashboard-token-0123456789";
  let secured: Target;
  let secureBrowser: Browser;
  let tab: Page;
  const violations: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    secured = await startTarget({ token: TOKEN, only: ["postgres", "redis", "auth"] });
    secureBrowser = await openBrowser();
    tab = secureBrowser.page;
    await tab.exposeFunction("__violation", (v: string) => violations.push(v));
    await tab.addInitScript(() =>
      document.addEventListener("securitypolicyviolation", (e) => (window as unknown as { __violation(v: string): void }).__violation(`${e.violatedDirective} ${e.blockedURI}`)),
    );
    tab.on("pageerror", (e) => errors.push(e.message));
    await waitUntil(async () => (await secured.services()).filter((s) => s.state === "healthy").length === 3, 30_000, "the fleet to be healthy");
  }, 90_000);

  afterAll(async () => {
    await secureBrowser?.close();
    await secured?.stop();
  }, 60_000);

  test("the page asks for the token and shows no service before it has it; a wrong one is refused", async () => {
    await tab.goto(secured.pageUrl);
    const prompt = tab.locator('[data-testid="token-prompt"]');
    await prompt.waitFor({ timeout: 15_000 });
    expect(await tab.locator('[data-testid^="card-"]').count()).toBe(0);
    await tab.locator('[data-testid="token-input"]').fill("not-the-token");
    await tab.locator('[data-testid="token-submit"]').click();
    await waitUntil(async () => ((await prompt.textContent()) ?? "").includes("The stored token was refused"), 15_000, "the prompt to say the token was refused");
    expect(await tab.locator('[data-testid^="card-"]').count()).toBe(0);
  }, 30_000);

  test("with the token it sends it on every read: grid, live stream, details with logs; nothing breaks the page's policy", async () => {
    await tab.locator('[data-testid="token-input"]').fill(TOKEN);
    await tab.locator('[data-testid="token-submit"]').click();
    await tab.locator('[data-testid="connection"][data-state="open"]').waitFor({ timeout: 15_000 });
    await waitUntil(async () => (await tab.locator('[data-testid="card-auth"]').getAttribute("data-state")) === "healthy", 15_000, "auth's card to be healthy");
    await tab.locator('[data-testid="token-prompt"]').waitFor({ state: "detached", timeout: 5_000 });
    await tab.locator('[data-testid="card-auth"]').click();
    const panel = tab.locator('[data-testid="details"]');
    await panel.locator('[data-testid="logs"]').waitFor({ timeout: 15_000 });
    expect(await panel.locator('[data-testid="logs"]').textContent()).toContain("listening on 127.0.0.1");
    await waitUntil(async () => ((await panel.locator('[data-testid="config"]').textContent()) ?? "").includes('"name": "auth"'), 10_000, "the effective config");
    // the token survives a reload (kept in this browser's storage); the page runs under its own strict policy
    const reloaded = await tab.reload();
    expect(reloaded?.headers()["content-security-policy"]).toContain("script-src 'self'; style-src 'self'");
    await tab.locator('[data-testid="connection"][data-state="open"]').waitFor({ timeout: 15_000 });
    await tab.locator('[data-testid="card-postgres"]').waitFor({ timeout: 10_000 });
    expect(await tab.locator('[data-testid="token-prompt"]').count()).toBe(0);
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);
});

describe.skipIf(!HAS_CHROMIUM)("dashboard of a service with replicas (SPEC §15)", () => {
  let replicated: Target;
  let phone: Browser;

  beforeAll(async () => {
    replicated = await startTarget({ only: ["postgres", "redis", "auth", "api", "web"], replicated: true });
    phone = await openBrowser();
    await waitUntil(async () => (await replicated.services()).filter((s) => s.name.startsWith("web@") && s.state === "healthy").length === 3, 45_000, "web@1..3 healthy");
  }, 90_000);

  afterAll(async () => {
    await phone?.close();
    await replicated?.stop();
  }, 60_000);

  test("the instances web@1..3 are cards of their own, together under web, at 1440 and at 375 px", async () => {
    const tab = phone.page;
    await tab.goto(replicated.pageUrl);
    const group = tab.locator('[data-testid="group-web"]');
    await group.waitFor({ timeout: 15_000 });
    expect(await group.locator('[data-testid^="card-"]').evaluateAll((cards) => cards.map((c) => c.getAttribute("data-testid")))).toEqual(["card-web@1", "card-web@2", "card-web@3"]);
    await waitUntil(async () => ((await group.locator(".replica-title").textContent()) ?? "").includes("3/3 instances healthy"), 15_000, "the set's title to count 3 healthy");
    expect(await tab.locator('[data-testid="card-web"]').count()).toBe(0);
    await tab.setViewportSize({ width: 375, height: 812 });
    expect(await tab.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  }, 30_000);
});

describe.skipIf(!HAS_CHROMIUM)("dashboard of a service run as a real server (SPEC §13 keys)", () => {
  let operated: Target;
  let phone: Browser;
  let tab: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    operated = await startTarget({ only: ["postgres", "redis"], operated: true });
    phone = await openBrowser();
    tab = phone.page;
    tab.on("pageerror", (e) => errors.push(e.message));
    await tab.setViewportSize({ width: 375, height: 812 });
    await waitUntil(async () => (await operated.services()).filter((s) => s.state === "healthy").length === 2, 30_000, "postgres and redis to be healthy");
  }, 90_000);

  afterAll(async () => {
    await phone?.close();
    await operated?.stop();
  }, 60_000);

  test("GET /orchestrator/services/:name has every key in the effective config, and nothing the contract does not name", async () => {
    const { config } = await operated.api<{ config: ServiceConfig }>("/orchestrator/services/postgres");
    expect(config).toMatchObject({
      user: OPERATED.user,
      group: OPERATED.group,
      umask: "0027",
      nice: 5,
      limits: { memoryBytes: 1024 ** 3, nofile: 4096, nproc: 4096, core: 0 },
      shutdown: { signal: "SIGTERM", timeoutMs: 2000, command: "kill -TERM $MAINPID" },
      protected: true,
      pidFile: join(operated.dir, "postgres.pid"),
      logs: { maxBytes: 1024 ** 2, keep: 2, format: "json" },
    });
    expect(Object.keys(config).filter((key) => !(key in ServiceConfigSchema.properties))).toEqual([]);
    if (config.account) expect(Object.keys(config.account).filter((key) => !(key in AccountSchema.properties))).toEqual([]);
  }, 30_000);

  test("the details panel shows them in words at 375 px, every line inside the panel, nothing scrolling sideways", async () => {
    await tab.goto(operated.pageUrl);
    await tab.locator('[data-testid="card-postgres"]').click();
    const panel = tab.locator('[data-testid="details"]');
    const facts = panel.locator('[data-testid="config-facts"]');
    await facts.waitFor({ timeout: 15_000 });
    const { config } = await operated.api<{ config: ServiceConfig }>("/orchestrator/services/postgres");
    const fact = async (key: string) => ((await facts.locator(`[data-testid="config-${key}"] dd`).textContent()) ?? "").trim();
    const account = config.account;
    expect(await fact("user")).toBe(account ? `${account.user} (uid ${account.uid})` : OPERATED.user);
    expect(await fact("group")).toStartWith(account ? `${account.group} (gid ${account.gid})` : OPERATED.group);
    expect(await fact("umask")).toBe("0027");
    expect(await fact("nice")).toBe("5");
    expect(await fact("memory")).toBe("1 GiB");
    expect(await fact("rlimits")).toBe("nofile 4096 · nproc 4096 · core 0");
    expect(await fact("shutdown")).toBe("command, then SIGKILL after 2s");
    expect(await fact("stop-command")).toBe("kill -TERM $MAINPID");
    expect(await fact("protected")).toStartWith("yes");
    expect(await fact("pid-file")).toBe(join(operated.dir, "postgres.pid"));
    expect(await fact("logs")).toBe("json, rotated at 1 MiB, 2 kept");

    await facts.scrollIntoViewIfNeeded();
    await panel.locator(".config summary").click();
    await panel.locator('[data-testid="config"]').waitFor();
    expect(await noHorizontalScroll(tab)).toBe(true);
    // the panel clips what overflows it, so the page alone cannot tell: every value's text must end inside the panel
    const outside = await panel.evaluate((el) => {
      const right = el.getBoundingClientRect().right;
      const textRight = (node: Element) => {
        const range = document.createRange();
        range.selectNodeContents(node);
        return range.getBoundingClientRect().right;
      };
      return [...el.querySelectorAll('[data-testid="config-facts"] dd')].filter((dd) => textRight(dd) > right + 0.5).map((dd) => dd.textContent);
    });
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);
});
