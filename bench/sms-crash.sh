#!/usr/bin/env bash
# The SMS outbox under crashes: MESSAGES certificates with a mobile number issued from four
# threads while the service is killed (SIGKILL) KILLS times at random moments and restarted,
# against a test gateway that outlives it (bench/sms-crash.py). Prints the messages lost (must
# be 0) and sent twice (a crash between the gateway's acceptance and our record of it; this
# gateway does not de-duplicate by the client reference, so each such crash shows).
#
#   bash bench/sms-crash.sh [MESSAGES=1000] [KILLS=100]
#   BIN=target/debug/sonod-issuer bash bench/sms-crash.sh 300 30   # another build
#
set -euo pipefail
cd "$(dirname "$0")/.."
MESSAGES=${1:-1000}
KILLS=${2:-100}
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet -p sonod-issuer --bin sonod-issuer
    BIN=target/release/sonod-issuer
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/sms-crash.py "$BIN" "$work" "$MESSAGES" "$KILLS"
