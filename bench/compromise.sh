#!/usr/bin/env bash
# The figures of issue #15 (a stolen office key), printed:
#
#   1. re-sealing N certificates (default 100,000) with the office's new key while another
#      thread keeps issuing (each issue made durable): time, and issuance latency before and
#      during it (median, p99, max) — tests/examples/compromise_figures.rs `reseal`;
#   2. the verifier's judging rate with no key compromised against one key compromised (pinned)
#      with 10 % of the requests carrying its certificates (goal: within 5 %) — `judge`;
#   3. the party × kind → verdict table of the end-to-end story (tests/tests/stolen_key.rs).
#
#   bash bench/compromise.sh [N=100000]
#   PROFILE=dev bash bench/compromise.sh 20000    # the debug build (dependencies at opt-level 2)
#
# Never run it while something else compiles on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
PROFILE=${PROFILE:-release}
flags=()
dir=debug
if [ "$PROFILE" = release ]; then flags=(--release); dir=release; fi

cargo build --quiet "${flags[@]}" -p sonod-e2e --example compromise_figures
bin=${CARGO_TARGET_DIR:-target}/$dir/examples/compromise_figures
echo "== re-sealing $N certificates while issuing ($PROFILE build)"
"$bin" reseal "$N"
echo "== judging with a compromised key in the trust list ($PROFILE build)"
"$bin" judge 10000 3
echo "== the end-to-end story: party x kind of certificate -> verdict"
cargo test --quiet "${flags[@]}" -p sonod-e2e --test stolen_key -- --nocapture 2>&1 | grep '^|'
