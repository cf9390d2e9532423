#!/bin/sh
# Runs every benchmark in sequence and keeps the output in one file.
#
#   sh bench/run-all.sh              engine built from the committed engine/ (git HEAD)
#   STOCKADE_ENGINE=path sh bench/run-all.sh     that engine instead
#
# Load matters on a shared 2-core machine: the script waits (up to BENCH_QUIET_WAIT seconds,
# default 600) for a 1-minute load average below 1, and prints the load before each bench.
set -eu
cd "$(dirname "$0")/.."
OUT=$(mktemp -d /tmp/stockade-bench.XXXXXX)
export BENCH_OUT="$OUT"
LOG=$OUT/run-all.txt

waited=0
while [ "$(cut -d. -f1 /proc/loadavg)" -ge 1 ] && [ "$waited" -lt "${BENCH_QUIET_WAIT:-600}" ]; do
  sleep 10
  waited=$((waited + 10))
done

if [ -z "${STOCKADE_ENGINE:-}" ]; then
  # A snapshot of the committed engine, so a rebuild of engine/bin during the run changes nothing.
  mkdir -p "$OUT/src"
  git archive HEAD engine package.json | tar -x -C "$OUT/src"
  sh "$OUT/src/engine/build.sh"
  STOCKADE_ENGINE=$OUT/src/engine/bin/stockade-engine
  export BENCH_ENGINE_SRC=$OUT/src/engine
  ENGINE_FROM="git HEAD $(git rev-parse --short HEAD) (engine/ last changed in $(git log -1 --format=%h -- engine))"
else
  ENGINE_FROM="STOCKADE_ENGINE"
fi
export STOCKADE_ENGINE

{
  echo "stockade benchmarks — $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(nproc) cores, $(uname -sr), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "engine: $STOCKADE_ENGINE ($ENGINE_FROM)"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg) (waited ${waited} s for < 1)"
  for step in \
    "node --import tsx bench/compile.ts" \
    "sh bench/startup.sh" \
    "node --import tsx bench/run-latency.ts" \
    "node --import tsx bench/throughput.ts" \
    "sh bench/proxy.sh" \
    "node --import tsx bench/startup-breakdown.ts" \
    "sh bench/peers.sh"; do
    echo "\n===== $step   (load $(cut -d' ' -f1-3 /proc/loadavg))"
    { $step 2>&1 || echo "FAILED (exit $?): $step"; } | grep -v -e 'Statistical outliers' -e '^ *$' -e 'Consider re-running'

  done
  echo "\nload at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$LOG"
echo "kept in $LOG"
