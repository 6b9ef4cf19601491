#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The data-plane benchmark of issue #3, in one run on 127.0.0.1: POST /api/v1/messages through relaydeckd and
# directly against the mock upstream (the baseline, measured in the same run because this machine is shared and
# noisy), with the audit's autocannon method, plus one-connection latency, stream time-to-first-byte, pipelined
# order and 1,000 concurrent slow streams. Prints the numbers and PASS/MISS against the issue's floors.
#   bench/relay.sh [seconds per load run, default 20] [connections, default 100]
# Environment: RELAYDECKD (binary, default build/app/relaydeckd), WORKERS (default 2), CLEARTEXT (native, h2c or
# http1, default native; h2c is measured once more for the record unless SKIP_OTHER_MODE=1), STREAMS (default 1000).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="${RELAYDECKD:-$here/build/app/relaydeckd}"
duration=${1:-20}
connections=${2:-100}
workers=${WORKERS:-2}
cleartext=${CLEARTEXT:-native}
streams=${STREAMS:-1000}
bench="$here/bench"

for tool in node npm redis-server redis-cli openssl curl c++; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "build first: scripts/dev.sh build (or set RELAYDECKD)" >&2; exit 2; }
if [ ! -d "$bench/node_modules/autocannon" ]; then
    (cd "$bench" && npm ci --no-audit --no-fund >/dev/null) || { echo "npm ci in bench/ failed" >&2; exit 2; }
fi
# 1,000 client sockets plus the relay's own, in this shell and everything it starts.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge $((streams * 2 + 200)) ] ||
    echo "warning: ulimit -n is $(ulimit -n); the $streams-stream scenario may run out of descriptors" >&2

tmp=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits up to $1 tenths of a second for the command in the remaining arguments to succeed.
wait_for() {
    local tenths=$1
    shift
    for _ in $(seq "$tenths"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    return 1
}

redis-server --port 0 --unixsocket "$tmp/redis.sock" --save "" --appendonly no --daemonize no >"$tmp/redis.log" 2>&1 &
pids+=($!)
wait_for 50 test -S "$tmp/redis.sock" || { echo "redis-server did not start" >&2; exit 1; }
rcli() { redis-cli -s "$tmp/redis.sock" "$@"; }

node "$here/tests/mock-upstream/mock-anthropic.mjs" --port 0 --quiet >"$tmp/mock.out" 2>"$tmp/mock.err" </dev/null &
mock_pid=$!
pids+=("$mock_pid")
wait_for 100 grep -q MOCK_LISTENING "$tmp/mock.out" || { echo "the mock did not start" >&2; exit 1; }
mock_port=$(sed -n 's/^MOCK_LISTENING port=\([0-9]*\).*/\1/p' "$tmp/mock.out")

RELAYDECK_SECRET=$(openssl rand -hex 32)
export RELAYDECK_SECRET
cli() { "$bin" --redis "unix://$tmp/redis.sock" --data-dir "$tmp/data" --log-level warn "$@"; }
key=$(cli key create --name bench --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).key))')
printf 'sk-ant-api03-bench' | cli account add --type apikey --name mock --base-url "http://127.0.0.1:$mock_port" \
    >/dev/null 2>&1

relay_pid=
relay_port=
start_relay() {
    relay_port=$((20000 + RANDOM % 20000))
    "$bin" --redis "unix://$tmp/redis.sock" --data-dir "$tmp/data" --listen "127.0.0.1:$relay_port" --workers "$workers" \
        --log-level warn --upstream-cleartext "$1" >"$tmp/relay-$1.log" 2>&1 &
    relay_pid=$!
    pids+=("$relay_pid")
    wait_for 100 curl -fs "http://127.0.0.1:$relay_port/health" || { echo "relaydeckd did not start" >&2; exit 1; }
}
stop_relay() {
    kill "$relay_pid" 2>/dev/null || true
    wait "$relay_pid" 2>/dev/null || true
    # What the relay warned about during the runs, most frequent first (timestamps and ids cut off).
    if [ -s "$tmp/relay-$1.log" ]; then
        echo "relay warnings ($1):"
        sed -E 's/^[0-9-]+ [0-9:.]+ //; s/[0-9a-f]{16,}/…/g' "$tmp/relay-$1.log" | sort | uniq -c | sort -rn | head -5
    fi
}

