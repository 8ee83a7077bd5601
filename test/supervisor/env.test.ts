import { describe, expect, test } from "bun:test";
import { buildServiceEnv, secretsOf } from "../../src/supervisor/env";

const TOKEN = "the-api-token-0123456789";
const service = { env: { FROM_MANIFEST: TOKEN, ORCHESTRATOR_TOKEN: "another", KEEP: "1" }, envFile: "/srv/app.env", port: 4001, cwd: "/srv" };

describe("the environment a service is spawned with", () => {
  test("holds every layer, less ORCHESTRATOR_TOKEN and any variable whose value is the API token", () => {
    const env = buildServiceEnv(service, { ORCHESTRATOR_TOKEN: TOKEN, INHERITED: TOKEN, PATH: "/bin" }, () => `FROM_FILE=${TOKEN}\nFILE_KEEP=2\n`, [TOKEN]);
    expect(env).toEqual({ PATH: "/bin", FILE_KEEP: "2", KEEP: "1", PORT: "4001" });
  });

  test("without a token only ORCHESTRATOR_TOKEN goes; an empty value is no token", () => {
    expect(buildServiceEnv({ ...service, envFile: undefined }, { ORCHESTRATOR_TOKEN: "x", EMPTY: "" }, () => undefined, undefined)).toEqual({
      EMPTY: "",
      FROM_MANIFEST: TOKEN,
      KEEP: "1",
      PORT: "4001",
    });
    expect(buildServiceEnv({ ...service, envFile: undefined, env: {} }, { EMPTY: "" }, () => undefined, secretsOf({ api: { token: "" } }))).toEqual({ EMPTY: "", PORT: "4001" });
  });

  test("an alert URL is a secret too, whole or by its long parts: a webhook given through the environment never reaches a service", () => {
    const secrets = secretsOf({ api: {}, alerts: [{ url: "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX" }, { url: "https://ntfy.sh/ops" }] });
    const processEnv = {
      SLACK_WEBHOOK: "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX",
      SLACK_PATH: "T000/B000/XXXXXXXXXXXXXXXX",
      NTFY: "https://ntfy.sh/ops",
      SHORT: "ops", // a short part is no secret: it would withhold words like "https"
      PATH: "/bin",
    };
    expect(buildServiceEnv({ ...service, envFile: undefined, env: {} }, processEnv, () => undefined, secrets)).toEqual({ SHORT: "ops", PATH: "/bin", PORT: "4001" });
  });
});
