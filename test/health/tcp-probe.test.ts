import { expect, test } from "bun:test";
import { createTcpProbe } from "../../src/health/tcp-probe";
import { waitFor } from "../helpers/processes";

const HOST = "127.0.0.1";

test("a listening port is healthy, reported as host:port", async () => {
  let accepted = 0;
  const listener = Bun.listen({ hostname: HOST, port: 0, socket: { open: () => void accepted++, data() {} } });
  try {
    const result = await createTcpProbe({ host: HOST, port: listener.port }).check(2000);
    expect(result).toMatchObject({ ok: true, endpoint: `${HOST}:${listener.port}` });
    expect(result.error).toBeUndefined();
    await waitFor(() => accepted === 1, 2000, "the listener to see the probe's one connection");
  } finally {
    listener.stop(true);
  }
});

test("a refused port is a failed result with the reason", async () => {
  const listener = Bun.listen({ hostname: HOST, port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  const result = await createTcpProbe({ host: HOST, port }).check(2000);
  expect(result).toMatchObject({ ok: false, endpoint: `${HOST}:${port}`, error: "ECONNREFUSED" });
});
