#!/usr/bin/env bash
# Installs what building and testing Sổ Tay Số needs, on a machine that has only the Rust
# toolchain. Idempotent: each tool is installed only when missing or at the wrong version.
#   scripts/setup.sh            build tools (wasm target, cargo-leptos, wasm-bindgen, wasm-opt)
#   scripts/setup.sh --browser  also Chromium, the browser-test packages and the API fuzzer
#                               (schemathesis, from PyPI, in tools/venv)
# Source it (or use scripts/env.sh) to get the tools on PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

say() { printf '\033[1m== %s\033[0m\n' "$*"; }

CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132.0.0

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (one time, ~17 minutes on 2 cores)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

# cargo-leptos downloads wasm-bindgen from GitHub unless one is on PATH, and never checks the
# version: install exactly the one Cargo.lock names (without --locked: its lock file names a
# crate version the index lacks).
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (one time)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# wasm-opt from npm's binaryen (Debian's binaryen 108 produces WASM that fails in Chromium).
if [ "$("$ROOT/tools/node_modules/.bin/wasm-opt" --version 2>/dev/null | awk '{print $3}')" != "${BINARYEN_VERSION%%.*}" ]; then
  say "installing wasm-opt (binaryen $BINARYEN_VERSION from npm)"
  npm ci --prefix "$ROOT/tools" --no-audit --no-fund
fi

if [ "${1:-}" = "--browser" ]; then
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Chromium (Debian package)"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
  SCHEMATHESIS_VERSION=4.32.5
  if [ "$("$ROOT/tools/venv/bin/schemathesis" --version 2>/dev/null | awk '{print $3}')" != "$SCHEMATHESIS_VERSION" ]; then
    say "installing schemathesis $SCHEMATHESIS_VERSION (the API fuzzer, from PyPI)"
    if ! python3 -m venv "$ROOT/tools/venv" 2>/dev/null; then
      SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv "$ROOT/tools/venv"
    fi
    "$ROOT/tools/venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  if [ ! -d "$ROOT/tests/node_modules/playwright-core" ]; then
    say "installing the browser-test packages (playwright-core, no browser download)"
    npm ci --prefix "$ROOT/tests" --no-audit --no-fund
  fi
fi
