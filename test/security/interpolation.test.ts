/**
 * Issue 12, item 9: interpolation cannot inject. A `${VAR}` whose value is shell syntax,
 * substituted into a command string, is one word for the service: the compiled binary runs
 * a real service that would `touch` a file if the value were run as code.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { BINARY, ensureBinary } from "../helpers/binary-run";
import { freePort, killPids, waitFor, waitGone } from "../helpers/processes";

interface Run {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  dir: string;
  out: string[];
}

const started: Run[] = [];
beforeAll(() => ensureBinary());
afterEach(async () => {
  for (const run of started.splice(0)) {
    const pids = [run.proc.pid, ...records(run).flatMap((r) => (typeof r.pid === "number" ? [r.pid] : []))];
    killPids(pids);
    await waitGone(pids, 5000);
    rmSync(run.dir, { recursive: true, force: true });
  }
});

/** `up` with `env` added to the orchestrator's environment (what `${VAR}` reads). */
function up(manifest: Record<string, unknown>, env: Record<string, string>): Run {
  const dir = mkdtempSync(join(tmpdir(), "orch-inject-"));
  writeFileSync(join(dir, "orchestrator.yaml"), JSON.stringify(manifest, null, 2));
  const proc = Bun.spawn([BINARY, "up"], { cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
  const run: Run = { proc, dir, out: [] };
  started.push(run);
  void (async () => {
    const reader = proc.stdout.getReader();
    const decoder = new TextDecoder();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      const parts = (rest + decoder.decode(chunk.value, { stream: true })).split("\n");
      rest = parts.pop()!;
      run.out.push(...parts);
    }
  })();
  return run;
}

function records(run: Run): Record<string, unknown>[] {
  return run.out.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

describe("${VAR} in a command string (compiled binary)", () => {
  test("a value with `;`, `$(...)`, backticks or quotes is printed as one word and runs nothing", async () => {
    const marker = join(tmpdir(), `orch-injected-${process.pid}-${Date.now()}`);
    const greeting = `world; touch ${marker}; $(touch ${marker}-sub) \`touch ${marker}-tick\``;
    const manifest = {
      version: 1,
      name: "inject",
      api: { host: "127.0.0.1", port: freePort() },
      discovery: { roots: [] },
      state: { dir: "state" },
      services: {
        plain: { command: "echo hello ${GREETING}", health: false, restart: { policy: "never" } },
        quoted: { command: 'echo "hello ${GREETING}"', health: false, restart: { policy: "never" } },
        single: { command: "echo 'hello ${GREETING}'", health: false, restart: { policy: "never" } },
        quotes: { command: "echo hello ${QUOTES}", health: false, restart: { policy: "never" } },
      },
    };
    const markers = [marker, `${marker}-sub`, `${marker}-tick`];
    try {
      const run = up(manifest, { GREETING: greeting, QUOTES: `it's "quoted" \\ $HOME` });
      const services = Object.keys(manifest.services);
      const ended = (service: string) => records(run).some((r) => r.event === "service" && r.service === service && (r.to === "completed" || r.to === "failed"));
      await waitFor(() => services.every(ended), 20_000, "each service to run and exit");
      const said = (service: string) => records(run).filter((r) => r.service === service && r.stream === "stdout").map((r) => r.msg);
      for (const service of ["plain", "quoted", "single"]) expect([service, said(service)]).toEqual([service, [`hello ${greeting}`]]);
      expect(said("quotes")).toEqual([`hello it's "quoted" \\ $HOME`]);
      expect(markers.filter((file) => existsSync(file))).toEqual([]);
    } finally {
      for (const file of markers) rmSync(file, { force: true });
    }
  }, 30_000);
});
