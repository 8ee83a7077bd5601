import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BunSpawner } from "../../src/process/bun-spawner";
import { MARKER_VAR } from "../../src/process/marker";
import { toDirectCommand } from "../../src/process/simple-command";
import type { Exit } from "../../src/process/spawner";
import { killPids, waitFor } from "../helpers/processes";

const CWD = "/srv/app";

describe("toDirectCommand: what it execs directly", () => {
  test("the discovered-fleet shape: assignment with a default, exec, program", () => {
    const direct = toDirectCommand("PORT=${PORT:-3000} exec node server.js", { PATH: "/usr/bin" }, CWD);
    expect(direct).toEqual({ argv: ["node", "server.js"], env: { PATH: "/usr/bin", PORT: "3000", PWD: CWD } });
  });

  test("${NAME:-word} uses the word for unset and empty, ${NAME-word} only for unset", () => {
    const run = (command: string, env: Record<string, string>) => toDirectCommand(command, env, CWD)?.env.X;
    expect(run("X=${P:-d} prog", {})).toBe("d");
    expect(run("X=${P:-d} prog", { P: "" })).toBe("d");
    expect(run("X=${P:-d} prog", { P: "v" })).toBe("v");
    expect(run("X=${P-d} prog", {})).toBe("d");
    expect(run("X=${P-d} prog", { P: "" })).toBe("");
    expect(run("X=$P/bin:${Q}x prog", { P: "/a", Q: "q" })).toBe("/a/bin:qx");
  });

  test("assignments expand left to right and are not field-split", () => {
    const direct = toDirectCommand("A=1 B=$A-x C=$S prog", { S: "a b *" }, CWD);
    expect(direct?.env).toMatchObject({ A: "1", B: "1-x", C: "a b *" });
  });

  test("words expand from the environment; an empty unquoted expansion is dropped", () => {
    expect(toDirectCommand("prog $EMPTY --port=$P ${UNSET} tail", { EMPTY: "", P: "80" }, CWD)?.argv).toEqual([
      "prog",
      "--port=80",
      "tail",
    ]);
  });

  test("without exec, and with a path as the program", () => {
    expect(toDirectCommand("./bin/server -v", {}, CWD)?.argv).toEqual(["./bin/server", "-v"]);
    expect(toDirectCommand("  exec\t/usr/bin/env  ", {}, CWD)?.argv).toEqual(["/usr/bin/env"]);
  });

  test("PWD is the working directory and invalid environment names are not passed on, as dash does", () => {
    const direct = toDirectCommand("prog", { PWD: "/elsewhere", "A-B": "1", GOOD: "1" }, CWD);
    expect(direct?.env).toEqual({ PWD: CWD, GOOD: "1" });
  });
});

describe("toDirectCommand: what it leaves to the shell", () => {
  const shellOnly = [
    "node server.js && echo done",
    "node server.js; echo done",
    "node server.js | tee log",
    "node server.js > out.log",
    "node server.js &",
    "node 'server.js'",
    'node "server.js"',
    "node server\\ js",
    "node $(cat file)",
    "node `cat file`",
    "node *.js",
    "node server?.js",
    "node [ab].js",
    "node ~/server.js",
    "X=~/bin node",
    "node server.js # comment",
    "node $1",
    "node $$",
    "node ${#X}",
    "node ${X:=d}",
    "node ${X:-$Y}",
    "node\nnode",
    "(node server.js)",
    "{ node; }",
    "cd dir",
    "echo hi",
    "exec",
    "A=1",
    "",
    "exec -a name node",
    "A=1 node $A", // $A expands before the assignment in a shell; left to it
    "$PROGRAM arg",
  ];
  for (const command of shellOnly) {
    test(JSON.stringify(command), () => expect(toDirectCommand(command, { Y: "y", PROGRAM: "node" }, CWD)).toBeNull());
  }

  test("an expansion whose value a shell would split or glob", () => {
    expect(toDirectCommand("node $ARGS", { ARGS: "a b" }, CWD)).toBeNull();
    expect(toDirectCommand("node $F", { F: "*.js" }, CWD)).toBeNull();
  });

  test("a custom IFS", () => expect(toDirectCommand("node x", { IFS: ":" }, CWD)).toBeNull());
});

