# Shell functions shared by the scripts that load `sonod-verifier serve` with wrk
# (bench/verifier-load.sh, bench/compromise.sh). Sourced, not run. They read:
#   PORT    the server's port on 127.0.0.1
#   SERVER  the server's process id (for its CPU time)
#   TOKEN   an exempt bearer token (so that the rate limiter is not what is measured)
#   CLK     getconf CLK_TCK

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is needed: apt-get install -y curl" >&2; exit 2; }
CLK=${CLK:-$(getconf CLK_TCK)}

# wait_ready URL LOG: until URL answers 2xx (2 minutes at most); else LOG is shown and the
# script ends.
wait_ready() {
  for _ in $(seq 1 600); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "$1 did not become ready" >&2; cat "$2" >&2; exit 1
}

metric() { curl -fs "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
rss_kib() { awk '/^VmRSS/{print $2}' "/proc/$SERVER/status"; }
hwm_kib() { awk '/^VmHWM/{print $2}' "/proc/$SERVER/status"; }

# run_wrk CONNECTIONS SECONDS PAYLOAD_FILE BATCH DELAY_MS -> sets REQS RPS P99 CPU_US (server
# CPU per request: utime+stime of $SERVER from /proc before and after, over the requests wrk
# completed)
run_wrk() {
  local before after out
  before=$(cpu_ticks)
  out=$(PAYLOADS="$3" BATCH="$4" DELAY_MS="$5" TOKEN="$TOKEN" THREADS=2 \
    wrk -t2 -c"$1" -d"$2"s --timeout 10s -s bench/verifier-verify.lua "http://127.0.0.1:$PORT" 2>&1)
  after=$(cpu_ticks)
  local line
  line=$(grep '^RESULT' <<<"$out") || { echo "$out" >&2; exit 1; }
  REQS=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  RPS=$(sed -E 's/.*rps=([0-9.]+).*/\1/' <<<"$line")
  P99=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$line")
  local bad
  bad=$(sed -E 's/.*non2xx=([0-9]+) socket_errors=([0-9]+).*/\1 \2/' <<<"$line")
  [ "$bad" = "0 0" ] || echo "  (non-2xx / socket errors: $bad)" >&2
  CPU_US=$(awk -v t=$((after - before)) -v clk="$CLK" -v n="$REQS" 'BEGIN{printf "%.2f", t / clk * 1e6 / n}')
  echo "  $line" >&2
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }

# median NUMBER...: the median of the numbers.
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
