#!/bin/sh
# Builds wasm/kafel.wasm deterministically with Debian's rustc 1.63 (rustup has no wasm32 target
# here). Paths are remapped so the module does not depend on where the checkout lives.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
export RUSTC=/usr/bin/rustc
export RUSTFLAGS="--remap-path-prefix=$here=/stockade/wasm --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo -C target-cpu=generic -C target-feature=+bulk-memory"
export SOURCE_DATE_EPOCH=0
/usr/bin/cargo build --quiet --release --locked --target wasm32-unknown-unknown
# binaryen's size pass: -28 KB (of ~237) with no loss of speed (opt-level s/z lose 25-100% of
# compile speed instead). Its output is a pure function of its input for one version; Debian 12
# ships 108, which .ci/setup installs and the committed module is built with.
# --merge-similar-functions: one body for functions that differ only in constants (Vec's growth
#   paths, one per element type): -1 KB.
# --low-memory-unused: folds `load (ptr + C)`, 0 <= C < 1024, into the load's offset; the two
#   differ only when ptr + C wraps past 4 GiB into the first KiB. No pointer here comes near
#   4 GiB, and the first KiB is the far end of the 1 MiB stack (rustc lays the stack out first,
#   growing down from 1 MiB), reached by no wrapping add: -6 KB.
# bulk-memory (memory.copy/fill instead of compiled memcpy/memset; Wasm 2.0, in Node since 12.5,
#   Deno and Bun): -1 KB and a little faster.
command -v wasm-opt >/dev/null || { echo "build.sh: wasm-opt not found: apt-get install binaryen" >&2; exit 1; }
wasm-opt --enable-bulk-memory --merge-similar-functions -Oz --low-memory-unused \
  target/wasm32-unknown-unknown/release/stockade_kafel.wasm -o kafel.wasm
echo "wasm/kafel.wasm: $(wc -c < kafel.wasm) bytes"
