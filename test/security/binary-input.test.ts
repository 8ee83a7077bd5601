/**
 * Issue 12, item 2: the compiled binary behaves exactly as the source on bad input.
 *
 * `bun build --minify` renamed TypeBox's TransformDecodeError, and Elysia's generated
 * validator recognises that error by `error.constructor.name === 'TransformDecodeError'`: in
 * the binary the decode error of an out-of-range integer was swallowed and the handler got
 * the raw strings (`limit=-1` answered 200 with every stored event). So, over real sockets:
 *   - the API's bad-input matrix (test/api/bad-input-cases.ts) against `dist/orchestrator up`
 *     on a tmp fleet, with the exact 400 messages for the numeric query fields;
 *   - the route fuzz (test/api/fuzz-requests.ts), every generated request sent both to the
 *     binary and to the same program run from source (`bun src/cli/main.ts up`) on a twin
 *     fleet: the two must give the same status and the same error body;
 *   - the build script's own flags: a probe of Elysia's validators on the API's schemas,
 *     compiled with exactly the flags of package.json's `build`, must print what it prints
 *     from source (so a flag that breaks them fails here even though the handlers' own
 *     checks would hide it in the API).
 * The fleets have no token and are reached on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BAD_INPUT_CASES, FIELDS_QUERY_MESSAGES, NUMERIC_QUERY_MESSAGES, expectBadInputAnswer, labelCase } from "../api/bad-input-cases";
import {
  HANDLED_ROUTES,
  STREAM_ROUTES,
  UPGRADE_HEADERS,
  asTarget,
  expectServerAnswer,
  headersArb,
  label,
  prepareForSocket,
  queryString,
  rawRequest,
  sendPrepared,
  specArb,
  type Spec,
} from "../api/fuzz-requests";
import { API_FLEET_SETTINGS, apiFleetServices, writeFleetManifest } from "../helpers/fleet-harness";
import { BINARY, BinaryRun, ROOT, ensureBinary } from "../helpers/binary-run";
import { fixturePath, freePort, waitFor } from "../helpers/processes";

const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const RUNS_HTTP = 1000 * SCALE;
const RUNS_STREAM = 60 * SCALE;

interface Orchestrator {
  run: BinaryRun;
  port: number;
  get(path: string): Promise<unknown>;
}

/** `up` on a tmp copy of the API harness's fleet (db ← api, db ← worker), listening on 127.0.0.1:port. */
async function startFleet(command: string[]): Promise<Orchestrator> {
  const dir = mkdtempSync(join(tmpdir(), "orch-binary-input-"));
  const port = freePort();
  writeFleetManifest(dir, apiFleetServices(), { ...API_FLEET_SETTINGS, api: { host: "127.0.0.1", port } });
  const run = new BinaryRun(dir, ["up"], { command });
  await run.waitRecord((r) => r.msg === "SYSTEM READY", 30_000, `SYSTEM READY from ${command.join(" ")}`);
  const get = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).json();
  return { run, port, get };
}

let binary: Orchestrator;
let source: Orchestrator;
const before = new Map<Orchestrator, unknown>();

/** What a user would notice changed: a pid, a restart, a state. */
async function fleetState(o: Orchestrator): Promise<unknown> {
  const services = (await o.get("/orchestrator/services")) as { name: string; pid: number | null; restarts: number; state: string }[];
  return services.map(({ name, pid, restarts, state }) => ({ name, pid, restarts, state }));
}

beforeAll(async () => {
  ensureBinary();
  [binary, source] = await Promise.all([startFleet([BINARY]), startFleet([process.execPath, join(ROOT, "src/cli/main.ts")])]);
  for (const o of [binary, source]) before.set(o, await fleetState(o));
}, 60_000);

afterAll(async () => {
  await Promise.all([binary?.run.cleanup(), source?.run.cleanup()]);
});

