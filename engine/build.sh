#!/bin/sh
# Builds engine/bin/stockade-engine and engine/bin/stockade-proxy (the allowlist proxy, which the
# engine starts from its own directory): static, reproducible (no cgo, trimmed paths, no VCS stamp).
set -eu
cd "$(dirname "$0")"
mkdir -p bin
VERSION=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' ../package.json | head -n 1)
LDFLAGS="-s -w -X main.version=${VERSION:-0.0.0}"
CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "$LDFLAGS" -o bin/stockade-engine ./cmd/stockade-engine
CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "-s -w" -o bin/stockade-proxy ./cmd/stockade-proxy
