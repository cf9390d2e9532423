#!/bin/sh
# Runs the crate's native tests with the same toolchain that builds the module.
set -eu
cd "$(dirname "$0")"
RUSTC=/usr/bin/rustc exec /usr/bin/cargo test --release --locked "$@"
