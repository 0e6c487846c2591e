#!/usr/bin/env bash
# The figures of issue #15 (a stolen office key), printed:
#
#   1. re-sealing N certificates (default 100,000) with the office's new key while another
#      thread keeps issuing (each issue made durable): time, and issuance latency before and
#      during it (median, p99, max) — tests/examples/compromise_figures.rs `reseal`;
#   2. the verifier's judging rate in process with no key compromised against one key
#      compromised (pinned) with 10 % of the requests carrying its certificates (goal: within
#      5 %) — `judge`;
#   3. the same over HTTP: two `sonod-verifier serve` following one office's issuer (the
#      example's `office` mode: HTTP_CERTS certificates, every tenth signed with a second key
#      of the office), A with a trust list where no key is compromised, B with a newly signed
#      one marking that key compromised with the feed pinned at its head (docs/COMPROMISE.md);
#      both replicas synced. The requests: HTTP_CERTS distinct payloads, 9 % genuine
#      certificates of that key (B: `valid_before_compromise`), 1 % forgeries with it (B:
#      `key_compromised`, A: refused as not what the feed published), 90 % of the other key.
#      wrk loads A and B in turn, ROUNDS times each (A, B, A, B, …), each for DURATION s:
#      requests/s and server CPU µs/request per round, and the median of B/A;
#   4. the party × kind → verdict table of the end-to-end story (tests/tests/stolen_key.rs).
#
#   bash bench/compromise.sh [N=100000]
#   PROFILE=dev bash bench/compromise.sh 20000    # the debug build (dependencies at opt-level 2)
#   ONLY="http" bash bench/compromise.sh          # some sections: reseal judge http table
#   HTTP_CERTS=50000 ROUNDS=5 DURATION=10 CONNECTIONS=64 PORT=18191 (section 3)
#
# Never run it while something else compiles on the machine (on a shared machine: the A/B
# rounds of section 3 alternate so that both see the same conditions).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
PROFILE=${PROFILE:-release}
ONLY=${ONLY:-reseal judge http table}
HTTP_CERTS=${HTTP_CERTS:-50000}
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
PORT_A=${PORT:-18191}
PORT_B=$((PORT_A + 1))
PORT_OFFICE=$((PORT_A + 2))
flags=()
dir=debug
if [ "$PROFILE" = release ]; then flags=(--release); dir=release; fi
section() { [[ " $ONLY " == *" $1 "* ]]; }

TARGET=${CARGO_TARGET_DIR:-target}
# One build of both (built apart, the features of their shared dependencies differ, and each
# build recompiles them for the other).
cargo build --quiet "${flags[@]}" -p sonod-e2e --example compromise_figures \
  -p sonod-verifier --bin sonod-verifier
bin=$TARGET/$dir/examples/compromise_figures
VERIFIER=$TARGET/$dir/sonod-verifier

if section reseal; then
  echo "== re-sealing $N certificates while issuing ($PROFILE build)"
  "$bin" reseal "$N"
fi

if section judge; then
  echo "== judging in process with a compromised key in the trust list ($PROFILE build)"
  "$bin" judge 10000 3
fi

