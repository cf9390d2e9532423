#!/bin/sh
# Stockade beside the sandboxes people would otherwise pick, all on their defaults, in one run:
#   1. what each one lets an install script do with no options (read ~/.ssh, write ~/.bashrc, the
#      network, DNS, host pids and sockets), judged by effects seen from the host where it matters;
#   2. the cost of running /bin/true through each one's command line (hyperfine -N).
# Peers: Anthropic's sandbox-runtime (`srt`, npm) and cdxgen's safer-exec (npm), installed into
# $STOCKADE_PEERS (default /tmp/stockade-peers) at pinned versions; bubblewrap and firejail from Debian.
# nsjail is not packaged for Debian 12 and is left out. srt needs socat and ripgrep (apt).
#
#   sh bench/peers.sh [RUNS]        (default 100; run it as the user you would run installs as)
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-100}
PEERS=${STOCKADE_PEERS:-/tmp/stockade-peers}
SRT_VERSION=0.0.78
SAFER_EXEC_VERSION=0.15.0
for tool in hyperfine bwrap socat rg curl; do
  command -v "$tool" >/dev/null || { echo "peers.sh needs $tool (apt-get install hyperfine bubblewrap socat ripgrep curl)" >&2; exit 1; }
done
[ -f dist/src/cli.js ] || { echo "no dist/: run npm run build" >&2; exit 1; }
if [ ! -x "$PEERS/node_modules/.bin/srt" ] || [ ! -x "$PEERS/node_modules/.bin/safer-exec" ]; then
  mkdir -p "$PEERS"
  npm install --prefix "$PEERS" --no-audit --no-fund --loglevel=error \
    "@anthropic-ai/sandbox-runtime@$SRT_VERSION" "@cdxgen/safer-exec@$SAFER_EXEC_VERSION" >&2
fi
SRT=$PEERS/node_modules/.bin/srt
SAFER=$PEERS/node_modules/.bin/safer-exec
STOCKADE="node $PWD/dist/src/cli.js run"

# A fake home with a key and an rc file, so nothing real is touched; every tool gets HOME=$HOME.
WORK=$(mktemp -d /tmp/stockade-peers-run.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK"
export HOME=$WORK/home
mkdir -p "$HOME/.ssh"
echo "ssh-secret" >"$HOME/.ssh/id_ed25519"
echo "# rc" >"$HOME/.bashrc"
mkdir -p "$WORK/probe"
PROBE=$WORK/probe/probe.sh # outside HOME: tools that need a read grant get this file only
# Each attempt runs in a subshell without /dev/null or /tmp (not every sandbox provides them).
cat >"$PROBE" <<'EOF'
r() { if out=$(sh -c "$2" 2>&1); then echo "$1=allowed"; else echo "$1=refused"; fi; }
r read-ssh-key "grep -q ssh-secret $1/.ssh/id_ed25519"
r write-bashrc "echo pwned >> $1/.bashrc"
r https "curl -s -m 3 -o /dev/stdout https://registry.npmjs.org/ | head -c1 | grep -q ."
r dns "getent hosts registry.npmjs.org"
r host-pids "test \$(ls /proc | grep -c '^[0-9]') -gt 30"
r host-sockets "ls -d /run/*.sock /run/dbus /run/systemd/private /var/run/docker.sock 2>&1 | grep -v 'No such' | grep ."
EOF

defaults() { # defaults NAME CMD...: the probe's verdicts, with ~/.bashrc checked on the host
  name=$1; shift
  echo "# rc" >"$HOME/.bashrc"
  "$@" sh "$PROBE" "$HOME" 2>/dev/null | grep = >"$WORK/$name.txt" || true
  if grep -q pwned "$HOME/.bashrc"; then sed -i 's/^write-bashrc=.*/write-bashrc=allowed/' "$WORK/$name.txt"
  else sed -i 's/^write-bashrc=.*/write-bashrc=refused/' "$WORK/$name.txt"; fi
}
defaults bare env
defaults stockade $STOCKADE --allow-read "$PROBE" --
defaults srt "$SRT"
defaults safer-exec "$SAFER" --read-path="$WORK/probe" --
defaults bwrap bwrap --unshare-all --die-with-parent --ro-bind / / --dev /dev --proc /proc
echo "What each one allows an install script on its defaults (user $(id -un), load $(cut -d' ' -f1-3 /proc/loadavg)):"
printf '%-14s' attempt; for t in bare stockade srt safer-exec bwrap; do printf '%-12s' "$t"; done; echo
for attempt in read-ssh-key write-bashrc https dns host-pids host-sockets; do
  printf '%-14s' "$attempt"
  for t in bare stockade srt safer-exec bwrap; do printf '%-12s' "$(sed -n "s/^$attempt=//p" "$WORK/$t.txt")"; done
  echo
done

echo "\nStart-up through each command line, /bin/true, hyperfine -N, $RUNS runs:"
OUT=${BENCH_OUT:-$WORK}
hyperfine -N --warmup 5 --runs "$RUNS" --style none --export-json "$OUT/peers.json" \
  -n bare /bin/true \
  -n stockade "$STOCKADE -- /bin/true" \
  -n srt "$SRT /bin/true" \
  -n safer-exec "$SAFER -- /bin/true" \
  -n bwrap "bwrap --unshare-all --die-with-parent --ro-bind / / --dev /dev --proc /proc /bin/true" >/dev/null
node --import tsx bench/ratios.ts "$OUT/peers.json" stockade bare srt safer-exec bwrap
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
