#!/usr/bin/env bash
# `npm run test:under-load`: the test suite N times in a row (default 3) while two processes burn
# both cores, to show that no test depends on the machine's speed. Stops the burners on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
burners=()
cleanup() { for pid in "${burners[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
for _ in 1 2; do
  node -e 'for (;;) {}' &
  burners+=("$!")
done
echo "Two CPU burners running (pids ${burners[*]}); running the tests ${runs} times"
npm run build >/dev/null
status=0
for run in $(seq 1 "$runs"); do
  if npx jest --silent >".build/test-under-load-$run.log" 2>&1; then result=passed; else result=FAILED; status=1; fi
  echo "run $run: $result — $(grep -E '^Tests:' ".build/test-under-load-$run.log" | tail -1)"
done
exit "$status"
