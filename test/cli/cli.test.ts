/** The CLI in process: what a user types, what they read, and the exit code. */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import type { CliIo } from "../../src/cli/command";
import { runCli } from "../../src/cli/main";
import { freePort } from "../helpers/processes";

const REPO = join(import.meta.dir, "../..");
const ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
// free ports, so `check`'s port-guard warning does not depend on what this machine runs
const DB_PORT = freePort();
const API_PORT = freePort();

const FLEET = `version: 1
name: tiny
phases: [critical, core, extras]
services:
  db:
    command: [sh, -c, "exit 0"]
    port: ${DB_PORT}
    phase: critical
    health: { tcp: ${DB_PORT} }
  api:
    command: "sh -c true"
    port: ${API_PORT}
    dependsOn: [db]
  mail:
    command: [sh]
    phase: extras
    optional: true
    dependsOn: { api: started }
    health: false
  old:
    command: [sh]
    disabled: true
`;

const dir = mkdtempSync(join(tmpdir(), "orchestrator-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "orchestrator.yaml"), FLEET);
mkdirSync(join(dir, "broken"));
writeFileSync(join(dir, "broken/orchestrator.yaml"), "version: 1\nservices:\n  a:\n    command: [sh]\n    port: eighty\n    dependsOn: [b]\n");

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(argv: string[], options: { cwd?: string; color?: boolean; env?: Record<string, string> } = {}): Promise<Run> {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    color: options.color ?? false,
    cwd: options.cwd ?? dir,
    env: { ...ENV, ...options.env },
  };
  const code = await runCli(argv, io);
  return { code, out, err };
}

const ESC = "\x1b[";

describe("version and help", () => {
  test("--version and -V print the package version", async () => {
    for (const flag of ["--version", "-V"]) {
      const { code, out, err } = await run([flag]);
      expect(code).toBe(0);
      expect(out).toBe(`orchestrator ${pkg.version} (bun ${Bun.version})\n`);
      expect(err).toBe("");
    }
  });

  test("--help lists every command and the exit codes", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out).toStartWith(`orchestrator ${pkg.version}: `);
    for (const name of ["check", "plan", "graph", "schema"]) expect(out).toMatch(new RegExp(`^  ${name}\\b`, "m"));
    expect(out).toContain("exit codes: 0 success, 1 runtime failure, 2 usage or manifest error");
  });

  test("help check, check --help and check -h print the command's usage", async () => {
    const expected = "validate the manifest and discovery; print every problem as file:line:col path: message\n\nusage: orchestrator check [-c FILE]\n";
    for (const argv of [["help", "check"], ["check", "--help"], ["check", "-h"]]) {
      expect(await run(argv)).toEqual({ code: 0, out: expected, err: "" });
    }
  });
});

describe("usage errors exit 2 with one line and no stack", () => {
  test("an unknown command suggests the nearest", async () => {
    expect(await run(["chek"])).toEqual({ code: 2, out: "", err: 'orchestrator: unknown command "chek" (did you mean "check"?); see orchestrator --help\n' });
  });

  test("an unknown command with nothing close", async () => {
    expect(await run(["frobnicate"])).toEqual({ code: 2, out: "", err: 'orchestrator: unknown command "frobnicate"; see orchestrator --help\n' });
  });

  test("an unknown long option", async () => {
    expect(await run(["check", "--bogus"])).toEqual({ code: 2, out: "", err: 'orchestrator: check: unknown option "--bogus"; usage: orchestrator check [-c FILE]\n' });
  });

  test("an unknown short option", async () => {
    expect(await run(["check", "-z"])).toEqual({ code: 2, out: "", err: 'orchestrator: unknown option "-z"\n' });
  });

  test("an option that needs a value and got none", async () => {
    expect(await run(["graph", "--format"])).toEqual({ code: 2, out: "", err: 'orchestrator: option "--format" needs a value\n' });
  });

  test("a bad --format", async () => {
    expect(await run(["graph", "--format", "svg"])).toEqual({ code: 2, out: "", err: 'orchestrator: --format: expected one of mermaid, dot, json, got "svg"\n' });
  });
});

describe("check", () => {
  test("the repository's own orchestrator.yaml is valid", async () => {
    const { code, out, err } = await run(["check", "-c", "orchestrator.yaml"], { cwd: REPO, env: { ORCHESTRATOR_TOKEN: "" } });
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toMatch(/^ok orchestrator\.yaml: \d+ services \(\d+ discovered\) in \d+ phases\n$/);
  });

  test("a valid manifest: a one-line summary", async () => {
    expect(await run(["check"])).toEqual({ code: 0, out: "ok orchestrator.yaml: 3 services (0 discovered, 1 disabled) in 3 phases\n", err: "" });
  });

  test("every problem as file:line:col path: message, then a count; exit 2", async () => {
    expect(await run(["check", "-c", "broken/orchestrator.yaml"])).toEqual({
      code: 2,
      out: "",
      err: [
        'broken/orchestrator.yaml:5:11 services.a.port: expected an integer from 1 to 65535, got "eighty"',
        'broken/orchestrator.yaml:6:17 services.a.dependsOn[0]: unknown dependency "b"',
        "2 problems found; nothing was started",
        "",
      ].join("\n"),
    });
  });

  test("the manifest can come from ORCHESTRATOR_CONFIG", async () => {
    const { code, err } = await run(["check"], { env: { ORCHESTRATOR_CONFIG: "broken/orchestrator.yaml" } });
    expect(code).toBe(2);
    expect(err).toEndWith("2 problems found; nothing was started\n");
  });

  test("a manifest that is not there", async () => {
    expect(await run(["check", "-c", "nope.yaml"])).toEqual({
      code: 2,
      out: "",
      err: "nope.yaml:1:1 (file): cannot read manifest: no such file\n1 problem found; nothing was started\n",
    });
  });

  test("warnings are printed and do not fail the check", async () => {
    writeFileSync(join(dir, "warn.yaml"), "version: 1\nname: fleet${SUFFIX}\n");
    expect(await run(["check", "-c", "warn.yaml"])).toEqual({
      code: 0,
      out: "ok warn.yaml: 0 services (0 discovered) in 0 phases\n",
      err: "warn.yaml:2:7 name: warning: ${SUFFIX} is not set; using an empty string (write ${SUFFIX:-default} to choose one)\n",
    });
  });
});

