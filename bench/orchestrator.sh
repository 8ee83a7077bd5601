# shellcheck shell=bash disable=SC2034  # RUNNER_* are read by bench_one.sh
# Runner for ../shared/bench: the orchestrator's compiled binary, discovering the fleet from
# its services/*/package.json (each start script, `PORT=${PORT:-P} exec DIR/bin/tinyhttp`, is a
# simple command, which the orchestrator execs directly, without `sh -c`).
#   EXTRA_RUNNERS_DIR=$PWD/bench RUNNERS="pm2 supervisord orchestrator" ../shared/bench/run.sh
# Env from bench_one.sh: WORK FLEET_DIR N BASEPORT STATE_DIR BIN. ORCH_BIN overrides the binary.
ORCH_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ORCH_BIN="${ORCH_BIN:-$ORCH_REPO/dist/orchestrator}"
ORCH_API_PORT="${ORCH_API_PORT:-$((BASEPORT - 1))}"
RUNNER_DESC="orchestrator compiled binary (bun), foreground, discovery of services/*/package.json"
RUNNER_NOTES="Manifest written per run: discovery of FLEET_DIR/services, launch.concurrency and launch.criticalConcurrency 32 (the fleet puts 90 % of its services in phase 0, which is serial by default; dependency order and readiness gating are kept), defaults.restart.backoff [0ms] (immediate restarts, as PM2's restart_delay 0), HTTP probes on every service every 5 s (the default endpoint list), API on 127.0.0.1:BASEPORT-1. Start scripts (\`PORT=\${PORT:-P} exec DIR/bin/tinyhttp\`) are simple commands, exec'd directly without \`sh -c\` (README: Command strings without the shell). Stop = SIGTERM to the orchestrator."

runner_setup() {
  [ -x "$ORCH_BIN" ] || (cd "$ORCH_REPO" && npm run build >&2) || return 1
}

runner_version() { "$ORCH_BIN" --version; }

runner_prepare() {
  mkdir -p "$STATE_DIR"
  cat > "$STATE_DIR/orchestrator.yaml" <<YAML
version: 1
name: bench-$N
api: { host: 127.0.0.1, port: $ORCH_API_PORT }
discovery: { roots: ["$FLEET_DIR/services"] }
state: { dir: "$STATE_DIR/state" }
launch: { concurrency: 32, criticalConcurrency: 32 }
defaults:
  health: { interval: 5s, timeout: 2s }
  restart: { backoff: [0ms] }
YAML
}

runner_start() {
  "$ORCH_BIN" up -c "$STATE_DIR/orchestrator.yaml" </dev/null >"$STATE_DIR/orchestrator.log" 2>&1 &
  echo $! > "$STATE_DIR/orchestrator.pid"
}

runner_daemon_pids() { cat "$STATE_DIR/orchestrator.pid" 2>/dev/null; }

runner_status() { ORCHESTRATOR_API="http://127.0.0.1:$ORCH_API_PORT" timeout 10 "$ORCH_BIN" status >/dev/null; }

runner_running_count() {
  ORCHESTRATOR_API="http://127.0.0.1:$ORCH_API_PORT" timeout 10 "$ORCH_BIN" status --json 2>/dev/null \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).filter(x=>x.state==="healthy").length)}catch(e){console.log("NA")}})'
}

runner_stop() {
  local pid; pid="$(runner_daemon_pids)"
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
  return 0
}

runner_force_cleanup() {
  local pid; pid="$(runner_daemon_pids)"
  if [ -n "$pid" ] && proc_alive "$pid"; then kill_pids_gracefully "$pid" 10; fi
  [ -n "$pid" ] && wait "$pid" 2>/dev/null
  return 0
}
