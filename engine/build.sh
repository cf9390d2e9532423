#!/bin/sh
# Builds engine/bin/stockade-engine and engine/bin/stockade-stage (PID 1 and the exec stage without
# the network proxy, started from the engine's directory): static, reproducible (no cgo, trimmed
# paths, no VCS stamp). Both carry one build stamp, a hash of the sources: PID 1 refuses the frame
# of an engine from another build.
set -eu
cd "$(dirname "$0")"
mkdir -p bin
VERSION=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' ../package.json | head -n 1)
STAMP=$( (cat go.mod go.sum; find cmd internal -name '*.go' ! -name '*_test.go' | LC_ALL=C sort | xargs cat) | sha256sum | cut -c1-16)
LDFLAGS="-s -w -X main.version=${VERSION:-0.0.0} -X stockade/engine/internal/sandbox.Build=$STAMP"
CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "$LDFLAGS" -o bin/stockade-engine ./cmd/stockade-engine
CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "$LDFLAGS" -o bin/stockade-stage ./cmd/stockade-stage
