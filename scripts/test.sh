#!/usr/bin/env bash
# Sets up what is missing, then runs every check and test of Sổ Tay Số:
# format, lint (server side and browser side), unit and API tests, the release build, and the
# browser tests in headless Chromium against the real server. Exits non-zero on the first failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh" --browser
source "$ROOT/scripts/env.sh"

step() { printf '\n\033[1m== %s\033[0m\n' "$1"; shift; local t=$SECONDS; "$@"; printf '(%ss)\n' $((SECONDS - t)); }

step "format" cargo fmt --all --check
step "lint: server side (ssr)" cargo clippy -p app -p server --all-targets --features app/ssr -- -D warnings
step "lint: browser side (hydrate, wasm32)" \
  cargo clippy -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
step "unit, migration and API tests" cargo test -p app -p server --features app/ssr
step "crash test (real binary, SIGKILL while 8 devices push)" \
  cargo test -p server --features app/ssr --test crash -- --ignored --nocapture
step "fuzz: sync batches decoded and validated (bounded: 30 s)" \
  env FUZZ_SECONDS=30 cargo test -p server --features app/ssr --test fuzz_sync -- --ignored --nocapture
step "release build (target/release/sotay, target/site, staff code split off)" cargo leptos build --release --split
step "load check (200 devices for 10 s against the release binary; correctness only)" \
  env LOAD_SHORT=1 SOTAY_BIN="$ROOT/target/release/sotay" \
  cargo run -q -p server --features app/ssr --example load_bench
step "browser tests (headless Chromium, real server, offline)" npm test --prefix "$ROOT/tests"
step "API fuzz (schemathesis from /api/openapi.json, each role, bounded)" \
  "$ROOT/tools/venv/bin/python" "$ROOT/tests/api/fuzz.py" --examples 10
printf '\nAll checks passed in %ss.\n' "$SECONDS"
