#!/usr/bin/env bash
# Before and after a change, on the same machine in one run: the three benches (durable
# issuance, verification, photos) alternately on an older revision and on this tree, ROUNDS
# times each, so that both sides see the same machine load. Prints the figures each bench
# names as its result, labelled "before" and "after"; the spread is the difference between
# rounds of one side.
#
#   bash bench/before-after.sh REV [ROUNDS=2]
#
# REV is checked out in a worktree under target/before-after/ (built there in release mode;
# the first round includes that build). Environment: N, C (issuance: certificates, clients;
# default 30000, 32), PAYLOADS and DURATION (verification; default 50000, 10, as bench/verifier-load.sh), SKIP_PHOTOS=1,
# SKIP_ISSUER=1, SKIP_VERIFIER=1.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bash bench/before-after.sh REV [ROUNDS]}
rounds=${2:-2}
here=$(pwd)
before=${BEFORE_DIR:-$here/target/before-after/$(git rev-parse --short "$rev")}
if [ ! -d "$before" ]; then
    mkdir -p "$(dirname "$before")"
    git worktree add --detach "$before" "$rev" >/dev/null
fi
out=$(mktemp -d)
keep=0
trap '[ "$keep" = 1 ] || rm -rf "$out"' EXIT
# One photo set and one Python venv for both sides: the same pictures, measured by both.
export SET=$here/target/before-after/photo-set SONOD_BENCH_VENV=$here/target/bench-venv

run() { # side dir bench
    local side=$1 dir=$2 bench=$3 log="$out/$3-$1-$round.log"
    case $bench in
    issuer)
        (cd "$dir" && bash bench/issuer-load.sh "${N:-30000}" "${C:-32}") >"$log" 2>&1 || true
        grep -h 'durable issuance' "$log" | sed "s/^/$side  /" || true ;;
    verifier)
        (cd "$dir" && SKIP_SCALE=1 PAYLOADS=${PAYLOADS:-50000} DURATION=${DURATION:-10} \
            PORT=$((18300 + RANDOM % 500)) bash bench/verifier-load.sh) >"$log" 2>&1 || true
        grep -hE 'raw verify_strict|distinct: server CPU|batch of 256: server|repeated payload|p99 latency' "$log" \
            | sed "s/^/$side  /" || true ;;
    photos)
        (cd "$dir" && SMALL=1 VIDEO_SECONDS=2 bash bench/scanner-photos.sh) >"$log" 2>&1 || true
        grep -hE '^\| sonod-scan \| (all|2-MP photos)' "$log" | head -n 3 | sed "s/^/$side  /" || true ;;
    esac
    if grep -qE 'panicked|^error|Error:' "$log"; then echo "$side  (the log has errors: $log)"; keep=1; fi
}

for round in $(seq "$rounds"); do
    for bench in issuer verifier photos; do
        case $bench in issuer) [ "${SKIP_ISSUER:-0}" = 1 ] && continue ;; verifier) [ "${SKIP_VERIFIER:-0}" = 1 ] && continue ;; photos) [ "${SKIP_PHOTOS:-0}" = 1 ] && continue ;; esac
        echo "== round $round: $bench"
        # Alternate which side goes first, so that neither always meets a warmer machine.
        if [ $((round % 2)) = 1 ]; then
            run before "$before" $bench; run after "$here" $bench
        else
            run after "$here" $bench; run before "$before" $bench
        fi
    done
done
keep=1
echo "logs: $out"
