#!/bin/sh
# Builds stockade-engine and, on Linux, stockade-proxy (the allowlist proxy, which the engine starts
# from its own directory; on macOS the engine runs its proxy itself) into engine/bin, or into DIR:
# static, reproducible (no cgo, trimmed paths, no VCS stamp). On linux/amd64 the engine's entry
# point is its own (-E; internal/sandbox/early_amd64.go): `run` forks the sandbox's PID 1 there,
# before the Go runtime starts. A plain `go build` works too, without that head start. GOOS and
# GOARCH cross-build as for go build.
#
#   sh engine/build.sh [DIR]
set -eu
out=$(mkdir -p "${1:-$(dirname "$0")/bin}" && cd "${1:-$(dirname "$0")/bin}" && pwd)
cd "$(dirname "$0")"
VERSION=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' ../package.json | head -n 1)
LDFLAGS="-s -w -X main.version=${VERSION:-0.0.0}"
target=$(go env GOOS)/$(go env GOARCH)
[ "$target" = linux/amd64 ] && LDFLAGS="$LDFLAGS -E stockade/engine/internal/sandbox.earlyEntry"
CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "$LDFLAGS" -o "$out/stockade-engine" ./cmd/stockade-engine
case "$target" in
linux/*) CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "-s -w" -o "$out/stockade-proxy" ./cmd/stockade-proxy ;;
esac