// The same command strings run by the real spawner with and without direct exec must give the
// program the same argv, environment and working directory. The program is a bun script, so
// dash does not get to touch the environment on the way in.
describe("BunSpawner: direct exec gives the program what sh -c would have", () => {
  const dir = mkdtempSync(join(tmpdir(), "orch-direct-"));
  const pids: number[] = [];
  afterAll(() => {
    killPids(pids);
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(
    join(dir, "show"),
    `#!${process.execPath}\nconsole.log(JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env: process.env }));\n`,
  );
  chmodSync(join(dir, "show"), 0o755);
  const env = { PATH: `${dir}:/usr/bin:/bin`, HOME: dir, EMPTY: "", P: "81", PWD: "/wrong", "A-B": "dropped" };

  // Lines as data: JSON lines parsed (the environment's key order is not part of the contract).
  async function run(command: string, directExec: boolean): Promise<{ output: unknown[]; exit: Exit; pid: number }> {
    const spawner = new BunSpawner({ directExec });
    const output: unknown[] = [];
    // Each spawner marks its processes with its own run id: checked here, then left out of the comparison.
    const unmark = (shown: { env: Record<string, string> }) => {
      expect(shown.env[MARKER_VAR]).toBe(`${spawner.runId}/1/show`);
      delete shown.env[MARKER_VAR];
      return shown;
    };
    const child = spawner.spawn({ name: "show", command, cwd: dir, env }, (stream, line) =>
      output.push({ stream, line: line.startsWith("{") ? unmark(JSON.parse(line)) : line }),
    );
    pids.push(child.pid);
    const exit = await child.exited;
    spawner.close();
    return { output, exit, pid: child.pid };
  }

  const commands = [
    "PORT=${PORT:-3000} exec show --port=$P",
    "A=1 B=$A-${UNSET:-d} show $EMPTY x ${P}y",
    "exec ./show",
    "show",
  ];
  for (const command of commands) {
    test(JSON.stringify(command), async () => {
      expect(toDirectCommand(command, env, dir)).not.toBeNull();
      const viaShell = await run(command, false);
      const direct = await run(command, true);
      expect(viaShell.exit).toEqual({ code: 0, signal: null, reason: "exited" });
      expect(direct.exit).toEqual(viaShell.exit);
      expect(direct.output).toEqual(viaShell.output);
    });
  }

  test("argv[0] is the program word as written, and the child is the program itself (no shell in between)", async () => {
    const spawner = new BunSpawner();
    const child = spawner.spawn({ name: "sleep", command: "T=1 exec sleep 30", cwd: dir, env }, () => {});
    pids.push(child.pid);
    try {
      // Right after the spawn the child may still be ours (vfork) or mid-exec (empty): wait for the exec.
      const read = () => readFileSync(`/proc/${child.pid}/cmdline`, "utf8");
      const ours = readFileSync("/proc/self/cmdline", "utf8");
      await waitFor(() => read() !== "" && read() !== ours, 5000, "the child to exec");
      const cmdline = read().split("\0");
      expect(cmdline.slice(0, 2)).toEqual(["sleep", "30"]);
      expect(readFileSync(`/proc/${child.pid}/environ`, "utf8").split("\0")).toContain("T=1");
    } finally {
      child.kill();
      await child.exited;
      spawner.close();
    }
  });

  test("a program that cannot be exec'd falls back to the shell: its message and exit 127 are unchanged", async () => {
    const command = "exec no-such-program-4711 x";
    expect(toDirectCommand(command, env, dir)).not.toBeNull();
    const viaShell = await run(command, false);
    const direct = await run(command, true);
    expect(viaShell.exit.code).toBe(127);
    expect(direct.exit).toEqual(viaShell.exit);
    expect(direct.output).toEqual(viaShell.output);
  });
});
