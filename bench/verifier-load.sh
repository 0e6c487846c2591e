#!/usr/bin/env bash
# The verification service's figures (issue 4), measured in one run on this machine with the
# load generator (wrk) on the same cores:
#
#   - raw verify_strict, µs (and batch verification per signature), same build;
#   - server CPU per request for distinct valid payloads through POST /api/v1/verify, and its
#     ratio to raw verify_strict (goal <= 1.3);
#   - server CPU per payload through /api/v1/verify/batch with batches of 256 (goal <= 0.6);
#   - a repeated payload's server CPU as a share of a distinct one's (goal <= 0.1);
#   - p99 latency at half the measured peak rate with 256 connections (goal < 5 ms);
#   - the HTTP floor in the same run: a bare axum server (bench_tool floor) that reads the same
#     JSON request and answers a small JSON, with one verify_strict and with none: what any
#     HTTP service costs here before it does anything of its own;
#   - a replica of REPLICA_ISSUED issued certificates and REPLICA_REVOKED revocations: disk,
#     resident memory and throughput against an empty replica (goal: no worse than 10% below).
#
# Server CPU is utime+stime of the server process from /proc/PID/stat before and after a run,
# divided by the requests wrk completed. Parameters (environment):
#   PAYLOADS=50000 DURATION=10 CONNECTIONS=256 REPLICA_ISSUED=10000000 REPLICA_REVOKED=100000
#   SKIP_SCALE=1 (no replica at scale)
#   NATIVE=1 (build with -C target-cpu=native and the verifier's dalek3 feature: ed25519-dalek 3,
#     whose curve25519-dalek 5 uses AVX-512 IFMA where the CPU has it; ratios are against the
#     raw figures of that same build)
#   KEEP=1 (keep the work directory)
set -euo pipefail
cd "$(dirname "$0")/.."

PAYLOADS=${PAYLOADS:-50000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-256}
REPLICA_ISSUED=${REPLICA_ISSUED:-10000000}
REPLICA_REVOKED=${REPLICA_REVOKED:-100000}
SKIP_SCALE=${SKIP_SCALE:-0}
PORT=${PORT:-18181}
WORK=$(mktemp -d /tmp/sonod-verifier-bench.XXXXXX)
TOKEN="bench-$RANDOM-$RANDOM"
# wait_ready, metric, cpu_ticks, rss_kib, hwm_kib, run_wrk, ratio
. bench/verifier-lib.sh

TARGET=${CARGO_TARGET_DIR:-target}
FEATURES=()
if [ "${NATIVE:-0}" = 1 ]; then
  # The build for known hardware: ed25519-dalek 3 / curve25519-dalek 5 (feature dalek3), which
  # compiles in its AVX-512 IFMA backend when the target CPU has it. Its own target directory,
  # so that the portable build is not rebuilt. The raw figures below come from the same build.
  export RUSTFLAGS="-C target-cpu=native"
  TARGET=target/native
  export CARGO_TARGET_DIR=$TARGET
  FEATURES=(--features dalek3)
fi
cargo build --quiet --release -p sonod-verifier --bins --examples "${FEATURES[@]}"
BIN=$TARGET/release/sonod-verifier
TOOL=$TARGET/release/examples/bench_tool

SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  [ "${KEEP:-0}" = 1 ] && echo "work directory kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

start_server() { # DATA_DIR
  "$BIN" serve --trust "$WORK/fx/trust.json" --root "$WORK/fx/root.pub.pem" --data "$1" \
    --listen "127.0.0.1:$PORT" --exempt-token "$TOKEN" --request-timeout 60s \
    >"$WORK/server.log" 2>&1 &
  SERVER=$!
  wait_ready "http://127.0.0.1:$PORT/readyz" "$WORK/server.log"
}

start_floor() { # verify|echo
  "$TOOL" floor "127.0.0.1:$PORT" "$1" >"$WORK/floor.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do
    curl -fs -XPOST --data '{"payload":"x"}' "http://127.0.0.1:$PORT/api/v1/verify" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the floor server did not start" >&2; cat "$WORK/floor.log" >&2; exit 1
}

