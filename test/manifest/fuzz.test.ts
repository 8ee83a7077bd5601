/**
 * Malformed manifests, generated: random mutations of a valid manifest (wrong types, deleted
 * and invented keys, garbage, deep nesting, anchors, huge numbers, NUL bytes, truncations).
 * The loader must never throw and must always say where and what; `check` must exit 2 and
 * print only `file:line:col path: message` lines. Fixed seeds: a failure reproduces.
 */
import { afterAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { runCli } from "../../src/cli/main";
import type { CliIo } from "../../src/cli/command";
import { hasErrors } from "../../src/manifest/issues";
import { loadText } from "../../src/manifest/load";
import { makeTree, packageJson, removeTrees } from "./helpers";

afterAll(removeTrees);

const BASE = {
  version: 1,
  name: "fleet",
  api: { host: "127.0.0.1", port: 9000, token: "${TOKEN:-}", cors: ["http://localhost:3000"] },
  discovery: { roots: ["services"], ignore: ["_lib"] },
  state: { dir: ".orchestrator" },
  launch: { concurrency: 4, startupTimeout: "30s" },
  phases: ["critical", "core", "optional"],
  defaults: {
    health: { endpoints: ["/health", "/status"], interval: "5s", timeout: 2000, failureThreshold: 3 },
    restart: { policy: "on-failure", backoff: ["1s", "5s"], resetAfter: "5m" },
    shutdown: { signal: "SIGTERM", timeout: "10s" },
  },
  circuitBreaker: { failureThreshold: 3, window: "60s", cooldown: "30s" },
  services: {
    db: { command: ["sh", "-c", "exit 0"], port: 5432, phase: "critical", health: { tcp: 5432 }, shutdown: { signal: "SIGINT", timeout: "5s" } },
    api: {
      command: "FOO=1 exec sh -c true",
      port: "${API_PORT:-4000}",
      dependsOn: { db: "healthy" },
      env: { LOG_LEVEL: "info", RETRIES: 3, DEBUG: false },
      health: { http: "/healthz" },
      restart: { policy: "always", backoff: ["500ms", 1000] },
    },
    worker: { command: ["sh"], dependsOn: ["api"], optional: true, phase: 2, health: false, startupTimeout: "1m" },
    web: { env: { MODE: "dev" } },
  },
};
const BASE_YAML = stringify(BASE);
const ENV = { PATH: "/usr/bin:/bin", API_PORT: "4001" };

const dir = makeTree({
  "services/web/package.json": packageJson({ name: "@fleet/web", scripts: { start: "PORT=4100 sh -c true" }, dependencies: { "@fleet/api": "*" }, orchestrator: { phase: "core" } }),
  "services/_lib/package.json": packageJson({ name: "lib" }),
});
const file = join(dir, "orchestrator.yaml");

// ---- values and mutations ----------------------------------------------------------------

const TRICKY = [
  "", " ", "5 seconds", "-1s", "1e999", "99999999999999999999999", "0x1F", ".inf", "-.nan", "~", "null", "yes", "SIGFOO",
  "ready", "${UNSET}", "${NEED:?set NEED}", "${", "$$", "${bad name}", "a\u0000b", "\u202e\u0007", "a\nb: c", "*alias",
  "&anchor", "!!binary aGk=", "[", "{", "- x", "# comment", "\"", "'", "\\", "../..", "üñíçødé", "x".repeat(300),
];

const deep = (depth: number, leaf: unknown): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { k: value };
  return value;
};

const { value: valueArb } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.string({ maxLength: 12 }),
    fc.string({ unit: "binary", maxLength: 8 }),
    fc.constantFrom(...TRICKY),
    fc.integer(),
    fc.constantFrom(0, -1, 1.5, 65536, 2 ** 53 + 1, Number.MAX_VALUE, -Number.MAX_VALUE, Number.NaN, Infinity, -0),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie("value"), { maxKeys: 3 }),
    fc.integer({ min: 20, max: 120 }).map((d) => deep(d, "x")),
  ),
}));

