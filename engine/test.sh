#!/bin/sh
# Runs the engine's checks: go vet, the tests, and when run as root the sandbox tests again as an
# unprivileged user (created if missing), since root and non-root callers take different paths
# (uid 0 mapped to 0, RLIMIT_NPROC vs cgroup pids, permission checks).
set -eu
cd "$(dirname "$0")"
export CGO_ENABLED=0
go vet ./...
go test -count=1 ./...
if [ "$(id -u)" = 0 ]; then
  user=${STOCKADE_TEST_USER:-stockade-test}
  id "$user" >/dev/null 2>&1 || useradd -m "$user"
  dir=$(mktemp -d /tmp/stockade-engine-test.XXXXXX)
  trap 'rm -rf "$dir"' EXIT
  go build -trimpath -o "$dir/stockade-engine" ./cmd/stockade-engine
  go build -trimpath -o "$dir/stockade-proxy" ./cmd/stockade-proxy
  go test -c -o "$dir/sandbox.test" ./internal/sandbox
  chmod 755 "$dir" "$dir/stockade-engine" "$dir/stockade-proxy" "$dir/sandbox.test"
  echo "sandbox tests as $user:"
  su "$user" -s /bin/sh -c "cd /tmp && STOCKADE_ENGINE='$dir/stockade-engine' '$dir/sandbox.test' -test.count=1"
fi
