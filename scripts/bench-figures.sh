#!/usr/bin/env bash
# Benchmark of the kept figures, in one command: a generated province (100 communes, 3,000
# villages, 15,000 members, 1,000,000 visits over two years); over HTTP against the release
# binary the province's dashboard, one commune's and the quarterly XLSX export (median, p95),
# each next to the plain GROUP BY over the raw visits; the push rate with the figures kept
# next to the binary from before them (commit 1b7f73c, built in a git worktree), and bulk
# approval on both; the server's memory after the run.
#
# Sizes come from the environment (see server/examples/figures_bench.rs), e.g.
#   VISITS=50000 PUSH_VISITS=5000 ./scripts/bench-figures.sh
# Builds go to their own target directories, so they never wait for the project's target/:
#   BENCH_TARGET_DIR         (default ../target-bench next to the project)
#   BENCH_BEFORE_DIR         worktree of the older commit (default ../bench-before)
#   BENCH_BEFORE_TARGET_DIR  (default ../target-bench-before)
#   BENCH_BEFORE_COMMIT      (default 1b7f73c, the parent of the first figures commit)
#   BENCH_SKIP_BEFORE=1      measure the current binary only
#   BENCH_DIR                where the databases go (default: a temporary directory); KEEP_DB=1 keeps them
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/env.sh"

PARENT="$(dirname "$ROOT")"
TARGET="${BENCH_TARGET_DIR:-$PARENT/target-bench}"
BEFORE_COMMIT="${BENCH_BEFORE_COMMIT:-1b7f73c}"
BEFORE_DIR="${BENCH_BEFORE_DIR:-$PARENT/bench-before}"
BEFORE_TARGET="${BENCH_BEFORE_TARGET_DIR:-$PARENT/target-bench-before}"

if [ "${BENCH_SKIP_BEFORE:-0}" != 1 ]; then
  if [ ! -d "$BEFORE_DIR" ]; then
    echo "== worktree of $BEFORE_COMMIT at $BEFORE_DIR"
    git -C "$ROOT" worktree add --detach "$BEFORE_DIR" "$BEFORE_COMMIT" >/dev/null
  fi
  want="$(git -C "$ROOT" rev-parse "$BEFORE_COMMIT^{commit}")"
  have="$(git -C "$BEFORE_DIR" rev-parse HEAD)"
  if [ "$want" != "$have" ]; then
    echo "$BEFORE_DIR is at $have, not $BEFORE_COMMIT ($want): remove it or set BENCH_BEFORE_DIR" >&2
    exit 1
  fi
  echo "== release build of $BEFORE_COMMIT (before the figures)"
  (cd "$BEFORE_DIR" && CARGO_TARGET_DIR="$BEFORE_TARGET" cargo build -q --release -p server)
  export SOTAY_BEFORE_BIN="$BEFORE_TARGET/release/sotay"
else
  unset SOTAY_BEFORE_BIN
fi

echo "== release build of the server and the benchmark"
CARGO_TARGET_DIR="$TARGET" cargo build -q --release -p server
CARGO_TARGET_DIR="$TARGET" cargo build -q --release -p server --example figures_bench
export SOTAY_BIN="$TARGET/release/sotay"

echo "== benchmark"
start=$SECONDS
"$TARGET/release/examples/figures_bench"
echo "(benchmark ran $((SECONDS - start)) s, builds excluded)"