const keyArb = fc.oneof(
  fc.constantFrom("command", "port", "dependsOn", "comand", "prot", "toString", "__proto__", "constructor", "<<", "", "bad name!", "-x", "a\nb"),
  fc.string({ maxLength: 10 }),
);

type Mutation =
  | { kind: "set"; pick: number; value: unknown }
  | { kind: "delete"; pick: number }
  | { kind: "add"; pick: number; key: string; value: unknown };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("set" as const), pick: fc.nat(), value: valueArb }),
  fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("add" as const), pick: fc.nat(), key: keyArb, value: valueArb }),
);

type TextEdit =
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; text: string }
  | { kind: "dropLine" | "dupLine"; line: number }
  | { kind: "swap"; line: number };

const GARBAGE = ["\u0000", "\t", ": ", "- ", "&a ", "*a", "*nope", "{", "}", "[", "]", "\"", "'", "#", "\u202e", "\uffff", "\ufeff", "%YAML 1.2\n---\n", "!!binary ", "? ", "<<: *a\n", "\r", "\r\n", "---\n", "...\n", "|\n", ">-\n", "  ", "\n  x: &a [*a]\n", "[".repeat(200), "{a: ".repeat(100)];

const textEditArb: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...GARBAGE), fc.string({ unit: "binary", maxLength: 6 })) }),
  fc.record({ kind: fc.constantFrom("dropLine" as const, "dupLine" as const), line: fc.nat() }),
  fc.record({ kind: fc.constant("swap" as const), line: fc.nat() }),
);

/** Every path to a value in `root` (objects and arrays, the root excluded). */
function pathsOf(root: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    if (path.length > 12 || node === null || typeof node !== "object") return;
    for (const [k, v] of Object.entries(node)) {
      const seg = Array.isArray(node) ? Number(k) : k;
      out.push([...path, seg]);
      walk(v, [...path, seg]);
    }
  };
  walk(root, []);
  return out;
}