describe("plan", () => {
  test("phases, launch order, probes and dependencies as text", async () => {
    const { code, out, err } = await run(["plan"]);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out.split("\n").map((l) => l.trimEnd())).toEqual([
      "tiny: 3 services in 3 phases",
      "",
      "phase 0 critical (serial, in dependency order)",
      `  1.       db                   ${`:${DB_PORT}`.padEnd(7)} tcp ${DB_PORT}`,
      "",
      "phase 1 core (parallel, up to 10 starting at once)",
      `  wave 1:  api                  ${`:${API_PORT}`.padEnd(7)} http /health|/api/health|/status|/ping after db`,
      "",
      "phase 2 extras (parallel, up to 10 starting at once)",
      "  wave 1:  mail                         no probe                             after api (started) [optional]",
      "",
      "disabled: old",
      "",
    ]);
  });

  test("--json: the graph of enabled services, the order and the launch steps", async () => {
    const { code, out } = await run(["plan", "--json"]);
    expect(code).toBe(0);
    const plan = JSON.parse(out);
    expect(plan.order).toEqual(["db", "api", "mail"]);
    expect(plan.nodes.map((n: { name: string }) => n.name)).toEqual(["db", "api", "mail"]);
    expect(plan.edges).toEqual([
      { from: "api", to: "db", condition: "healthy" },
      { from: "mail", to: "api", condition: "started" },
    ]);
    expect(plan.launch).toEqual([
      { index: 0, name: "critical", mode: "serial", concurrency: 1, steps: [["db"]] },
      { index: 1, name: "core", mode: "parallel", concurrency: 10, steps: [["api"]] },
      { index: 2, name: "extras", mode: "parallel", concurrency: 10, steps: [["mail"]] },
    ]);
  });

  test("a broken manifest plans nothing and exits 2", async () => {
    const { code, out, err } = await run(["plan", "-c", "broken/orchestrator.yaml"]);
    expect({ code, out }).toEqual({ code: 2, out: "" });
    expect(err).toEndWith("2 problems found; nothing was started\n");
  });
});

describe("graph", () => {
  test("mermaid is the default", async () => {
    const { code, out } = await run(["graph"]);
    expect(code).toBe(0);
    expect(out).toStartWith("flowchart LR\n");
    expect(out).toContain("  svc_api --> svc_db\n");
    expect(out).toContain("  svc_mail -->|started| svc_api\n");
    expect((await run(["graph", "--format", "mermaid"])).out).toBe(out);
  });

  test("--format dot", async () => {
    const { code, out } = await run(["graph", "--format", "dot"]);
    expect(code).toBe(0);
    expect(out).toStartWith("digraph dependencies {\n");
    expect(out).toContain('  "api" -> "db";\n');
    expect(out).toContain('  "mail" -> "api" [label="started"];\n');
    expect(out).toEndWith("}\n");
  });

  test("--format=json includes disabled services", async () => {
    const { code, out } = await run(["graph", "--format=json"]);
    expect(code).toBe(0);
    const graph = JSON.parse(out);
    expect(graph.phases).toEqual(["critical", "core", "extras"]);
    expect(graph.nodes.map((n: { name: string; disabled: boolean }) => [n.name, n.disabled])).toEqual([
      ["db", false],
      ["api", false],
      ["old", true],
      ["mail", false],
    ]);
  });
});

describe("schema", () => {
  test("prints a JSON Schema whose properties include services", async () => {
    const { code, out } = await run(["schema"]);
    expect(code).toBe(0);
    const schema = JSON.parse(out);
    expect(schema.properties.services).toBeDefined();
    expect(schema.required).toEqual(["version"]);
    expect(schema.properties.services.patternProperties).toBeDefined();
  });

  test("the committed orchestrator.schema.json is what `schema` prints", async () => {
    const committed = join(REPO, "orchestrator.schema.json");
    expect(existsSync(committed)).toBe(true);
    expect(JSON.parse(readFileSync(committed, "utf8"))).toEqual(JSON.parse((await run(["schema"])).out));
  });
});

describe("colour", () => {
  test("no escape codes anywhere when colour is off", async () => {
    const runs = await Promise.all([
      run(["check"]),
      run(["check", "-c", "broken/orchestrator.yaml"]),
      run(["plan"]),
      run(["graph"]),
      run(["chek"]),
      run(["--help"]),
    ]);
    for (const r of runs) expect(r.out + r.err).not.toContain(ESC);
  });

  test("with colour on, ok is green and problems are red", async () => {
    expect((await run(["check"], { color: true })).out).toStartWith(`${ESC}32mok${ESC}0m `);
    expect((await run(["check", "-c", "broken/orchestrator.yaml"], { color: true })).err).toStartWith(`${ESC}31mbroken/orchestrator.yaml:5:11 `);
  });
});
