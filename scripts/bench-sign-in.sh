#!/usr/bin/env bash
# Benchmark: the release server's resident memory after 1,000 sign-ins (96 in flight; right
# passwords, wrong passwords, unknown phone numbers) against the 150 MB budget, sign-ins per
# second, and the median time of a wrong password next to an unknown phone number.
# The built site is not needed: only the server binary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source "$ROOT/scripts/env.sh"
cargo build -q -p server --release --bin sotay
cargo run -q -p server --release --example sign_in_bench
