/** `${VAR}` interpolation as a user sees it: values, defaults, errors at the right place, coercion. */
import { afterAll, describe, expect, test } from "bun:test";
import { interpolateText } from "../../src/manifest/interpolate";
import { load, serviceA, removeTrees } from "./helpers";

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
