// The fixture services behave as test/fixtures/README.md says (others build on them).
import { afterEach, describe, expect, test } from "bun:test";
import { BunSpawner } from "../../src/process/bun-spawner";
import type { ChildHandle } from "../../src/process/spawner";
import { fixtureCommand, freePort, waitFor } from "../helpers/processes";

const env = process.env as Record<string, string>;

describe("fixture services", () => {
  let spawner: BunSpawner | undefined;
  let children: ChildHandle[] = [];
  afterEach(async () => {
    for (const child of children) child.kill();
    await Promise.all(children.map((c) => c.exited));
    children = [];
    spawner?.close();
    spawner = undefined;
  });

  async function run(name: string, extra: Record<string, string> = {}) {
    spawner ??= new BunSpawner();
    const port = freePort();
    const lines: string[] = [];
    const child = spawner.spawn(
      { name, command: fixtureCommand(name), cwd: import.meta.dir, env: { ...env, PORT: String(port), ...extra } },
      (_s, line) => lines.push(line),
    );
    children.push(child);
    const url = (path: string) => `http://127.0.0.1:${port}${path}`;
    return { child, lines, url };
  }

  async function getStatus(url: string, timeoutMs = 1000): Promise<number | "timeout" | "refused"> {
    try {
      return (await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })).status;
    } catch (error) {
      return (error as Error).name === "TimeoutError" ? "timeout" : "refused";
    }
  }

  const listening = (lines: string[]) => () => lines.some((l) => l.includes("listening on"));

  test("healthy answers /health 200 with X-Pid", async () => {
    const { child, lines, url } = await run("healthy.ts");
    await waitFor(listening(lines), 10_000, "healthy to listen");
    const response = await fetch(url("/health"));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-pid")).toBe(String(child.pid));
  });

  test("never-healthy listens but /health is 503", async () => {
    const { lines, url } = await run("never-healthy.ts");
    await waitFor(listening(lines), 10_000, "never-healthy to listen");
    expect(await getStatus(url("/health"))).toBe(503);
  });

  test("status-only answers /status and 404s /health", async () => {
    const { lines, url } = await run("status-only.ts");
    await waitFor(listening(lines), 10_000, "status-only to listen");
    expect(await getStatus(url("/status"))).toBe(200);
    expect(await getStatus(url("/health"))).toBe(404);
  });

  test("hang-health stops answering /health after POST /hang", async () => {
    const { lines, url } = await run("hang-health.ts");
    await waitFor(listening(lines), 10_000, "hang-health to listen");
    expect(await getStatus(url("/health"))).toBe(200);
    expect((await fetch(url("/hang"), { method: "POST" })).status).toBe(200);
    expect(await getStatus(url("/health"), 300)).toBe("timeout");
  });

  test("slow-start refuses connections until START_DELAY_MS has passed", async () => {
    const { lines, url } = await run("slow-start.ts", { START_DELAY_MS: "1500" });
    await waitFor(() => lines.length > 0, 10_000, "slow-start to start");
    expect(await getStatus(url("/health"))).toBe("refused");
    await waitFor(listening(lines), 10_000, "slow-start to listen");
    expect(await getStatus(url("/health"))).toBe(200);
  });

  test("crash-after exits with EXIT_CODE after CRASH_AFTER_MS", async () => {
    const { child, lines } = await run("crash-after.ts", { CRASH_AFTER_MS: "50", EXIT_CODE: "7" });
    expect(await child.exited).toEqual({ code: 7, signal: null, reason: "exited" });
    expect(lines.at(-1)).toBe("crash-after: crashing with code 7");
  });
});
