#!/bin/sh
# Builds wasm/kafel.wasm deterministically with Debian's rustc 1.63 (rustup has no wasm32 target
# here). Paths are remapped so the module does not depend on where the checkout lives.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
export RUSTC=/usr/bin/rustc
export RUSTFLAGS="--remap-path-prefix=$here=/stockade/wasm --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo -C target-cpu=generic"
export SOURCE_DATE_EPOCH=0
/usr/bin/cargo build --quiet --release --locked --target wasm32-unknown-unknown
cp target/wasm32-unknown-unknown/release/stockade_kafel.wasm kafel.wasm
echo "wasm/kafel.wasm: $(wc -c < kafel.wasm) bytes"
