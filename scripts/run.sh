#!/usr/bin/env bash
# Sets up what is missing, builds the release, and runs Sổ Tay Số at http://127.0.0.1:3000 on
# the SQLite file data/sotay.db with demo data and four months of the demo teams' visits.
# Extra arguments go to `sotay serve` (e.g. --addr 0.0.0.0:3000, --db other.db); SOTAY_ADDR
# and SOTAY_DB work too.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
"$ROOT/scripts/setup.sh"
source "$ROOT/scripts/env.sh"
cargo leptos build --release --split
exec "$ROOT/target/release/sotay" serve --demo --demo-history "$@"