stop_server() {
  kill -TERM "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), RUSTFLAGS=${RUSTFLAGS:-}"
echo "== fixture: $PAYLOADS distinct sealed certificates"
"$TOOL" fixture "$WORK/fx" "$PAYLOADS" "127.0.0.1:$PORT"
echo "== raw signature checks and in-process judging (one core)"
"$TOOL" raw 2 | tee "$WORK/raw.txt"
RAW=$(awk '/^raw_verify_strict_us/{print $2}' "$WORK/raw.txt")
BACKEND=$(awk '/^signature_backend/{print $2}' "$WORK/raw.txt" | tr _ ' ')

echo "== server, empty replica"
start_server "$WORK/empty"
run_wrk "$CONNECTIONS" 3 "$WORK/fx/payloads.txt" 0 0 # warm-up
ROUNDS0=$(metric sonod_verifier_signature_rounds_total); CHECKS0=$(metric sonod_verifier_signature_round_checks_total)
run_wrk "$CONNECTIONS" "$DURATION" "$WORK/fx/payloads.txt" 0 0
PEAK=$RPS; DISTINCT_CPU=$CPU_US
ROUND_AVG=$(awk -v r0="$ROUNDS0" -v c0="$CHECKS0" -v r1="$(metric sonod_verifier_signature_rounds_total)" \
  -v c1="$(metric sonod_verifier_signature_round_checks_total)" 'BEGIN{printf "%.1f", (c1 - c0) / (r1 - r0)}')
RSS_EMPTY=$(rss_kib)
run_wrk 8 "$DURATION" "$WORK/fx/payloads.txt" 256 0
BATCH_CPU=$(awk -v c="$CPU_US" 'BEGIN{printf "%.2f", c / 256}'); BATCH_RPS=$RPS
run_wrk "$CONNECTIONS" "$DURATION" "$WORK/fx/repeat.txt" 0 0
REPEAT_CPU=$CPU_US; REPEAT_RPS=$RPS
HALF=$(awk -v p="$PEAK" 'BEGIN{printf "%d", p / 2}')
DELAY=$(awk -v c="$CONNECTIONS" -v r="$HALF" 'BEGIN{printf "%d", c * 1000 / r}')
run_wrk "$CONNECTIONS" "$DURATION" "$WORK/fx/payloads.txt" 0 "$DELAY"
HALF_RPS=$RPS; HALF_P99=$P99
stop_server

echo "== the HTTP floor: bare axum, the same requests"
start_floor verify
run_wrk "$CONNECTIONS" 2 "$WORK/fx/payloads.txt" 0 0 # warm-up
run_wrk "$CONNECTIONS" "$DURATION" "$WORK/fx/payloads.txt" 0 0
FLOOR_CPU=$CPU_US; FLOOR_RPS=$RPS
stop_server
start_floor echo
run_wrk "$CONNECTIONS" 2 "$WORK/fx/repeat.txt" 0 0 # warm-up
run_wrk "$CONNECTIONS" "$DURATION" "$WORK/fx/repeat.txt" 0 0
ECHO_CPU=$CPU_US; ECHO_RPS=$RPS
stop_server

echo
echo "RESULTS (one run; wrk and the server share the $(nproc) cores)"
printf '%-58s %s\n' "signatures checked with" "$BACKEND"
printf '%-58s %s\n' "raw verify_strict, µs" "$RAW"
printf '%-58s %s\n' "distinct /api/v1/verify: peak requests/s" "$PEAK"
printf '%-58s %s µs = %s x raw (goal <= 1.3)\n' "distinct: server CPU per request" "$DISTINCT_CPU" "$(ratio "$DISTINCT_CPU" "$RAW")"
printf '%-58s %s\n' "distinct: signatures per round at the desk" "$ROUND_AVG"
printf '%-58s %s µs = %s x raw (goal <= 0.6)\n' "batch of 256: server CPU per payload" "$BATCH_CPU" "$(ratio "$BATCH_CPU" "$RAW")"
printf '%-58s %s/s\n' "batch of 256: payloads per second" "$(awk -v r="$BATCH_RPS" 'BEGIN{printf "%d", r * 256}')"
printf '%-58s %s µs = %s x distinct (goal <= 0.1); %s requests/s\n' "repeated payload: server CPU per request" "$REPEAT_CPU" "$(ratio "$REPEAT_CPU" "$DISTINCT_CPU")" "$REPEAT_RPS"
printf '%-58s %s ms at %s requests/s (target %s, %s connections; goal < 5 ms)\n' "p99 latency at half the peak" "$HALF_P99" "$HALF_RPS" "$HALF" "$CONNECTIONS"
printf '%-58s %s MiB\n' "resident memory, empty replica (after the runs)" "$((RSS_EMPTY / 1024))"
printf '%-58s %s µs = %s x raw; %s requests/s\n' "floor: bare axum + JSON + one verify_strict, CPU/request" "$FLOOR_CPU" "$(ratio "$FLOOR_CPU" "$RAW")" "$FLOOR_RPS"
printf '%-58s %s µs = %s x distinct; %s requests/s\n' "floor: bare axum + JSON, no verification, CPU/request" "$ECHO_CPU" "$(ratio "$ECHO_CPU" "$DISTINCT_CPU")" "$ECHO_RPS"

if [ "$SKIP_SCALE" != 1 ]; then
  echo
  echo "== replica at scale: $REPLICA_ISSUED issued, $REPLICA_REVOKED revoked"
  GEN_START=$(date +%s)
  "$TOOL" replica "$WORK/fx" "$WORK/big" "$REPLICA_ISSUED" "$REPLICA_REVOKED"
  GEN_S=$(( $(date +%s) - GEN_START ))
  DISK=$(du -sb "$WORK/big" | cut -f1)
  # The generator leaves gigabytes of dirty pages: written back during the measurement, they
  # took the kernel's CPU from the server (0.84 instead of 0.93). Write them now.
  sync
  # The empty replica again, next to the big one, so that the two are compared within minutes.
  start_server "$WORK/empty2"
  run_wrk "$CONNECTIONS" 3 "$WORK/fx/payloads.txt" 0 0 # warm-up
  run_wrk "$CONNECTIONS" "$DURATION" "$WORK/fx/payloads.txt" 0 0
  EMPTY2_RPS=$RPS; EMPTY2_CPU=$CPU_US
  stop_server
  START=$(date +%s.%N)
  start_server "$WORK/big"
  READY_S=$(awk -v a="$START" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}')
  RSS_START=$(rss_kib)
  run_wrk "$CONNECTIONS" 3 "$WORK/fx/payloads.txt" 0 0 # warm-up
  run_wrk "$CONNECTIONS" "$DURATION" "$WORK/fx/payloads.txt" 0 0
  BIG_RPS=$RPS; BIG_CPU=$CPU_US
  RSS_BIG=$(rss_kib); HWM_BIG=$(hwm_kib)
  curl -fs -XPOST -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \
    --data "{\"payload\":\"$(head -1 "$WORK/fx/payloads.txt")\"}" "http://127.0.0.1:$PORT/api/v1/verify" \
    | grep -q '"verdict":"valid"' || echo "  (the first payload is not valid against the big replica!)" >&2
  stop_server
  printf '%-58s %s s\n' "replica generation" "$GEN_S"
  printf '%-58s %s MiB\n' "replica disk" "$((DISK / 1024 / 1024))"
  printf '%-58s %s s\n' "start until ready" "$READY_S"
  printf '%-58s %s MiB at start, %s MiB after load (peak %s MiB)\n' "resident memory" "$((RSS_START / 1024))" "$((RSS_BIG / 1024))" "$((HWM_BIG / 1024))"
  printf '%-58s %s requests/s vs %s empty just before = %s (goal >= 0.90); CPU %s µs/request vs %s\n' "throughput with the replica" "$BIG_RPS" "$EMPTY2_RPS" "$(ratio "$BIG_RPS" "$EMPTY2_RPS")" "$BIG_CPU" "$EMPTY2_CPU"
fi
