/**
 * `orchestrator up`: run the fleet in the foreground. SIGTERM/SIGINT stop services in
 * reverse dependency order, flush state and exit 0; a second signal kills every service
 * group at once and exits 130. Exit 1 when a critical service could not start, or when
 * another orchestrator holds state.dir (src/app/state-lock.ts).
 *
 * The composition root of a running fleet: manifest → state-dir lock → Fleet (the supervisor
 * wired to the real adapters, src/app/fleet.ts) → FleetPort → the API and dashboard over it.
 */
import type { CliIo, Command } from "../command";
import { UsageError, flagString } from "../args";
import { loadOrReport } from "../load-manifest";
import type { Fleet } from "../../app/fleet";
import type { StateLock } from "../../app/state-lock";
import type { Config } from "../../contract/config";
import { OrchestratorError } from "../../contract/errors";
import type { Timer } from "../../lib/clock";
import type { LogFormat, Logger } from "../../lib/logger";
import type { PageRelease } from "../../lib/release-pages";

/** The exit code of a second SIGTERM/SIGINT: every service group killed at once. */
const FORCED_EXIT = 130;

export const upCommand: Command = {
  name: "up",
  summary: "run the fleet in the foreground (the default command)",
  usage: "orchestrator [up] [-c orchestrator.yaml] [--log-format json|pretty]",
  flags: ["config", "log-format"],
  async run(args, io) {
    const format = flagString(args, "log-format") ?? (io.color ? "pretty" : "json");
    if (format !== "json" && format !== "pretty") throw new UsageError(`--log-format: expected json or pretty, got "${format}"`);
    const config = await loadOrReport(args, io);
    if (!config) return 2;
    // Loaded here, not at the top: client commands (status, logs) must start fast.
    const [{ Fleet }, { reloadFleet }, { FleetPort }, api, { mountDashboard }, stateLock, stateDir, { createLogger }, { createPageReleaser, releaseExecutablePages }] = await Promise.all([
      import("../../app/fleet"),
      import("../../app/reload"),
      import("../../app/fleet-port"),
      import("../../api"),
      import("../../dashboard"),
      import("../../app/state-lock"),
      import("../../app/state-dir"),
      import("../../lib/logger"), // pino and pino-pretty: a third of what a client command would load
      import("../../lib/release-pages"),
    ]);
    const exposure = api.checkExposure({ host: config.api.host, token: config.api.token });
    if (exposure) {
      io.stderr(`orchestrator: ${exposure}\n`);
      return 2;
    }
    // state.dir must be a folder we can write before it can hold the lock; then the lock comes first
    try {
      stateDir.prepareStateDir(config.stateDir);
    } catch (err) {
      if (!(err instanceof stateDir.StateDirError)) throw err;
      io.stderr(`orchestrator: ${err.message}\n`);
      return 1;
    }
    const lock = lockStateDir(config, io, stateLock);
    if (!lock) return 1;
    const { logger, flush, close: closeLog } = createLogger({ format: format as LogFormat, color: io.color });
    if (lock.method === "pid-file") logger.warn({ lockFile: lock.path, reason: lock.fallbackReason }, `state.dir lock: ${lock.fallbackReason}; using a pid file with a liveness check instead (${lock.path})`);
    let fleet: Fleet;
    try {
      fleet = new Fleet(config, { logger, logServiceOutput: true, processEnv: io.env, previousRun: lock.previousRun });
    } catch (err) {
      // no history file can be opened in state.dir: say so, start nothing
      if (!(err instanceof OrchestratorError && (err.code === "STATE_DIR_UNUSABLE" || err.code === "STORE_UNAVAILABLE"))) throw err;
      io.stderr(`orchestrator: ${err.message}\n`);
      flush();
      lock.release();
      return 1;
    }
    const enabled = config.services.filter((s) => !s.disabled).length;
    logger.info({ manifest: config.file, services: enabled, stateDir: config.stateDir }, `starting ${config.name}: ${enabled} services`);
    const onFallback = (reason: string) => logger.warn({ reason }, `reload parsed on the main thread: the manifest worker did not run (${reason})`);
    const port = new FleetPort(fleet, (how) => reloadFleet(fleet, { env: io.env, onFallback, wait: how?.wait }));
    let server: ReturnType<typeof api.startApiServer>;
    let app: ReturnType<typeof api.createApi>;
    try {
      app = api.createApi(port, { ...config.api, dashboard: mountDashboard });
      server = api.startApiServer(app, { host: config.api.host, port: config.api.port });
    } catch (err) {
      logger.error({ err: (err as Error).message }, `cannot serve the API on ${config.api.host}:${config.api.port}: ${(err as Error).message}`);
      flush();
      await fleet.close();
      lock.release();
      return 1;
    }
    lock.markListening(server.url);
    logger.info({ url: server.url }, `API ${server.url}/orchestrator  docs ${server.url}/docs  dashboard ${server.url}/`);
    const pages = createPageReleaser(fleet.clock, releaseExecutablePages, (release) => logRelease(logger, release));
    const reload = () =>
      port.reload().then(
        (outcome) => (outcome.ok ? (logger.info({ diff: outcome.diff }, "reloaded"), pages.schedule(RELEASE_AFTER_RELOAD_MS)) : logger.error({ issues: outcome.issues }, "reload rejected: the running fleet is unchanged")),
        (err: Error) => logger.warn({ err: err.message }, "reload refused"),
      );
    let warm: Timer | undefined;
    const launched = () => {
      pages.schedule(RELEASE_AFTER_LAUNCH_MS);
      warm = fleet.clock.setTimeout(() => void api.warmReads(app, `http://127.0.0.1:${server.port}`, config.api.token || undefined), WARM_AFTER_LAUNCH_MS);
    };
    const code = await runUntilStopped(fleet, logger, reload, launched);
    warm?.cancel();
    pages.cancel();
    await server.stop();
    lock.release();
    await closeLog();
    return code;
  },
};