describe(`the bad-input matrix against ${BINARY === join(ROOT, "dist/orchestrator") ? "dist/orchestrator" : BINARY} over a real socket`, () => {
  test.each(BAD_INPUT_CASES.map((c) => [labelCase(c), c] as const))("%s → 4xx JSON", async (_label, c) => {
    const [method, path, body, headers] = c;
    await expectBadInputAnswer(await fetch(`http://127.0.0.1:${binary.port}${path}`, { method, body, headers }), c);
  });

  test.each([...NUMERIC_QUERY_MESSAGES, ...FIELDS_QUERY_MESSAGES])("%s → 400 with the schema's message", async (path, message) => {
    const res = await fetch(`http://127.0.0.1:${binary.port}${path}`);
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 400, body: { error: "VALIDATION", message } });
  });

  test("in-range values still work, as numbers: limit=1 gives one event, since skips, lines caps", async () => {
    const events = (await binary.get("/orchestrator/events?since=0&limit=1")) as { seq: number }[];
    expect(events).toHaveLength(1);
    const after = (await binary.get(`/orchestrator/events?since=${events[0]!.seq}&limit=2`)) as { seq: number }[];
    expect(after.map((e) => e.seq)).toEqual([events[0]!.seq + 1, events[0]!.seq + 2]);
    expect(((await binary.get("/orchestrator/healing-history?limit=1")) as unknown[]).length).toBeLessThanOrEqual(1);
    expect(((await binary.get("/orchestrator/services/api/logs?lines=1")) as unknown[]).length).toBeLessThanOrEqual(1);
  });

  test("fields cut the summaries in the compiled binary too: /services and /snapshot", async () => {
    const services = (await binary.get("/orchestrator/services?fields=state,pid")) as Record<string, unknown>[];
    expect(services.length).toBeGreaterThan(0);
    for (const s of services) expect(Object.keys(s)).toEqual(["name", "state", "pid"]);
    const snapshot = (await binary.get("/orchestrator/snapshot?fields=health")) as { status: { total: number }; services: Record<string, unknown>[] };
    expect(snapshot.services.map((s) => Object.keys(s))).toEqual(services.map(() => ["name", "health"]));
    expect(snapshot.status.total).toBe(services.length);
  });
});

// ---- the route fuzz, differential: the same request to the binary and to the source

/** Each side's own port in what it is sent (the generated Origin may name it) and in what it answers. */
function forSource(spec: Spec): Spec {
  const headers = Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k, v?.replaceAll(`:${binary.port}`, `:${source.port}`)]));
  return { ...spec, headers };
}

function normalise(o: Orchestrator, status: number, headers: Headers, text: string): { status: number; type: string; error?: string } {
  const type = (headers.get("content-type") ?? "").split(";")[0]!;
  // a success carries live data (pids, times): its status and type must agree; an error must agree word for word
  return status < 400 ? { status, type } : { status, type, error: text.replaceAll(String(o.port), "PORT") };
}

async function ask(o: Orchestrator, generated: Spec) {
  const prepared = await prepareForSocket(generated, o.port, true);
  if (!prepared) return null;
  const { response, text } = await sendPrepared(prepared);
  expectServerAnswer(prepared.spec, response, text);
  return normalise(o, response.status, response.headers, text);
}