function applyMutation(root: Record<string, unknown>, m: Mutation): void {
  const containers = [[], ...pathsOf(root)].filter((p) => isContainer(getAt(root, p)));
  const paths = pathsOf(root);
  if (m.kind === "add") {
    const parent = getAt(root, containers[m.pick % containers.length]) as Record<string, unknown> | unknown[];
    if (Array.isArray(parent)) parent.push(m.value);
    else Object.defineProperty(parent, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    return;
  }
  if (paths.length === 0) return;
  const path = paths[m.pick % paths.length];
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (m.kind === "delete") {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    parent[last] = m.value;
  }
}

function applyTextEdit(text: string, e: TextEdit): string {
  const lines = text.split("\n");
  switch (e.kind) {
    case "truncate":
      return text.slice(0, e.at % (text.length + 1));
    case "insert": {
      const at = e.at % (text.length + 1);
      return text.slice(0, at) + e.text + text.slice(at);
    }
    case "dropLine":
      lines.splice(e.line % lines.length, 1);
      return lines.join("\n");
    case "dupLine": {
      const i = e.line % lines.length;
      lines.splice(i, 0, lines[i]);
      return lines.join("\n");
    }
    case "swap": {
      const i = e.line % lines.length;
      const j = (i + 1) % lines.length;
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join("\n");
    }
  }
}

const isContainer = (v: unknown): boolean => typeof v === "object" && v !== null;
const getAt = (root: unknown, path: (string | number)[]): unknown =>
  path.reduce<unknown>((node, seg) => (node as Record<string | number, unknown>)[seg], root);

// Discovery roots are kept inside the test directory: a random root of "/" would scan the disk.
function confineRoots(root: Record<string, unknown>): void {
  const roots = (root.discovery as { roots?: unknown } | undefined)?.roots;
  if (Array.isArray(roots)) roots.forEach((r, i) => typeof r === "string" && (roots[i] = r.replace(/[./\\~]/g, "_") || "services"));
}

const manifestArb = fc
  .record({ mutations: fc.array(mutationArb, { minLength: 1, maxLength: 4 }), edits: fc.array(textEditArb, { maxLength: 2 }) })
  .map(({ mutations, edits }) => {
    const root = structuredClone(BASE) as Record<string, unknown>;
    for (const m of mutations) applyMutation(root, m);
    confineRoots(root);
    let text: string;
    try {
      text = stringify(root, { aliasDuplicateObjects: false });
    } catch {
      text = BASE_YAML;
    }
    return edits.reduce(applyTextEdit, text);
  });

// ---- the properties ------------------------------------------------------------------------

function checkIssues(text: string): void {
  let result: ReturnType<typeof loadText>;
  try {
    result = loadText(file, text, { env: ENV, checkCommands: true });
  } catch (err) {
    throw new Error(`loadText threw ${(err as Error).stack}\n--- input ---\n${text}`);
  }
  for (const issue of result.issues) {
    const ok = issue.line >= 1 && issue.col >= 1 && Number.isInteger(issue.line) && Number.isInteger(issue.col) && issue.message.trim() !== "" && issue.path.trim() !== "";
    if (!ok) throw new Error(`malformed issue ${JSON.stringify(issue)}\n--- input ---\n${text}`);
  }
  if (hasErrors(result.issues) === (result.config !== undefined)) throw new Error(`config present despite errors, or absent without any\n--- input ---\n${text}`);
}

/** `check` prints `file:line:col path: message`; a path may hold a quoted segment such as `services["a b"]`. */
const PROBLEM_LINE = /^[^:\s]+:\d+:\d+ (?:[^\s"]|"(?:[^"\\]|\\.)*")+: .+$/;

function captureIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), color: false, cwd: dir, env: ENV };
}

describe("fuzzed manifests", () => {
  test("the base manifest is valid", () => {
    const { issues, config } = loadText(file, BASE_YAML, { env: ENV, checkCommands: true });
    expect(issues).toEqual([]);
    expect(config!.services.map((s) => s.name)).toEqual(["api", "db", "web", "worker"]);
  });

  test("3000 mutations: loadText never throws and every issue has a position, a path and a message", () => {
    fc.assert(fc.property(manifestArb, checkIssues), { seed: 20240601, numRuns: 3000, endOnFailure: true, includeErrorInReport: true });
  }, 30_000);

  test("3000 mutations of the raw text only", () => {
    const textOnly = fc.array(textEditArb, { minLength: 1, maxLength: 5 }).map((edits) => edits.reduce(applyTextEdit, BASE_YAML));
    fc.assert(fc.property(textOnly, checkIssues), { seed: 7, numRuns: 3000, endOnFailure: true, includeErrorInReport: true });
  }, 30_000);

  test("40 broken manifests through `check`: exit 2 and only well-formed problem lines", async () => {
    // A first line that is always an error (an unknown key), then a random mutation.
    const broken = fc.tuple(manifestArb, fc.constantFrom("eighty", "x", "")).map(([text, word]) => `api_port_typo: ${JSON.stringify(word)}\n${text}`);
    const samples = fc.sample(broken, { seed: 42, numRuns: 40 });
    for (const text of samples) {
      writeFileSync(file, text);
      const io = captureIo();
      const code = await runCli(["check", "-c", file], io);
      const lines = io.err.join("").split("\n").filter(Boolean);
      const summary = lines.pop();
      expect({ code, text }).toEqual({ code: 2, text });
      expect(summary).toMatch(/^\d+ problems? found; nothing was started$/);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect({ line, ok: PROBLEM_LINE.test(line) }).toEqual({ line, ok: true });
      expect(io.out.join("")).toBe("");
    }
  });
});
