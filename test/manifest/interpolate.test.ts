/**
 * `${VAR}` interpolation as a user sees it: values, defaults, errors at the right place,
 * coercion; and in a command string (issue 12, item 9) each value, a default included,
 * shell-quoted for where it sits, so `sh -c` reads it back as one literal word (checked
 * against the real /bin/sh, and against the spawner's direct-exec path).
 */
import { afterAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { join } from "node:path";
import { interpolateText } from "../../src/manifest/interpolate";
import { loadConfigSync } from "../../src/manifest/load";
import { toDirectCommand } from "../../src/process/simple-command";
import { load, makeTree, packageJson, serviceA, removeTrees } from "./helpers";

afterAll(removeTrees);

const ENV = { PORT: "8080", EMPTY: "", NAME: "svc", YES: "true", PATH: "/usr/bin:/bin" };
const nameOf = (value: string, env: Record<string, string> = ENV) => load(`version: 1\nname: ${value}\n`, { env });

describe("substitution", () => {
  test("${VAR} is replaced, inside a longer string too", () => {
    expect(nameOf("${NAME}").config?.name).toBe("svc");
    expect(nameOf("pre-${NAME}-post").config?.name).toBe("pre-svc-post");
  });

  test("${VAR:-default} uses the default when unset or empty", () => {
    expect(nameOf("${UNSET:-fallback}").config?.name).toBe("fallback");
    expect(nameOf("${EMPTY:-fallback}").config?.name).toBe("fallback");
    expect(nameOf("${NAME:-fallback}").config?.name).toBe("svc");
  });

  test("${VAR-default} uses the default only when unset", () => {
    expect(nameOf("${UNSET-fallback}").config?.name).toBe("fallback");
    expect(nameOf("x${EMPTY-fallback}y").config?.name).toBe("xy");
  });

  test("$$ is a literal dollar", () => {
    expect(nameOf("cost $$5").config?.name).toBe("cost $5");
    expect(nameOf("'$${NAME}'").config?.name).toBe("${NAME}");
  });

  test("values in lists and maps are interpolated, keys are not", () => {
    const { config, issues } = load(serviceA("env: { X: '${PORT}', '${NAME}': y }").replace("command: x", "command: [echo, '${NAME}']"), { env: ENV });
    expect(issues).toEqual([]);
    const a = config!.services[0];
    expect(a.command).toEqual(["echo", "svc"]);
    expect(a.env).toEqual({ X: "8080", "${NAME}": "y" });
  });
});

describe("problems", () => {
  test("${VAR:?message} when unset is an error at the value, with the message, reported once", () => {
    expect(nameOf("${NEEDED:?set NEEDED to the fleet name}").lines).toEqual([
      "orchestrator.yaml:2:7 name: ${NEEDED} is required: set NEEDED to the fleet name",
    ]);
  });

  test("${VAR:?} with no message, and when set but empty", () => {
    expect(nameOf("${NEEDED:?}").lines).toEqual(["orchestrator.yaml:2:7 name: ${NEEDED} is required: set it in the environment"]);
    expect(nameOf("${EMPTY:?must not be empty}").lines).toEqual(["orchestrator.yaml:2:7 name: ${EMPTY} is required: must not be empty"]);
  });

  test("${VAR:?} deep inside a service points at that value", () => {
    expect(load(serviceA("env:", "  TOKEN: ${TOKEN:?export TOKEN first}"), { env: ENV }).lines).toEqual([
      "orchestrator.yaml:6:14 services.a.env.TOKEN: ${TOKEN} is required: export TOKEN first",
    ]);
  });

  test("an unset ${VAR} is a warning and becomes empty", () => {
    const { lines, config } = nameOf("a${UNSET}b");
    expect(lines).toEqual(["orchestrator.yaml:2:7 name: warning: ${UNSET} is not set; using an empty string (write ${UNSET:-default} to choose one)"]);
    expect(config?.name).toBe("ab");
  });

  test("a malformed reference is an error", () => {
    expect(nameOf("${bad name}").lines).toEqual([
      'orchestrator.yaml:2:7 name: bad variable reference "${bad name}": expected ${NAME}, ${NAME:-default} or ${NAME:?message}',
    ]);
  });

  test("an unset variable where a number is needed: the warning, then the type error", () => {
    expect(load(serviceA("port: ${UNSET}"), { env: ENV }).lines).toEqual([
      "orchestrator.yaml:5:11 services.a.port: warning: ${UNSET} is not set; using an empty string (write ${UNSET:-default} to choose one)",
      'orchestrator.yaml:5:11 services.a.port: expected an integer from 1 to 65535, got ""',
    ]);
  });
});

describe("coercion", () => {
  test("port: ${PORT} with PORT=8080 becomes the number 8080", () => {
    const { config, issues } = load(serviceA("port: ${PORT}"), { env: ENV });
    expect(issues).toEqual([]);
    expect(config!.services[0].port).toBe(8080);
    expect(config!.services[0].env.PORT).toBe("8080");
  });

  test('port: "8080" written literally is not coerced', () => {
    expect(load(serviceA('port: "8080"'), { env: ENV }).lines).toEqual([
      'orchestrator.yaml:5:11 services.a.port: expected an integer from 1 to 65535, got "8080"',
    ]);
  });

  test("a boolean and a duration from variables", () => {
    const { config, issues } = load(serviceA("optional: ${YES}", "startupTimeout: ${WAIT:-1500}"), { env: ENV });
    expect(issues).toEqual([]);
    expect(config!.services[0].optional).toBe(true);
    expect(config!.services[0].startupTimeoutMs).toBe(1500);
  });

  test("an interpolated value that is not a number is still reported", () => {
    expect(load(serviceA("port: ${NAME}"), { env: ENV }).lines).toEqual([
      'orchestrator.yaml:5:11 services.a.port: expected an integer from 1 to 65535, got "svc"',
    ]);
  });

  test("a string field keeps digits as a string", () => {
    expect(load("version: 1\napi: { token: '${PORT}' }\n", { env: ENV }).config?.api.token).toBe("8080");
  });
});

describe("interpolateText", () => {
  test("reports each problem with its severity", () => {
    const seen: string[] = [];
    const out = interpolateText("${A}-${B:?need B}-$$", {}, (message, severity) => seen.push(`${severity}: ${message}`));
    expect(out).toBe("--$");
    expect(seen).toEqual([
      "warning: ${A} is not set; using an empty string (write ${A:-default} to choose one)",
      "error: ${B} is required: need B",
    ]);
  });

  test("${VAR?message} (without colon) accepts an empty value", () => {
    const seen: string[] = [];
    expect(interpolateText("[${E?msg}]", { E: "" }, (m) => seen.push(m))).toBe("[]");
    expect(seen).toEqual([]);
  });
});

const EVIL = "world; touch pwned";
const quote = (template: string, env: Record<string, string>) => {
  const refused: string[] = [];
  const out = interpolateText(template, env, () => {}, (m) => refused.push(m));
  return refused.length > 0 ? { refused } : out;
};
/** A folder for the shells below to run in: were quoting broken, what they run stays there. */
const scratch = makeTree();
/** What sh prints for `command` (each argument of printf on its own line). */
const sh = (command: string) => Bun.spawnSync(["/bin/sh", "-c", command], { stdout: "pipe", cwd: scratch }).stdout.toString();

describe("quoting by context", () => {
  test.each([
    ["unquoted", "echo ${V}", "echo 'world; touch pwned'"],
    ["an embedded single quote, unquoted", "echo ${Q}", "echo 'it'\\''s'"],
    ["double quotes: \" \\ $ and ` escaped", 'echo "say ${D}"', 'echo "say \\"\\\\ \\$HOME \\`id\\`"'],
    ["single quotes: closed, quoted quote, reopened", "echo 'say ${Q}'", "echo 'say it'\\''s'"],
    ["inside $(...) the inner context counts", 'echo "$(echo ${V})"', "echo \"$(echo 'world; touch pwned')\""],
    ["a plain value is left as is (no shell needed)", "PORT=${P} exec node --port=${P}", "PORT=3000 exec node --port=3000"],
    ["an empty value adds nothing", "run ${E}x", "run x"],
    ["a default is quoted too", "echo ${UNSET:-a b; c}", "echo 'a b; c'"],
    ["$$ stays the shell's $", "echo $${HOME} ${V}", "echo ${HOME} 'world; touch pwned'"],
  ])("%s", (_, template, expected) => {
    expect(quote(template, { V: EVIL, Q: "it's", D: '"\\ $HOME `id`', P: "3000", E: "" })).toBe(expected);
  });

  test.each([
    ["inside backticks", "echo `echo ${V}`", "inside backticks, a here-document or a case in $(...)"],
    ["in a here-document", "cat <<EOF\n${V}\nEOF", "inside backticks, a here-document or a case in $(...)"],
    ["right after a backslash", "echo \\${V}", "right after a backslash"],
    ["a newline in a comment", "true # ${N}", "in a comment (its newline would end the comment)"],
  ])("refused where it cannot be made safe: %s", (_, template, reason) => {
    expect(quote(template, { V: EVIL, N: "x\ntouch pwned" })).toEqual({
      refused: [`\${${template.includes("${N}") ? "N" : "V"}} in a command string: its value cannot be quoted safely ${reason}; use the argv form (command: [...]) or let the shell expand it when it runs ($${template.includes("${N}") ? "N" : "V"})`],
    });
  });

  test("where the scanner is unsure, a plain value still goes in", () => {
    expect(quote("echo `echo ${P}`", { P: "3000" })).toBe("echo `echo 3000`");
  });
});

describe("the shell reads the value back literally", () => {
  // Mostly what shells read specially, so nearly every value needs quoting.
  const char = fc.oneof(fc.constantFrom(..." \t\n'\"\\$`;&|(){}[]*?#~<>!=%"), fc.constantFrom("a", "B", "7", "-", "é", "😀"));
  const value = fc.string({ unit: char, maxLength: 24 });
  test.each([
    ["unquoted", "printf '%s\\n' ${V}"],
    ["double-quoted", 'printf \'%s\\n\' "<${V}>"'],
    ["single-quoted", "printf '%s\\n' '<${V}>'"],
    ["in $(...) inside double quotes", "printf '%s\\n' \"<$(printf '%s' ${V})>\""],
  ])("%s", (context, template) => {
    fc.assert(
      fc.property(value, (v) => {
        const command = quote(template, { V: v }) as string;
        const expected = template.includes("<") ? `<${v}>` : v;
        // $(...) drops trailing newlines, and an empty unquoted value is no argument: as sh does.
        const want = context.startsWith("in $(") ? `<${v.replace(/\n+$/, "")}>` : expected;
        expect(sh(command)).toBe(v === "" && context === "unquoted" ? "\n" : `${want}\n`);
      }),
      { numRuns: 60 },
    );
  });
});

describe("with the spawner", () => {
  test("a value that needs quoting makes the string go through sh, with the same argv as one word", () => {
    const command = quote("/usr/bin/printf %s, ${V} end", { V: EVIL }) as string;
    expect(toDirectCommand(command, { PATH: "/usr/bin:/bin" }, "/")).toBeNull();
    expect(sh(command)).toBe(`${EVIL},end,`);
  });

  test("a plain value keeps the direct exec, and direct exec gives what sh gives", () => {
    const command = quote("/usr/bin/printf %s, ${V} end", { V: "a-b/c:1" }) as string;
    const direct = toDirectCommand(command, { PATH: "/usr/bin:/bin" }, "/");
    expect(direct?.argv).toEqual(["/usr/bin/printf", "%s,", "a-b/c:1", "end"]);
    expect(Bun.spawnSync(direct!.argv, { stdout: "pipe", cwd: scratch }).stdout.toString()).toBe(sh(command));
  });
});

describe("in a manifest", () => {
  const env = { V: EVIL, PATH: "/usr/bin:/bin" };

  test("shutdown.command runs under sh -c too: its values are quoted", () => {
    const { config, issues } = load(serviceA("shutdown: { command: 'stop --reason ${V}' }"), { env });
    expect(issues).toEqual([]);
    expect(config!.services[0].shutdown.command).toBe("stop --reason 'world; touch pwned'");
  });

  test("services.X.command and health.exec are quoted; env and argv stay literal", () => {
    const { config, issues } = load(
      [
        "version: 1",
        "services:",
        "  a:",
        "    command: echo ${V}",
        "    env: { GREETING: '${V}' }",
        "  b:",
        "    command: [echo, '${V}']",
        "    health: { exec: 'check \"${V}\"' }",
        "",
      ].join("\n"),
      { env },
    );
    expect(issues).toEqual([]);
    const [a, b] = config!.services;
    expect(a.command).toBe("echo 'world; touch pwned'");
    expect(a.env.GREETING).toBe(EVIL);
    expect(b.command).toEqual(["echo", EVIL]);
    expect(b.health.check).toEqual({ kind: "exec", command: 'check "world; touch pwned"' });
  });

  test("a command reached through an anchor or a merge key is quoted too; the anchor's other uses are not", () => {
    const { config, issues } = load(
      [
        "version: 1",
        "x-cmd: &cmd 'echo ${V}'",
        "x-base: &base { command: 'echo base ${V}' }",
        "services:",
        "  a: { command: *cmd, env: { SAME: *cmd } }",
        "  b: { <<: *base }",
        "",
      ].join("\n"),
      { env },
    );
    expect(issues).toEqual([]);
    const [a, b] = config!.services;
    expect([a.command, a.env.SAME, b.command]).toEqual(["echo 'world; touch pwned'", "echo world; touch pwned", "echo base 'world; touch pwned'"]);
  });

  test("a value that cannot be quoted safely is an error at the command", () => {
    expect(load(serviceA("env: {}").replace("command: x", "command: 'echo `echo ${V}`'"), { env }).lines).toEqual([
      "orchestrator.yaml:4:14 services.a.command: ${V} in a command string: its value cannot be quoted safely inside backticks, a here-document or a case in $(...); use the argv form (command: [...]) or let the shell expand it when it runs ($V)",
    ]);
  });

  test("a discovered package.json start script is not interpolated by the orchestrator: the shell expands it at run time", () => {
    const dir = makeTree({
      "orchestrator.yaml": "version: 1\n",
      "services/web/package.json": packageJson({ name: "web", scripts: { start: "echo ${V} $V" } }),
    });
    const { config } = loadConfigSync(join(dir, "orchestrator.yaml"), { env, checkCommands: false });
    expect(config!.services[0].command).toBe("echo ${V} $V");
  });
});