describe("the route fuzz: the binary answers every generated request as the source does", () => {
  let sent = 0;

  test(`HTTP routes (${RUNS_HTTP} requests, fixed seed)`, async () => {
    const arb = fc.oneof(...HANDLED_ROUTES.map((route) => specArb(route, binary.port)), specArb(null, binary.port));
    const property = fc.asyncProperty(arb, async (generated) => {
      const fromBinary = await ask(binary, generated);
      const fromSource = await ask(source, forSource(generated));
      // null: it could act on a real service; fast-check draws another
      fc.pre(fromBinary !== null && fromSource !== null);
      sent++;
      if (!Bun.deepEquals(fromBinary, fromSource)) {
        throw new Error(`${label({ ...generated, open: true })}:\n  binary: ${JSON.stringify(fromBinary)}\n  source: ${JSON.stringify(fromSource)}`);
      }
    });
    await fc.assert(property, { seed: SEED, numRuns: RUNS_HTTP, maxSkipsPerRun: 1000 });
    expect(sent).toBe(RUNS_HTTP);
  }, 120_000);

  test.each(STREAM_ROUTES.map((r) => [r.path, r] as const))(`WS %s: generated upgrade requests (${RUNS_STREAM})`, async (_path, route) => {
    const subscribers = async (o: Orchestrator) => ((await o.get("/orchestrator/stats")) as { events: { subscribers: number } }).events.subscribers;
    const subscribed = await Promise.all([subscribers(binary), subscribers(source)]);
    const arb = fc.record({
      query: queryString(route.queryKeys),
      headers: headersArb(binary.port).map(({ origin, authorization }) => ({ origin, authorization })),
      upgrade: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      slash: fc.boolean(),
    });
    const property = fc.asyncProperty(arb, async ({ query, headers, upgrade, slash }) => {
      const target = asTarget(`${route.path}${slash ? "/" : ""}${query}`);
      const answers = [];
      for (const o of [binary, source]) {
        const sent: Record<string, string> = upgrade ? { ...UPGRADE_HEADERS } : {};
        for (const [k, v] of Object.entries(headers)) if (v) sent[k] = v.replace(/[\r\n\0]/g, "").replaceAll(`:${binary.port}`, `:${o.port}`);
        const answer = await rawRequest(o.port, target, sent);
        if (answer.status >= 500) throw new Error(`GET ${target.slice(0, 150)}: ${answer.status} ${answer.body.slice(0, 300)}`);
        answers.push(normalise(o, answer.status, answer.headers, answer.body));
      }
      if (!Bun.deepEquals(answers[0], answers[1])) {
        throw new Error(`upgrade=${upgrade} GET ${target.slice(0, 150)}:\n  binary: ${JSON.stringify(answers[0])}\n  source: ${JSON.stringify(answers[1])}`);
      }
    });
    await fc.assert(property, { seed: SEED, numRuns: RUNS_STREAM });
    for (const [i, o] of [binary, source].entries()) {
      await waitFor(async () => (await subscribers(o)) === subscribed[i], 10_000, "every fuzzed stream client to be unsubscribed");
    }
  }, 60_000);
});

test("after all that, both fleets are undisturbed: same pids, same restarts, same states", async () => {
  for (const o of [binary, source]) expect(await fleetState(o)).toEqual(before.get(o)!);
  expect((await binary.get("/orchestrator/status")) as object).toMatchObject({ state: "ready" });
});

// ---- the guard: package.json's build flags keep what Elysia's validators need

/** package.json's `build` script, with its entry and outfile replaced. */
function buildCommand(entry: string, outfile: string): string[] {
  const script = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { build: string } }).scripts.build;
  const words = script.trim().split(/\s+/);
  const out = words.indexOf("--outfile");
  // the shape this test understands; a different one must be taught here, not silently skipped
  expect({ start: words.slice(0, 3), entry: words.includes("src/cli/main.ts"), outfile: words[out + 1] }).toEqual({
    start: ["bun", "build", "--compile"],
    entry: true,
    outfile: "dist/orchestrator",
  });
  // every flag is written --name or --name=value; the other words are entry points (main.ts, the manifest worker)
  const flags = words.slice(2).filter((w, i) => w.startsWith("--") && i + 2 !== out);
  return [process.execPath, "build", ...flags, entry, "--outfile", outfile];
}

test("Elysia's validators compiled with the build script's flags answer as from source (query-probe.ts)", () => {
  const dir = mkdtempSync(join(tmpdir(), "orch-probe-"));
  try {
    const probe = fixturePath("query-probe.ts");
    const build = Bun.spawnSync(buildCommand(probe, join(dir, "probe")), { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    expect({ build: build.exitCode, stderr: build.stderr.toString() }).toEqual({ build: 0, stderr: "" });
    const compiled = Bun.spawnSync([join(dir, "probe")], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    const fromSource = Bun.spawnSync([process.execPath, probe], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    expect(fromSource.stdout.toString()).toContain("/events?limit=-1 -> 400");
    expect(compiled.stdout.toString().split("\n")).toEqual(fromSource.stdout.toString().split("\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
