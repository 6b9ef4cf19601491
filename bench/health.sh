#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Loads GET /health with wrk against relaydeckd at 1 worker and at N workers, in one run, and prints req/s and
# latency for each plus the N/1 ratio (the 1-worker run is the baseline measured in the same run, since this
# machine is shared and noisy).
#   bench/health.sh [N workers, default nproc] [seconds per run, default 10] [connections, default 100]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="${RELAYDECKD:-$here/build/app/relaydeckd}"
workers=${1:-$(nproc)}
duration=${2:-10}
connections=${3:-100}

command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 2; }
[ -x "$bin" ] || { echo "build first: scripts/dev.sh build" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT

redis-server --port 0 --unixsocket "$tmp/redis.sock" --save "" --appendonly no --daemonize no >/dev/null &
for _ in $(seq 50); do [ -S "$tmp/redis.sock" ] && break; sleep 0.1; done

port=$((20000 + RANDOM % 20000))
run() {
    local n=$1
    "$bin" --listen "127.0.0.1:$port" --workers "$n" --redis "unix://$tmp/redis.sock" --data-dir "$tmp/data" \
        --log-level warn >"$tmp/relay-$n.log" 2>&1 &
    local pid=$!
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.05; done
    wrk -t2 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port/health" >"$tmp/wrk-$n.txt"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk-$n.txt")
    p50=$(awk '$1=="50%" {print $2}' "$tmp/wrk-$n.txt")
    p99=$(awk '$1=="99%" {print $2}' "$tmp/wrk-$n.txt")
    local errors
    errors=$(awk '/Non-2xx|Socket errors/ {print}' "$tmp/wrk-$n.txt" | tr '\n' ' ')
    printf '%-10s %12s %10s %10s  %s\n' "$n" "$rps" "$p50" "$p99" "${errors:-no errors}"
    echo "$rps" >"$tmp/rps-$n"
}

echo "GET /health, wrk -t2 -c$connections -d${duration}s, $(nproc) cores, $(uname -r)"
printf '%-10s %12s %10s %10s\n' workers req/s p50 p99
run 1
run "$workers"
awk -v a="$(cat "$tmp/rps-1")" -v b="$(cat "$tmp/rps-$workers")" -v n="$workers" \
    'BEGIN { printf "ratio %s workers / 1 worker: %.2f\n", n, b / a }'
