#!/usr/bin/env bash
# The review's figures (issue #13): the first page of a review queue of 10,000 open
# applications (server time, p50 and p99), and approving end to end — request to durable
# certificate — with 32 officials approving at once (p50 and p99).
# Usage: bash bench/review.sh [APPROVALS_PER_OFFICIAL]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
nice -n 19 cargo build --release -p sonod-issuer --example review_time
# The store in a temporary directory on the project's disk (not a tmpfs: fsync must cost
# what it costs).
tmp="$(mktemp -d "${PWD}/target/review-bench.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
TMPDIR="$tmp" ./target/release/examples/review_time "${1:-30}"