if section http; then
  TOKEN="bench-$RANDOM-$RANDOM"
  # wait_ready, cpu_ticks, run_wrk, ratio, median (they read PORT, SERVER, TOKEN)
  . bench/verifier-lib.sh
  WORK=$(mktemp -d /tmp/sonod-compromise-bench.XXXXXX)
  PIDS=()
  cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
    [ "${KEEP:-0}" = 1 ] && echo "work directory kept: $WORK" || rm -rf "$WORK"
  }
  trap cleanup EXIT

  echo "== over HTTP: the office's issuer with $HTTP_CERTS certificates ($PROFILE build)"
  "$bin" office "$WORK/fx" "$HTTP_CERTS" "127.0.0.1:$PORT_OFFICE" localhost:8081 \
    >"$WORK/office.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 1200); do grep -q '^ready' "$WORK/office.log" && break; sleep 0.5; done
  grep -q '^ready' "$WORK/office.log" || { cat "$WORK/office.log" >&2; exit 1; }
  grep -v '^ready' "$WORK/office.log" | sed 's/^/  /'

  # serve_verifier NAME PORT TRUST -> the process id in SERVED
  serve_verifier() {
    "$VERIFIER" serve --trust "$WORK/fx/$3" --root "$WORK/fx/root.pub.pem" --data "$WORK/$1" \
      --issuer "http://127.0.0.1:$PORT_OFFICE" --listen "127.0.0.1:$2" \
      --exempt-token "$TOKEN" --request-timeout 60s >"$WORK/$1.log" 2>&1 &
    SERVED=$!
    PIDS+=("$SERVED")
  }
  serve_verifier a "$PORT_A" trust-plain.json; SERVER_A=$SERVED
  serve_verifier b "$PORT_B" trust-compromised.json; SERVER_B=$SERVED
  wait_ready "http://127.0.0.1:$PORT_A/readyz" "$WORK/a.log"
  wait_ready "http://127.0.0.1:$PORT_B/readyz" "$WORK/b.log"

  # verdict PORT LINE: "verdict reason_code" of the payload on LINE of payloads.txt
  verdict() {
    curl -fs -XPOST -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" \
      --data "{\"payload\":\"$(sed -n "$2p" "$WORK/fx/payloads.txt")\"}" \
      "http://127.0.0.1:$1/api/v1/verify" |
      python3 -c 'import json,sys; v=json.load(sys.stdin); print(v.get("verdict"), v.get("reason_code"))'
  }
  # Both replicas synced (the whole feed, and for B the pin met): each kind judged as it must be.
  want_b10="valid valid_before_compromise"
  for _ in $(seq 1 300); do
    [ "$(verdict "$PORT_B" 10)" = "$want_b10" ] && [ "$(verdict "$PORT_A" 10 | cut -d' ' -f1)" = valid ] && break
    sleep 0.5
  done
  printf '  %-44s %-40s %s\n' "payload" "A (no key compromised)" "B (one key compromised, pinned)"
  for line in 1 10 100 $((HTTP_CERTS - 1)) $((HTTP_CERTS - 10)); do
    if [ $((line % 100)) = 0 ]; then kind="forged with the stolen key"
    elif [ $((line % 10)) = 0 ]; then kind="genuine, the stolen key"
    else kind="genuine, the other key"; fi
    kind="$kind (line $line)"
    printf '  %-44s %-40s %s\n' "$kind" "$(verdict "$PORT_A" "$line")" "$(verdict "$PORT_B" "$line")"
  done
  [ "$(verdict "$PORT_B" 10)" = "$want_b10" ] || { echo "B does not vouch for the stolen key's genuine certificates" >&2; exit 1; }
  [ "$(verdict "$PORT_B" 100 | cut -d' ' -f1)" != valid ] || { echo "B takes a forgery" >&2; exit 1; }

  # One warm-up each, then A/B alternately.
  for s in A B; do
    if [ $s = A ]; then PORT=$PORT_A SERVER=$SERVER_A; else PORT=$PORT_B SERVER=$SERVER_B; fi
    run_wrk "$CONNECTIONS" 3 "$WORK/fx/payloads.txt" 0 0 2>/dev/null
  done
  CPU_RATIOS=(); RPS_A=(); RPS_B=(); CPU_A=(); CPU_B=()
  echo "  round  A requests/s  A CPU µs/req  B requests/s  B CPU µs/req  B/A requests/s  B/A CPU/req"
  for r in $(seq 1 "$ROUNDS"); do
    PORT=$PORT_A SERVER=$SERVER_A
    run_wrk "$CONNECTIONS" "$DURATION" "$WORK/fx/payloads.txt" 0 0 2>"$WORK/wrk.txt" || { cat "$WORK/wrk.txt" >&2; exit 1; }
    grep -v '^  RESULT' "$WORK/wrk.txt" >&2 || true
    ra=$RPS ca=$CPU_US
    PORT=$PORT_B SERVER=$SERVER_B
    run_wrk "$CONNECTIONS" "$DURATION" "$WORK/fx/payloads.txt" 0 0 2>"$WORK/wrk.txt" || { cat "$WORK/wrk.txt" >&2; exit 1; }
    grep -v '^  RESULT' "$WORK/wrk.txt" >&2 || true
    rb=$RPS cb=$CPU_US
    RPS_A+=("$ra"); RPS_B+=("$rb"); CPU_A+=("$ca"); CPU_B+=("$cb")
    CPU_RATIOS+=("$(awk -v a="$cb" -v b="$ca" 'BEGIN{printf "%.3f", a / b}')")
    printf '  %5s  %12s  %12s  %12s  %12s  %14s  %11s\n' "$r" "$ra" "$ca" "$rb" "$cb" \
      "$(awk -v a="$rb" -v b="$ra" 'BEGIN{printf "%.3f", a / b}')" "${CPU_RATIOS[-1]}"
  done
  RR=()
  for i in "${!RPS_A[@]}"; do RR+=("$(awk -v a="${RPS_B[$i]}" -v b="${RPS_A[$i]}" 'BEGIN{printf "%.4f", a / b}')"); done
  printf '  %-44s A %s, B %s requests/s; B/A %s (goal >= 0.95)\n' "median over $ROUNDS rounds:" \
    "$(median "${RPS_A[@]}")" "$(median "${RPS_B[@]}")" "$(median "${RR[@]}")"
  printf '  %-44s A %s, B %s µs/request; B/A %s (goal <= 1.05)\n' "" \
    "$(median "${CPU_A[@]}")" "$(median "${CPU_B[@]}")" "$(median "${CPU_RATIOS[@]}")"
  echo "  ($CONNECTIONS connections, ${DURATION}s a run, wrk and both servers on the same $(nproc) cores, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
fi

if section table; then
  echo "== the end-to-end story: party x kind of certificate -> verdict"
  cargo test --quiet "${flags[@]}" -p sonod-e2e --test stolen_key -- --nocapture 2>&1 | grep '^|'
fi