/**
 * Lock state.dir before anything opens the store, starts a service or binds the API; null
 * (the reason printed) when another orchestrator has it. Any exit releases it, even process.exit.
 */
function lockStateDir(config: Config, io: CliIo, stateLock: typeof import("../../app/state-lock")): StateLock | null {
  const { host, port } = config.api;
  let lock: StateLock;
  try {
    lock = stateLock.acquireStateLock(config.stateDir, { api: `http://${host.includes(":") ? `[${host}]` : host}:${port}` });
  } catch (err) {
    if (!(err instanceof stateLock.StateDirInUseError || err instanceof stateLock.StateLockError)) throw err;
    io.stderr(`orchestrator: ${err.message}\n`);
    return null;
  }
  // The normal paths release the lock before they return. An exit that gets here first is a
  // crash (an error thrown out of `up`), whose file stays so the next start reports it, or the
  // forced stop of a second signal (130), which the operator asked for.
  process.once("exit", (code) => (code === FORCED_EXIT ? lock.release() : lock.abandon()));
  return lock;
}

/**
 * After a launch, the start-up pages of the executable are given back twice
 * (src/lib/release-pages.ts): 10 s after the launch has settled, and again once the JIT
 * compilers have warmed up on the steady state (probes, the API), which pages in compiler code
 * of its own. Not sooner: a release holds the main thread for ~13 ms (two madvise calls over
 * ~100 MB of mappings) and the next requests fault their code back in, which is the moment an
 * operator runs `status` or opens the dashboard after `up` (a status loop 2 s after the launch:
 * slowest run 53-80 ms with the release at 2 s, 19-26 ms with it at 10 s; docs/BENCHMARKS.md).
 * After a reload, once.
 */
export const RELEASE_AFTER_LAUNCH_MS = [10_000, 60_000];
export const RELEASE_AFTER_RELOAD_MS = [2000];
/** When the first reads are answered once in process (src/api/warm-reads.ts): after the launch, before the first release. */
export const WARM_AFTER_LAUNCH_MS = 500;

/** The log line of one release of the executable's start-up pages. */
function logRelease(logger: Logger, { residentBefore, residentAfter, mappings, error }: PageRelease): void {
  const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
  const released = mib(Math.max(0, residentBefore - residentAfter));
  if (error) logger.info({ error, mappings }, `start-up pages of the executable not given back: ${error}`);
  else logger.info({ releasedMiB: released, residentFileMiB: mib(residentAfter) }, `gave back ${released} MiB of start-up pages of the executable (file-backed resident ${mib(residentBefore)} -> ${mib(residentAfter)} MiB)`);
}

async function runUntilStopped(fleet: Fleet, logger: Logger, reload: () => Promise<void>, launched: () => void): Promise<number> {
  let stopped: Promise<number> | null = null;
  let signalled!: (code: Promise<number>) => void;
  const untilSignal = new Promise<Promise<number>>((resolve) => (signalled = resolve));
  let forced = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopped) {
      logger.warn({ signal }, `second ${signal}: killing every service group now`);
      forced = true; // the graceful path may finish first once everything is killed: it exits 130 too
      void fleet.close().finally(() => process.exit(FORCED_EXIT));
      return;
    }
    logger.info({ signal }, `${signal}: stopping services in reverse dependency order`);
    stopped = fleet.shutdown().then(() => (forced ? FORCED_EXIT : (logger.info("all services stopped"), 0)));
    signalled(stopped);
  };
  const handlers: [NodeJS.Signals, () => void][] = [
    ["SIGTERM", () => stop("SIGTERM")],
    ["SIGINT", () => stop("SIGINT")],
    ["SIGHUP", () => (logger.info("SIGHUP: reloading the manifest"), void reload())],
  ];
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    const result = await Promise.race([fleet.start(), untilSignal.then(() => null)]);
    if (result?.outcome === "aborted") {
      logger.error({ service: result.service, reasons: result.reasons }, `launch aborted: ${result.reasons.join("; ")}`);
      if (!stopped) await fleet.shutdown();
      return 1;
    }
    if (result) launched();
    return await (await untilSignal);
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
