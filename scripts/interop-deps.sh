#!/usr/bin/env bash
# Installs the interop matrix's servers (client-native/tests/interop.rs), skipping everything
# already satisfied (a second run takes well under a second):
#   - python3 with venv (Debian python3 + python3-venv if missing), then the pinned
#     python-socketio server's packages (tests/interop/python/requirements.txt) into
#     tests/interop/python/.venv, only when requirements.txt changed since the last install;
#   - the socketioxide server (tests/interop/socketioxide, its own Cargo.lock), built in debug
#     into its own target/, only when its sources or lock file changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PY_DIR=tests/interop/python
VENV=$PY_DIR/.venv
STAMP=$VENV/.sio-stamp

if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  echo "interop-deps: apt-get install python3 python3-venv"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends python3 python3-venv >/dev/null
fi
if [[ ! -f $STAMP || $PY_DIR/requirements.txt -nt $STAMP || ! -x $VENV/bin/python ]]; then
  echo "interop-deps: python-socketio server packages into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$PY_DIR/requirements.txt"
  touch "$STAMP"
fi

SX_DIR=tests/interop/socketioxide
SX_BIN=$SX_DIR/target/debug/sio-interop-socketioxide
newest=$(find "$SX_DIR/src" "$SX_DIR/Cargo.toml" "$SX_DIR/Cargo.lock" -newer "$SX_BIN" 2>/dev/null | head -n 1 || true)
if [[ ! -x $SX_BIN || -n $newest ]]; then
  echo "interop-deps: cargo build the socketioxide server ($SX_DIR)"
  (cd "$SX_DIR" && CARGO_TARGET_DIR=target cargo build --locked --quiet)
  touch "$SX_BIN"
fi