payload='{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Write a haiku about a relay race, then explain it in one sentence."}]}'
stream_payload=${payload/\{/\{\"stream\":true,}
clk_tck=$(getconf CLK_TCK)
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
reset_peak_rss() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || true; }
peak_rss_mb() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
# "command calls" per line, INFO itself left out (this script sends it).
commandstats() { rcli INFO commandstats | tr -d '\r' | sed -n 's/^cmdstat_\([^:]*\):calls=\([0-9]*\),.*/\1 \2/p' | grep -v '^info '; }
redis_total() { commandstats | awk '{s += $2} END {print s + 0}'; }
relay_metric() { curl -fs "http://127.0.0.1:$relay_port/metrics" | awk -v n="$1" '$1 == n {print $2}'; }
# Usage batches are written after the responses: wait (bounded, 30 s) until the relay's usage backlog is empty and
# Redis sees no more commands.
quiesce() {
    local last now
    last=$(redis_total)
    for _ in $(seq 120); do
        sleep 0.25
        now=$(redis_total)
        [ "$now" = "$last" ] && [ "$(relay_metric relaydeck_usage_backlog)" = 0 ] && return 0
        last=$now
    done
    echo "warning: the relay's usage backlog did not drain within 30 s" >&2
}

ac() { node "$bench/load.mjs" "$@"; }
relay_counters() {
    local m
    m=$(curl -fs "http://127.0.0.1:$relay_port/metrics")
    for n in relaydeck_usage_records_written_total relaydeck_usage_records_dropped_total relaydeck_redis_timeouts_total \
        relaydeck_redis_reconnects_total; do
        awk -v n="$n" '$1 == n {v = $2} END {printf "%s ", v + 0}' <<<"$m"
    done
}
mock_reset() { curl -fs -X POST "http://127.0.0.1:$mock_port/_mock/reset" >/dev/null; }
mock_stat() {
    curl -fs "http://127.0.0.1:$mock_port/_mock/stats" |
        node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"
}
field() { node -e 'const r=JSON.parse(process.argv[1]); const v=r[process.argv[2]]; console.log(typeof v==="number"&&!Number.isInteger(v)?v.toFixed(3):v)' "$1" "$2"; }

results="$tmp/results.txt"
: >"$results"
row() { printf '%-34s %9s %9s %9s %9s  %-22s %8s %10s %9s\n' "$@" | tee -a "$results"; }

# One load run against a port; relay runs also get Redis, CPU and RSS figures. Sets $last_json and $last_cpu.
load_run() {
    local label=$1 port=$2 body=$3 expect=$4 c=$5 p=$6 d=$7 is_relay=$8
    local pid=$mock_pid
    [ "$is_relay" = 1 ] && pid=$relay_pid
    local m0="" m1
    if [ "$is_relay" = 1 ]; then
        quiesce
        commandstats >"$tmp/cs0"
        m0=$(relay_counters)
    fi
    mock_reset
    reset_peak_rss "$pid"
    local t0
    t0=$(cpu_ticks "$pid")
    last_json=$(ac -c "$c" -d "$d" -p "$p" -m POST -H content-type:application/json -H "x-api-key:$key" -b "$body" \
        --expect "$expect" "http://127.0.0.1:$port/api/v1/messages")
    [ "$is_relay" = 1 ] && quiesce
    local t1 responses cpu_ms rss cmds="" bad
    t1=$(cpu_ticks "$pid")
    # Per request the upstream served: autocannon stops with up to c × p requests in flight, which it does not
    # count but the relay still serves (and records).
    responses=$(mock_stat requests_total)
    cpu_ms=$(awk -v t="$((t1 - t0))" -v hz="$clk_tck" -v n="$responses" 'BEGIN { printf "%.3f", n ? t * 1000 / hz / n : 0 }')
    rss=$(peak_rss_mb "$pid")
    if [ "$is_relay" = 1 ]; then
        commandstats >"$tmp/cs1"
        cmds=$(awk -v n="$responses" 'NR==FNR {a[$1]=$2; next} {d=$2-a[$1]; if (d>0) {t+=d}} END {printf "%.1f", n ? t/n : 0}' \
            "$tmp/cs0" "$tmp/cs1")
        awk -v n="$responses" 'NR==FNR {a[$1]=$2; next} {d=$2-a[$1]; if (d>0) printf "%s %.2f\n", $1, d/n}' \
            "$tmp/cs0" "$tmp/cs1" | sort -k2 -nr | tr '\n' ' ' >"$tmp/percmd-$label"
    fi
    bad="$(field "$last_json" errors)/$(field "$last_json" non2xx)/$(field "$last_json" timeouts)/$(field "$last_json" mismatches)"
    [ "$(field "$last_json" non2xx)" = 0 ] ||
        bad="$bad $(node -e 'console.log(JSON.stringify(JSON.parse(process.argv[1]).statuses))' "$last_json")"
    row "$label" "$(printf '%.0f' "$(field "$last_json" rps)")" "$(field "$last_json" p50)" "$(field "$last_json" p95)" \
        "$(field "$last_json" p99)" "$bad" "${cmds:--}" "$cpu_ms" "$rss"
    if [ "$is_relay" = 1 ]; then
        m1=$(relay_counters)
        echo "    redis commands per request: $(cat "$tmp/percmd-$label")" | tee -a "$results"
        echo "    during the run: $(awk -v a="$m0" -v b="$m1" 'BEGIN { split(a, x); split(b, y);
            printf "usage records written %d, dropped %d; Redis timeouts %d, reconnects %d",
                y[1] - x[1], y[2] - x[2], y[3] - x[3], y[4] - x[4] }')" | tee -a "$results"
    fi
    last_cpu=$cpu_ms
    return 0
}

floors="$tmp/floors.txt"
: >"$floors"
floor() { # floor DESCRIPTION MEASURED OK(0/1)
    local verdict=MISS
    [ "$3" = 1 ] && verdict=PASS
    printf '%-4s  %-62s %s\n' "$verdict" "$1" "$2" >>"$floors"
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 <= b + 0) ? 1 : 0 }'; }

