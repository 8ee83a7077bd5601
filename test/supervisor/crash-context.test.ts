import { describe, expect, test } from "bun:test";
import { createHarness, service } from "./harness";

describe("crash context (SPEC §16)", () => {
  test("a failure's detected event keeps the process's last 20 output lines, with its exit code", async () => {
    const h = createHarness([service("api")]);
    void h.supervisor.start();
    h.probes.pass("api");
    await h.settle();
    const child = h.spawner.last("api");
    for (let i = 1; i <= 25; i++) child.emit(i % 5 === 0 ? "stderr" : "stdout", `line ${i}`);
    child.exit(3);
    await h.settle();
    const detected = h.sink.healing("api").find((e) => e.action === "detected")!;
    expect(detected).toMatchObject({ cause: "exit", exitCode: 3, reason: "exited with code 3" });
    expect(detected.context!.map((l) => l.line)).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 6}`));
    expect(detected.context![4]).toMatchObject({ stream: "stderr", line: "line 10" });
  });

  test("the next process starts with an empty context: a restart that dies silently shows no old lines", async () => {
    const h = createHarness([service("api")]);
    void h.supervisor.start();
    h.probes.pass("api");
    await h.settle();
    h.spawner.last("api").emit("stdout", "from the first process");
    h.spawner.last("api").exit("SIGSEGV");
    await h.settle();
    h.spawner.last("api").exit(1);
    await h.settle();
    const [first, second] = h.sink.healing("api").filter((e) => e.action === "detected");
    expect(first).toMatchObject({ signal: "SIGSEGV", context: [{ stream: "stdout", line: "from the first process" }] });
    expect(first.exitCode).toBeUndefined();
    expect(second).toMatchObject({ exitCode: 1, context: [] });
  });

  test("failed probes are recorded as cause unhealthy, with the lines printed before", async () => {
    const h = createHarness([service("api")]);
    void h.supervisor.start();
    h.probes.pass("api");
    await h.settle();
    h.spawner.last("api").emit("stderr", "pool exhausted");
    h.probes.fail("api", 3);
    await h.settle();
    const detected = h.sink.healing("api").find((e) => e.action === "detected")!;
    expect(detected).toMatchObject({ cause: "unhealthy", context: [{ stream: "stderr", line: "pool exhausted" }] });
  });
});
