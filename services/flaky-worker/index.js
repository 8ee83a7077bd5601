// flaky-worker: a background reconciliation worker that crashes on purpose, to exercise self-healing
// (phase optional via index 6, port 4106 from config.port, optional, health /health).
// It exits with code 1 at a random moment CRASH_MIN_MS..CRASH_MAX_MS (default 20-90 s) after start.
import { startService } from "../_lib/service.js";

const CRASH_MIN_MS = Number(process.env.CRASH_MIN_MS ?? 20000);
const CRASH_MAX_MS = Number(process.env.CRASH_MAX_MS ?? 90000);
const crashAfterMs = Math.round(CRASH_MIN_MS + Math.random() * Math.max(0, CRASH_MAX_MS - CRASH_MIN_MS));
let jobs = 0;
let crash; // the timer of the deliberate crash

const work = setInterval(() => { jobs += 1 + Math.floor(Math.random() * 3); }, 1000);

const { log } = startService({
  name: "flaky-worker",
  port: 4106,
  healthPath: "/health",
  routes: {
    "GET /jobs": () => ({ processed: jobs, crashAfterMs }),
  },
  heartbeat: () => ({ jobsProcessed: jobs }),
  onStop: () => {
    clearInterval(work);
    clearTimeout(crash);
  },
});

log("info", `reconciliation worker started; will crash on purpose in ${crashAfterMs} ms`, { crashAfterMs });
crash = setTimeout(() => {
  log("error", `simulated crash: reconciliation batch hit a corrupt record after ${jobs} jobs, exiting with code 1 (this service fails on purpose)`, { jobsProcessed: jobs, crashAfterMs });
  process.exit(1);
}, crashAfterMs);