echo "relaydeckd $("$bin" --version 2>/dev/null | head -1), $workers workers, upstream $cleartext; $(nproc) cores, $(uname -r)"
echo "load: autocannon -c $connections -d $duration -p 10 -m POST -H content-type:application/json -H x-api-key:KEY -b PAYLOAD http://127.0.0.1:PORT/api/v1/messages"
echo "payload: $payload"
echo
echo "latency in ms; errors = errors/non-2xx/timeouts/body mismatches; redis/req and cpu/req (ms of relaydeckd CPU in"
echo "relay rows, of the mock's in direct rows) are per request the mock served; RSS = that process's peak in the run (MB)"
row scenario req/s p50 p95 p99 errors redis/req cpu/req RSS

start_relay "$cleartext"
# Warm-up (not measured): upstream connections, caches, the mock's JIT.
ac -c "$connections" -d 2 -p 10 -m POST -H content-type:application/json -H "x-api-key:$key" -b "$payload" \
    "http://127.0.0.1:$relay_port/api/v1/messages" >/dev/null
ac -c "$connections" -d 2 -p 10 -m POST -H content-type:application/json -H "x-api-key:$key" -b "$payload" \
    "http://127.0.0.1:$mock_port/api/v1/messages" >/dev/null

load_run "(a) relay  non-stream c$connections p10" "$relay_port" "$payload" json "$connections" 10 "$duration" 1
relay_ns=$last_json
relay_ns_cpu=$last_cpu
load_run "(b) direct non-stream c$connections p10" "$mock_port" "$payload" json "$connections" 10 "$duration" 0
direct_ns=$last_json
load_run "(c) relay  stream c$connections p10" "$relay_port" "$stream_payload" sse "$connections" 10 "$duration" 1
relay_s=$last_json
load_run "(d) direct stream c$connections p10" "$mock_port" "$stream_payload" sse "$connections" 10 "$duration" 0
direct_s=$last_json
load_run "(e) relay  non-stream c1 p1" "$relay_port" "$payload" json 1 1 "$duration" 1
relay_c1=$last_json
load_run "(e) direct non-stream c1 p1" "$mock_port" "$payload" json 1 1 "$duration" 0
direct_c1=$last_json

