#!/usr/bin/env bash
# Load benchmark of the server (server/examples/load_bench.rs), in one command: on a generated
# database of 200 villages with a team of 5 members each (1,000 members, all signed in
# beforehand), against the release binary on loopback:
#   1. open loop: 1,000 devices each push 1-20 new visits every 5 s and pull from their saved
#      cursor every 30 s, by the clock, for 60 s; per route p50/p99/max latency (from the
#      scheduled time), requests, errors; visits acknowledged vs rows stored; the server's
#      VmRSS/VmHWM. Budgets: p99 < 50 ms, 0 errors, RSS < 150 MB;
#   2. closed loop: 16 devices push batches of 100 back to back for 20 s: visits/s;
#   3. the open loop again with 500 slow clients holding connections (half a request's
#      headers; the server closes them after its 10 s header timeout). Budget: p99 < 50 ms.
# Exits non-zero when a request fails or an acknowledged visit is not stored exactly once.
#
#   LOAD_SHORT=1 ./scripts/bench-load.sh    CI: 10 s of open loop with 200 devices, correctness only
#
# Settings (environment): DURATION_S [60], DEVICES [1000], CLOSED_DEVICES [16],
# CLOSED_BATCH [100], CLOSED_S [20], SLOW_CLIENTS [500], MAX_CONNECTIONS [3000], SEED,
# BENCH_DIR (where the database goes; default a temporary directory), KEEP_DB=1 (keep it and
# the server's log), RUST_LOG (the server's), BENCH_TARGET_DIR (the build's own target
# directory, default ../target-bench next to the project, so it never waits for target/).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/env.sh"

PARENT="$(dirname "$ROOT")"
TARGET="${BENCH_TARGET_DIR:-$PARENT/target-bench}"

echo "== release build of the server and the benchmark"
CARGO_TARGET_DIR="$TARGET" cargo build -q --release -p server --bin sotay
CARGO_TARGET_DIR="$TARGET" cargo build -q --release -p server --example load_bench
export SOTAY_BIN="$TARGET/release/sotay"

# The slow clients and the devices' connections, on both sides of loopback.
ulimit -n 8192

echo "== benchmark"
start=$SECONDS
"$TARGET/release/examples/load_bench"
echo "(benchmark ran $((SECONDS - start)) s, builds excluded)"
