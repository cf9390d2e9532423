#!/bin/sh
# Start-up cost of a sandbox running /bin/true, side by side in one hyperfine run:
#   bare /bin/true · stockade-engine (full isolation: every namespace incl. net, Landlock, baseline
#   seccomp) · unshare -Urmnpf --mount-proc · bwrap --unshare-all · firejail --net=none.
# Prints medians and the engine's ratios (targets: ≤ 1.0× bwrap, stretch ≤ 1.5× unshare).
#
#   sh bench/startup.sh [RUNS]          (default 300; STOCKADE_ENGINE picks the engine binary)
#
# Method: hyperfine -N (no shell) runs each command directly. The engine reads its frame with
# `run --frame FILE` (the same parser as fd 3). A second pair measures the fd-3 path the library
# uses, through `sh -c 'exec … 3<FILE'`, against the same shell running `exec /bin/true 3<FILE`,
# so the shell's own cost shows in both and the difference is the engine's.
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-300}
ENGINE=${STOCKADE_ENGINE:-$PWD/engine/bin/stockade-engine}
[ -x "$ENGINE" ] || { echo "no engine at \"$ENGINE\": run sh engine/build.sh or set STOCKADE_ENGINE" >&2; exit 1; }
OUT=${BENCH_OUT:-$(mktemp -d /tmp/stockade-bench.XXXXXX)}
FRAME=$OUT/true.frame
node --import tsx bench/frame.ts "$FRAME" /bin/true

BWRAP="bwrap --unshare-all --die-with-parent --ro-bind / / --dev /dev --proc /proc /bin/true"
FIREJAIL="firejail --quiet --noprofile --net=none /bin/true"
set -- -n bare /bin/true \
  -n engine "$ENGINE run --frame $FRAME" \
  -n unshare "unshare -Urmnpf --mount-proc /bin/true" \
  -n bwrap "$BWRAP"
# firejail refuses to run in some containers (no setuid, seccomp already set): say so, skip it.
if $FIREJAIL 2>"$OUT/firejail.err"; then set -- "$@" -n firejail "$FIREJAIL"
else echo "firejail skipped: $(head -n 3 "$OUT/firejail.err")" >&2; fi

echo "load: $(cut -d' ' -f1-3 /proc/loadavg)   engine: $ENGINE   runs: $RUNS"
hyperfine -N --warmup 20 --runs "$RUNS" --style none --export-json "$OUT/startup.json" "$@" >/dev/null
node --import tsx bench/ratios.ts "$OUT/startup.json" engine bare unshare=1.5 bwrap=1.0

echo "\nfd-3 path (as run() feeds it), through sh -c on both sides:"
hyperfine -N --warmup 20 --runs "$RUNS" --style none --export-json "$OUT/startup-fd3.json" \
  -n sh-true "sh -c 'exec /bin/true 3<$FRAME'" \
  -n sh-engine "sh -c 'exec $ENGINE run 3<$FRAME'" >/dev/null
node --import tsx bench/ratios.ts "$OUT/startup-fd3.json" sh-engine sh-true

# CPU time hardly depends on the machine's load, unlike wall time: per run, all processes summed.
if command -v perf >/dev/null 2>&1; then
  printf '\nCPU per run (perf stat, mean of 50, every process and thread of the run)\n%-10s %12s %18s %12s\n' command task-clock context-switches page-faults
  while [ $# -ge 3 ]; do
    [ "$1" = -n ] || break
    perf stat -x, -r 50 -e task-clock,context-switches,page-faults -- $3 2>&1 >/dev/null |
      awk -F, -v name="$2" '{ v[$3] = $1 } END { printf "%-10s %9.2f ms %18d %12d\n", name, v["task-clock"], v["context-switches"], v["page-faults"] }'
    shift 3
  done
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)   results: $OUT"