ratio_ns=$(awk -v a="$(field "$relay_ns" rps)" -v b="$(field "$direct_ns" rps)" 'BEGIN { printf "%.3f", a / b }')
ratio_s=$(awk -v a="$(field "$relay_s" rps)" -v b="$(field "$direct_s" rps)" 'BEGIN { printf "%.3f", a / b }')
add50=$(awk -v a="$(field "$relay_c1" p50)" -v b="$(field "$direct_c1" p50)" 'BEGIN { printf "%.3f", a - b }')
add99=$(awk -v a="$(field "$relay_c1" p99)" -v b="$(field "$direct_c1" p99)" 'BEGIN { printf "%.3f", a - b }')
echo "throughput relay/direct at c$connections: non-stream $ratio_ns, stream $ratio_s" | tee -a "$results"
echo "added latency at one connection: p50 +$add50 ms, p99 +$add99 ms" | tee -a "$results"

# (f) stream time to first byte, 5,000 sequential streams per target after 1,000 untimed warm-up rounds, on one
# keep-alive connection each, the targets taking turns in a new random order each round. The client is
# bench/ttfbclient.cpp, blocking C++: a load generator with an event loop and a garbage collector adds tail noise of
# its own that lands on every target. A no-op TCP forwarder (bench/tcpforward.cpp) takes its turn too: what it adds
# is what any extra process between client and mock costs on this machine, measured in the same run.
c++ -O2 -std=c++17 -pthread -o "$tmp/tcpforward" "$bench/tcpforward.cpp"
c++ -O2 -std=c++17 -o "$tmp/ttfbclient" "$bench/ttfbclient.cpp"
forwarder=$((20000 + RANDOM % 20000))
"$tmp/tcpforward" "$forwarder" "$mock_port" >"$tmp/forward.out" 2>&1 &
pids+=($!)
wait_for 50 grep -q FORWARDING "$tmp/forward.out" || { echo "tcpforward did not start" >&2; exit 1; }
node -e 'process.stdout.write(JSON.stringify({...JSON.parse(process.argv[1]), stream: true}))' "$payload" >"$tmp/stream.json"
ttfb=$("$tmp/ttfbclient" 5000 1000 180 "$key" "$tmp/stream.json" relay="$relay_port" direct="$mock_port" \
    forwarder="$forwarder")
added() { node -e 'const r=JSON.parse(process.argv[1]); console.log((r[process.argv[2]][process.argv[3]]-r.direct[process.argv[3]]).toFixed(3))' "$ttfb" "$@"; }
ttfb_add50=$(added relay p50)
ttfb_add99=$(added relay p99)
echo "(f) stream TTFB, 5,000 sequential streams each: $ttfb" | tee -a "$results"
echo "    added TTFB: p50 +$ttfb_add50 ms, p99 +$ttfb_add99 ms" | tee -a "$results"
echo "    added by a no-op TCP forwarder in the same run (for reference, not a floor): p50 +$(added forwarder p50) ms," \
    "p99 +$(added forwarder p99) ms" | tee -a "$results"

# (g) pipelined order: 10 connections × 20 bursts of 10 requests, stream and non-stream mixed.
pipe=$(node "$bench/relay-checks.mjs" pipeline \
    "{\"relay\":$relay_port,\"key\":\"$key\",\"payload\":$payload,\"connections\":10,\"rounds\":20,\"depth\":10,\"maxSeconds\":60}")
echo "(g) pipelined bursts of 10: $pipe" | tee -a "$results"

# (h) many slow streams at once (30 deltas 200 ms apart, about 6 s each); relay RSS sampled meanwhile.
reset_peak_rss "$relay_pid"
node "$bench/relay-checks.mjs" streams \
    "{\"relay\":$relay_port,\"key\":\"$key\",\"payload\":$payload,\"count\":$streams,\"deltas\":30,\"delayMs\":200,\"maxSeconds\":120}" \
    >"$tmp/streams.json" &
