#!/bin/sh
# Start-up cost of a sandbox running /bin/true, side by side in one hyperfine run:
#   bare /bin/true · stockade-engine (full isolation: every namespace incl. net, Landlock, baseline
#   seccomp) · unshare -Urmnpf --mount-proc · bwrap --unshare-all · firejail --net=none.
# Prints medians and the engine's ratios (targets: ≤ 1.0× bwrap, stretch ≤ 1.5× unshare).
#
#   sh bench/startup.sh [RUNS] [ROUNDS]   (default 300 runs of each command in 30 rounds;
#                                         STOCKADE_ENGINE picks the engine binary, and
#                                         BENCH_ENGINES="NAME=PATH ..." adds other builds, to
#                                         compare them side by side)
#
# Method: hyperfine -N (no shell) runs each command directly, in ROUNDS rounds of RUNS/ROUNDS runs,
# the commands in reverse order every other round, and the rounds' samples are merged: this VM's
# speed drifts by a quarter within minutes, which one block per command would book against
# whichever command ran in the slow minute. The engine reads its frame with `run --frame FILE`
# (the same parser as fd 3). A second pair measures the fd-3 path the library uses, through
# `sh -c 'exec … 3<FILE'`, against the same shell running `exec /bin/true 3<FILE`, so the shell's
# own cost shows in both and the difference is the engine's.
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-300}
ROUNDS=${2:-30}
ENGINE=${STOCKADE_ENGINE:-$PWD/engine/bin/stockade-engine}
[ -x "$ENGINE" ] || { echo "no engine at \"$ENGINE\": run sh engine/build.sh or set STOCKADE_ENGINE" >&2; exit 1; }
OUT=${BENCH_OUT:-$(mktemp -d /tmp/stockade-bench.XXXXXX)}
FRAME=$OUT/true.frame
node --import tsx bench/frame.ts "$FRAME" /bin/true

# rounds NAME FILE: runs the commands FILE lists ("name|command" lines) through hyperfine in
# $ROUNDS rounds, every other one in reverse order; prints the rounds' JSON files, comma-separated.
rounds() {
  name=$1 list=$2 files= r=1
  while [ "$r" -le "$ROUNDS" ]; do
    order=cat
    [ $((r % 2)) = 0 ] && order=tac
    set --
    while IFS='|' read -r n c; do set -- "$@" -n "$n" "$c"; done <<EOF
$($order "$list")
EOF
    hyperfine -N --warmup 2 --runs $((RUNS / ROUNDS)) --style none --export-json "$OUT/$name-$r.json" "$@" >/dev/null
    files=${files:+$files,}$OUT/$name-$r.json
    r=$((r + 1))
  done
  echo "$files"
}

BWRAP="bwrap --unshare-all --die-with-parent --ro-bind / / --dev /dev --proc /proc /bin/true"
FIREJAIL="firejail --quiet --noprofile --net=none /bin/true"
cat >"$OUT/commands" <<EOF
bare|/bin/true
engine|$ENGINE run --frame $FRAME
unshare|unshare -Urmnpf --mount-proc /bin/true
bwrap|$BWRAP
EOF
for other in ${BENCH_ENGINES:-}; do echo "${other%%=*}|${other#*=} run --frame $FRAME" >>"$OUT/commands"; done
# firejail refuses to run in some containers (no setuid, seccomp already set): say so, skip it.
if $FIREJAIL 2>"$OUT/firejail.err"; then echo "firejail|$FIREJAIL" >>"$OUT/commands"
else echo "firejail skipped: $(head -n 3 "$OUT/firejail.err")" >&2; fi

echo "load: $(cut -d' ' -f1-3 /proc/loadavg)   engine: $ENGINE   runs: $RUNS in $ROUNDS rounds"
node --import tsx bench/ratios.ts "$(rounds startup "$OUT/commands")" engine bare unshare=1.5 bwrap=1.0 $(for other in ${BENCH_ENGINES:-}; do printf '%s ' "${other%%=*}"; done)

echo "\nfd-3 path (as run() feeds it), through sh -c on both sides:"
cat >"$OUT/commands-fd3" <<EOF
sh-true|sh -c 'exec /bin/true 3<$FRAME'
sh-engine|sh -c 'exec $ENGINE run 3<$FRAME'
EOF
node --import tsx bench/ratios.ts "$(rounds startup-fd3 "$OUT/commands-fd3")" sh-engine sh-true

# CPU time hardly depends on the machine's load, unlike wall time: per run, all processes summed.
if command -v perf >/dev/null 2>&1; then
  printf '\nCPU per run (perf stat, mean of 50, every process and thread of the run)\n%-10s %12s %18s %12s\n' command task-clock context-switches page-faults
  while IFS='|' read -r name command; do
    perf stat -x, -r 50 -e task-clock,context-switches,page-faults -- $command 2>&1 >/dev/null </dev/null |
      awk -F, -v name="$name" '{ v[$3] = $1 } END { printf "%-10s %9.2f ms %18d %12d\n", name, v["task-clock"], v["context-switches"], v["page-faults"] }'
  done <"$OUT/commands"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)   results: $OUT"
