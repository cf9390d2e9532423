#!/bin/sh
# The filtering proxy against direct loopback traffic, in one run (issue 4): a SIZE MB download
# with curl (plain HTTP forwarded, and a CONNECT tunnel) and the median latency of a small
# request on a fresh connection. Wraps the proxy engineer's engine/cmd/stockade-proxy-bench and
# prints the ratios against the targets (≥ 0.8× direct throughput, ≤ 1 ms added median latency).
# Each round runs every mode once, in turn; a ratio is the median over rounds of proxied MB/s ÷
# the same round's direct MB/s. Then, end to end, curl inside run() sandboxes: bench/proxy-e2e.ts.
#
#   sh bench/proxy.sh [SIZE_MB] [ROUNDS]      (default 200 MB, 5 rounds)
#
# BENCH_ENGINE_SRC names another engine source tree for the Go tool (run-all.sh's snapshot).
set -eu
cd "$(dirname "$0")/.."
SIZE=${1:-200}
ROUNDS=${2:-5}
OUT=${BENCH_OUT:-$(mktemp -d /tmp/stockade-bench.XXXXXX)}
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)   proxy in process, curl client, ${SIZE} MB, median of ${ROUNDS} rounds"
(cd "${BENCH_ENGINE_SRC:-engine}" && go run ./cmd/stockade-proxy-bench -client curl -size-mb "$SIZE" -rounds "$ROUNDS" -requests 300) | tee "$OUT/proxy.txt"
tail -n 1 "$OUT/proxy.txt" | jq -r '
  ["http-forward", "connect-tunnel"][] as $m
  | "\($m): \(.ratioToDirect[$m] * 100 | round / 100)× direct throughput (target ≥ 0.8×: \(if .ratioToDirect[$m] >= 0.8 then "met" else "MISSED" end)), "
  + "+\(.addedLatencyMs[$m] * 1000 | round) µs median latency (target ≤ 1000 µs: \(if .addedLatencyMs[$m] <= 1 then "met" else "MISSED" end))"'
echo "\nend to end, curl inside sandboxes (network host vs allowlist through the proxy):"
node --import tsx bench/proxy-e2e.ts "$SIZE" "$ROUNDS"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
