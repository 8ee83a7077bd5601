#!/usr/bin/env bash
# From a clean clone to the demo fleet running in the background, dashboard URL printed.
#   scripts/quick-start.sh         install, build, start, wait until the API answers
#   scripts/quick-start.sh stop    stop the fleet started here
set -euo pipefail

cd "$(dirname "$0")/.."
STATE_DIR=.orchestrator
PID_FILE="$STATE_DIR/quick-start.pid"
LOG_FILE="$STATE_DIR/quick-start.log"
STATUS_URL=http://127.0.0.1:9000/orchestrator/status
DASHBOARD_URL=http://127.0.0.1:9000/
WAIT_SECONDS=${QUICK_START_WAIT:-60}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid=$(cat "$PID_FILE")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

api_answers() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 2 "$STATUS_URL" 2>/dev/null
  else
    node_modules/.bin/bun -e "fetch('$STATUS_URL').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
  fi
}

if [[ "${1:-}" == "stop" ]]; then
  if pid=$(running_pid); then
    kill -TERM "$pid"
    echo "sent SIGTERM to orchestrator (pid $pid); it stops every service in reverse order"
    rm -f "$PID_FILE"
  else
    echo "no orchestrator started by this script is running"
  fi
  exit 0
fi

if pid=$(running_pid); then
  echo "already running (pid $pid): dashboard at $DASHBOARD_URL"
  echo "stop it with: scripts/quick-start.sh stop"
  exit 0
fi

echo "==> npm install"
npm install
echo "==> npm run build"
npm run build

mkdir -p "$STATE_DIR"
echo "==> starting ./dist/orchestrator up (log: $LOG_FILE)"
./dist/orchestrator up >"$LOG_FILE" 2>&1 &
pid=$!
echo "$pid" >"$PID_FILE"

for ((i = 0; i < WAIT_SECONDS; i++)); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "orchestrator exited during start-up; the end of $LOG_FILE:" >&2
    tail -n 30 "$LOG_FILE" >&2 || true
    rm -f "$PID_FILE"
    exit 1
  fi
  if api_answers; then
    echo
    echo "The demo fleet is running (orchestrator pid $pid)."
    echo "  dashboard:  $DASHBOARD_URL"
    echo "  API docs:   ${DASHBOARD_URL}docs"
    echo "  status:     ./dist/orchestrator status"
    echo "  stop:       scripts/quick-start.sh stop   (or: kill $pid)"
    exit 0
  fi
  sleep 1
done

echo "the API did not answer at $STATUS_URL within ${WAIT_SECONDS}s; the orchestrator (pid $pid) is still running." >&2
echo "see $LOG_FILE, and stop it with: scripts/quick-start.sh stop" >&2
exit 1