streams_pid=$!
pids+=("$streams_pid")
rss_max=0
while kill -0 "$streams_pid" 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$relay_pid/status")
    [ "$rss" -gt "$rss_max" ] && rss_max=$rss
    sleep 0.2
done
wait "$streams_pid" || true
long=$(cat "$tmp/streams.json")
long_hwm=$(peak_rss_mb "$relay_pid")
echo "(h) $streams concurrent streams (30 deltas x 200 ms): $long" | tee -a "$results"
echo "    relay peak RSS $long_hwm MB (VmHWM), sampled VmRSS max $((rss_max / 1024)) MB" |
    tee -a "$results"
keys_calls=$(commandstats | awk '$1=="keys" {print $2}')
stop_relay "$cleartext"

# The other cleartext mode, for the record: non-stream at c$connections and at one connection.
other=h2c
[ "$cleartext" = h2c ] && other=native
if [ "${SKIP_OTHER_MODE:-0}" != 1 ]; then
    start_relay "$other"
    ac -c "$connections" -d 2 -p 10 -m POST -H content-type:application/json -H "x-api-key:$key" -b "$payload" \
        "http://127.0.0.1:$relay_port/api/v1/messages" >/dev/null
    load_run "(a') relay $other non-stream c$connections p10" "$relay_port" "$payload" json "$connections" 10 "$duration" 1
    load_run "(e') relay $other non-stream c1 p1" "$relay_port" "$payload" json 1 1 "$duration" 1
    stop_relay "$other"
fi
keys_calls=${keys_calls:-$(commandstats | awk '$1=="keys" {print $2}')}

# Floors of issue #3.
floor "relay CPU <= 0.2 ms per relayed non-stream request" "$relay_ns_cpu ms" "$(le "$relay_ns_cpu" 0.2)"
floor "added latency at one connection p50 <= 0.3 ms" "+$add50 ms" "$(le "$add50" 0.3)"
floor "added latency at one connection p99 <= 1 ms" "+$add99 ms" "$(le "$add99" 1)"
floor "throughput at c$connections >= 10% of direct (non-stream)" "$ratio_ns" "$(le 0.10 "$ratio_ns")"
floor "throughput at c$connections >= 10% of direct (stream)" "$ratio_s" "$(le 0.10 "$ratio_s")"
ttfb_bad=$(node -e 'const r=JSON.parse(process.argv[1]); console.log(r.relay.bad + r.direct.bad)' "$ttfb")
floor "stream TTFB added p99 <= 1 ms (all streams complete)" "+$ttfb_add99 ms, $ttfb_bad bad" \
    "$([ "$ttfb_bad" = 0 ] && le "$ttfb_add99" 1 || echo 0)"
long_ok=$(node -e 'const r=JSON.parse(process.argv[1]); console.log(r.errors===0 && r.completed===r.count ? 1 : 0)' "$long")
floor "$streams concurrent streams: no errors, all complete" \
    "$(node -e 'const r=JSON.parse(process.argv[1]); console.log(`${r.completed}/${r.count} complete, ${r.errors} errors, ${r.seconds} s`)' "$long")" \
    "$long_ok"
floor "$streams concurrent streams: relay RSS <= 150 MB" "$long_hwm MB" "$(le "$long_hwm" 150)"
pipe_ok=$(node -e 'const r=JSON.parse(process.argv[1]); console.log(r.ok===r.sent ? 1 : 0)' "$pipe")
ac_ok=1
for j in "$relay_ns" "$relay_s"; do
    [ "$(node -e 'const r=JSON.parse(process.argv[1]); console.log(r.errors+r.non2xx+r.timeouts+r.mismatches)' "$j")" = 0 ] || ac_ok=0
done
floor "pipelined (-p 10): all 2xx and complete under load" "autocannon runs (a) and (c)" "$ac_ok"
floor "pipelined (-p 10): answers in request order, ids match" \
    "$(node -e 'const r=JSON.parse(process.argv[1]); console.log(`${r.ok}/${r.sent} in order`)' "$pipe")" "$pipe_ok"
floor "no Redis KEYS command (cmdstat_keys absent)" "${keys_calls:-0} calls" "$([ -z "$keys_calls" ] && echo 1 || echo 0)"
echo
echo "Floors (issue #3):"
cat "$floors"
