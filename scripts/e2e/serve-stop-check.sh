#!/usr/bin/env bash
# Checks that `npm run n8n` stops cleanly: starts it three times, stops it each time a different way
# (SIGINT to npm; SIGINT to the whole process group, as Ctrl+C in a terminal does; SIGTERM to npm),
# and checks that nothing of the run is left: no process in its session, its n8n gone, its
# temporary user folder removed, its ports free. Other n8n processes on the machine (other users,
# other checkouts) are listed but told apart by their user folder.
# Usage: scripts/e2e/serve-stop-check.sh [port] [sandbox-port]   (default 5678 5680)
set -uo pipefail
cd "$(dirname "$0")/../.."
PORT="${1:-5678}"
SANDBOX_PORT="${2:-5680}"
LOGS="$(mktemp -d)"
modes=("SIGINT to npm's pid" "SIGINT to the whole process group (what Ctrl+C does)" "SIGTERM to npm's pid")
failed=0

for i in 1 2 3; do
  log="$LOGS/run$i.log"
  setsid npm run n8n -- --port "$PORT" --sandbox-port "$SANDBOX_PORT" > "$log" 2>&1 &
  npm_pid=$!
  echo "=== run $i: npm pid $npm_pid; stopped with ${modes[$((i - 1))]}"
  for _ in $(seq 1 900); do grep -q "answers at" "$log" && break; kill -0 "$npm_pid" 2>/dev/null || break; sleep 1; done
  if ! grep "answers at" "$log"; then echo "FAIL: it did not start"; tail -20 "$log"; failed=1; continue; fi
  n8n_pid=$(grep -o "answers at [^ ]* (pid [0-9]*" "$log" | grep -o "[0-9]*$")
  folder=$(grep -o "n8n's data:  [^ ]*" "$log" | sed "s/n8n's data:  //")
  echo "processes of the run:"; ps -o pid=,ppid=,args= -s "$npm_pid" | cut -c1-140
  case $i in
    1) kill -INT "$npm_pid" ;;
    2) kill -INT -- "-$npm_pid" ;;
    3) kill -TERM "$npm_pid" ;;
  esac
  wait "$npm_pid"; echo "npm exited with $?"
  sleep 1
  sed -n '/stopping n8n and the sandbox/,$p' "$log"
  left=$(ps -o pid= -s "$npm_pid" | wc -l)
  alive=$(kill -0 "$n8n_pid" 2>/dev/null && echo yes || echo no)
  exists=$([ -e "$folder" ] && echo yes || echo no)
  listening=$(ss -ltn | grep -cE ":($PORT|$SANDBOX_PORT)\b")
  echo "left in the run's session: $left; its n8n (pid $n8n_pid) alive: $alive; its user folder $folder exists: $exists; listening on $PORT/$SANDBOX_PORT: $listening"
  [ "$left" = 0 ] && [ "$alive" = no ] && [ "$exists" = no ] && [ "$listening" = 0 ] || { echo "FAIL"; failed=1; }
done

echo "=== after three runs, pgrep -f n8n:"
found=0
for pid in $(pgrep -f n8n); do
  args=$(ps -o args= -p "$pid" 2>/dev/null | cut -c1-120) || continue
  case "$args" in *serve-stop-check*|"") continue ;; esac
  found=1
  echo "  pid $pid (user folder: $(tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | sed -n 's/^N8N_USER_FOLDER=//p')): $args"
done
[ "$found" = 0 ] && echo "  (no n8n process)"
echo "Logs: $LOGS"
[ "$failed" = 0 ] && echo "serve-stop-check: passed" || echo "serve-stop-check: FAILED"
exit "$failed"
