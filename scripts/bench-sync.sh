#!/usr/bin/env bash
# Benchmark: the sync limit (the server's SQL, no HTTP) against the real server over HTTP for a
# first push, a full replay and an edit round, on 100,000 generated visits over 3,000 villages.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
cargo run -q -p server --release --example sync_bench
