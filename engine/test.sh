#!/bin/sh
# Runs the engine's checks: go vet, the tests, the sandbox tests again through one `serve` engine
# (STOCKADE_TEST_SERVE=1), and when run as root both sandbox passes again as an unprivileged user
# (created if missing), since root and non-root callers take different paths (uid 0 mapped to 0,
# RLIMIT_NPROC vs cgroup pids, permission checks). `-v` lists every test (.ci/test counts them).
set -eu
cd "$(dirname "$0")"
export CGO_ENABLED=0
v=
[ "${1:-}" = -v ] && v=-v
go vet ./...
go test -count=1 $v ./...
echo "sandbox tests through serve:"
STOCKADE_TEST_SERVE=1 go test -count=1 $v ./internal/sandbox
if [ "$(id -u)" = 0 ]; then
  user=${STOCKADE_TEST_USER:-stockade-test}
  id "$user" >/dev/null 2>&1 || useradd -m "$user"
  dir=$(mktemp -d /tmp/stockade-engine-test.XXXXXX)
  trap 'rm -rf "$dir"' EXIT
  sh build.sh "$dir"
  go test -c -o "$dir/sandbox.test" ./internal/sandbox
  chmod 755 "$dir" "$dir/stockade-engine" "$dir/stockade-proxy" "$dir/sandbox.test"
  for serve in 0 1; do
    echo "sandbox tests as $user$( [ $serve = 1 ] && echo ', through serve'):"
    su "$user" -s /bin/sh -c "cd /tmp && STOCKADE_TEST_SERVE=$serve STOCKADE_ENGINE='$dir/stockade-engine' '$dir/sandbox.test' -test.count=1 ${v:+-test.v}"
  done
fi
