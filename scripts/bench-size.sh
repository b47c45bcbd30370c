#!/usr/bin/env bash
# Benchmark: builds the release and prints the size of the WASM and JS the browser downloads
# for the first page (raw, gzip, brotli) next to the 250 KB brotli budget.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
source "$ROOT/scripts/env.sh"
cargo leptos build --release --split
cargo run -q -p server --release --example bundle_size -- "$ROOT/target/site"
# What Chromium fetches on a cold load of each role's home (needs the browser-test packages).
"$ROOT/scripts/setup.sh" --browser
node "$ROOT/tests/bench/cold-load.mjs"
