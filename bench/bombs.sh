#!/usr/bin/env bash
# Peak resident memory under decompression bombs (issue 16, item 2), before and after:
#
#   - sonod-scan on each bomb alone (--jobs 1, a 60 s budget so that nothing is cut short by
#     time: what a bomb costs when it runs to its end), and on the folder of all of them with
#     its default jobs and budget;
#   - the largest inputs the limits accept (48 MP at sonod-scan's limits, 12 MP at the
#     verifier's), each in the format whose decoder needs the most for its size: what a read's
#     memory bound must hold;
#   - sonod-verifier's /scan with four uploads of each raster bomb at once: the service's peak
#     (VmHWM from /proc/PID/status) after each kind.
#
# The bombs come from `cargo run -p sonod-qr --example bombs -- write DIR` (qr/tests/support/
# bombs.rs): PNG colour profile (iCCP), zTXt and iTXt text, and IDAT each inflating to 2 GiB,
# a 48 MP 16-bit RGBA PNG in 370 KB, a 60000² PNG header, a JPEG with 120 APP markers of
# 64 KiB, a 65000² JPEG header, a TIFF strip inflating to 2 GiB, a PDF content stream of
# 1 GiB, a doubly compressed one of 2 GiB, a 40000² PDF image (1.6 GB of pixels) and the same
# inline, a PDF image whose JPEG header claims 60000², and PDFs the renderer draws at the
# most a page may cost: 500 nested transparency groups, 100 nested soft masks, eight 16-MP
# images.
#
#   bash bench/bombs.sh
#
# Environment: PROFILE=release|debug (the build measured; default release), SCAN=PATH and
# VERIFIER=PATH (binaries to measure instead of the build), BEFORE_SCAN=PATH and
# BEFORE_VERIFIER=PATH (binaries of an earlier commit, measured beside them: the "before"
# column), SMALL=1 (bombs a quarter the size), KEEP=1 (keep the work directory).
# Memory figures are peak resident set sizes in MiB; a time limit (timeout 300 s) ends any run.
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILE=${PROFILE:-release}
WORK=$(mktemp -d /tmp/sonod-bombs.XXXXXX)
PORT=${PORT:-18191}
cleanup() {
    [ -n "${VPID:-}" ] && kill "$VPID" 2>/dev/null || true
    [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

flag=()
[ "$PROFILE" = release ] && flag=(--release)
cargo build --quiet "${flag[@]}" -p sonod-scan -p sonod-verifier --bins
cargo build --quiet "${flag[@]}" -p sonod-qr --example bombs
target=target/$PROFILE
SCAN=${SCAN:-$target/sonod-scan}
VERIFIER=${VERIFIER:-$target/sonod-verifier}
small=()
[ "${SMALL:-0}" = 1 ] && small=(--small)
"$target/examples/bombs" write "$WORK/bombs" "${small[@]}" --largest >/dev/null
mkdir -p "$WORK/largest"
mv "$WORK"/bombs/largest-* "$WORK/largest/"

# peak_scan BIN ARGS...: the peak RSS of one sonod-scan run, in MiB ("-" when it has none).
peak_scan() {
    local bin=$1
    shift
    if [ -z "$bin" ]; then
        echo "-"
        return
    fi
    /usr/bin/time -f %M -o "$WORK/time.txt" timeout 300 "$bin" --raw "$@" >"$WORK/out.txt" 2>&1 || true
    # (time writes a line about the exit status first when it is not 0)
    tail -n 1 "$WORK/time.txt" | awk '{ printf "%.0f", $1 / 1024 }'
}

# answer: the first line the last sonod-scan run printed, shortened.
answer() {
    head -n 1 "$WORK/out.txt" | sed 's/^[^:]*: //; s/^.* \/ //'
}

echo "## sonod-scan, one bomb at a time (--jobs 1 --budget-ms 60000)"
echo
echo "| file | bytes | before MiB | after MiB | answer (after) |"
echo "|---|---|---|---|---|"
for f in "$WORK"/bombs/*; do
    name=$(basename "$f")
    before=$(peak_scan "${BEFORE_SCAN:-}" --jobs 1 --budget-ms 60000 "$f")
    after=$(peak_scan "$SCAN" --jobs 1 --budget-ms 60000 "$f")
    echo "| $name | $(stat -c %s "$f") | $before | $after | $(answer) |"
done
echo
echo "## sonod-scan on the folder of bombs, default jobs ($(nproc)) and budget"
echo
before=$(peak_scan "${BEFORE_SCAN:-}" "$WORK/bombs")
after=$(peak_scan "$SCAN" "$WORK/bombs")
echo "before: $before MiB, after: $after MiB"
echo
echo "## The largest inputs the limits accept, one read (--jobs 1 --budget-ms 60000)"
echo
echo "| file | bytes | after MiB |"
echo "|---|---|---|"
for f in "$WORK"/largest/*; do
    name=$(basename "$f")
    case $name in
    # The verifier reads no PDFs.
    *12mp*.pdf) continue ;;
    # At the verifier's limits: the read alone, with the verifier's limits.
    *12mp*) peak=$("$target/examples/bombs" read "$f" --verifier --budget-ms 60000 |
        sed 's/.*"peak_rss_kib": \([0-9]*\).*/\1/' | awk '{ printf "%.0f", $1 / 1024 }') ;;
    *) peak=$(peak_scan "$SCAN" --jobs 1 --budget-ms 60000 "$f") ;;
    esac
    echo "| $name | $(stat -c %s "$f") | $peak |"
done
echo

# peak_verifier BIN: four uploads at once of each raster bomb to /scan; the service's VmHWM
# after each kind, in MiB.
peak_verifier() {
    local bin=$1 data=$WORK/verifier-$RANDOM
    if [ -z "$bin" ]; then
        return
    fi
    mkdir -p "$data"
    SONOD_LOG=warn "$bin" serve --dev-keys "$data/keys" --data "$data/db" \
        --listen "127.0.0.1:$PORT" >"$data/log.txt" 2>&1 &
    VPID=$!
    for _ in $(seq 1 600); do
        curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
        sleep 0.1
    done
    hwm() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$VPID/status"; }
    echo "start: $(hwm) MiB"
    for f in "$WORK"/bombs/png-* "$WORK"/bombs/jpeg-* "$WORK"/bombs/tiff-*; do
        [ "$(stat -c %s "$f")" -le $((8 << 20)) ] || continue
        for _ in 1 2 3 4; do
            curl -s -o /dev/null -w '%{http_code} ' -F "photo=@$f;type=image/png" \
                "http://127.0.0.1:$PORT/scan" &
        done >"$data/codes.txt"
        wait $(jobs -p | grep -v "^$VPID$") 2>/dev/null || true
        sleep 3
        echo "$(basename "$f"): $(hwm) MiB (answers: $(tr -s ' ' <"$data/codes.txt"))"
    done
    kill "$VPID" 2>/dev/null || true
    wait "$VPID" 2>/dev/null || true
    VPID=
}

echo "## sonod-verifier /scan, four uploads of each raster bomb at once (peak so far)"
echo
if [ -n "${BEFORE_VERIFIER:-}" ]; then
    echo "before:"
    peak_verifier "$BEFORE_VERIFIER"
    echo
fi
echo "after:"
peak_verifier "$VERIFIER"
