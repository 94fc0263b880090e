#!/usr/bin/env bash
# The browser half of `make test` (after scripts/browser-deps.sh):
#   1. npm run build in pkg/ (wasm-pack --profile wasm-release, wasm-opt, tsc)
#   2. the bundled test server on a free port, its URL compiled into the tests
#      (SIO_TEST_SERVER_URL, read with option_env!)
#   3. wasm-pack test --headless --chrome client-wasm (Debian chromium + chromedriver)
#   4. the React shim: the packed package installed into tests/browser, `vite build`, then
#      node --test react.test.mjs (playwright-core on /usr/bin/chromium; it starts its own
#      server with a stdin channel for restarts and connection counts)
#   5. the size check against socket.io-client (budget: SIZE_BUDGET_KB, default 60)
# Steps 3-5 all run even when one fails (the summary names the failures); the server is
# stopped on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== build sio-client (pkg/)"
(cd pkg && npm run --silent build)

echo "== test server"
# Short heartbeats so that the heartbeat tests see several pings in a few seconds.
node tests/server/server.js --port 0 --no-stdin --ping-interval 1000 --ping-timeout 1000 \
  >"$tmp/server.out" 2>"$tmp/server.log" &
server_pid=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$tmp/server.out")
  [[ -n "$port" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$port" ]] || { echo "test server did not start" >&2; exit 1; }
export SIO_TEST_SERVER_URL="http://127.0.0.1:$port"
echo "server at $SIO_TEST_SERVER_URL"

echo "== wasm-pack test --headless --chrome client-wasm"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$root/client-wasm/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT=180
failed=()
if ! wasm-pack --log-level warn test --headless --chrome --chromedriver /usr/bin/chromedriver client-wasm; then
  echo "--- server log (tail)" >&2
  tail -n 40 "$tmp/server.log" >&2
  failed+=("wasm-pack test")
fi

echo "== React shim in Chromium (Vite page + Playwright)"
(cd pkg && npm pack --silent --pack-destination "$tmp" >/dev/null)
rm -rf tests/browser/node_modules/sio-client
mkdir -p tests/browser/node_modules/sio-client
tar -xzf "$tmp"/sio-client-*.tgz -C tests/browser/node_modules/sio-client --strip-components=1
(cd tests/browser && npx --no-install vite build) || failed+=("vite build")
(cd tests/browser && node --test react.test.mjs) || failed+=("React/Playwright test")

echo "== size"
node scripts/size-check.js --budget-kb "${SIZE_BUDGET_KB:-60}" || failed+=("size check")

if ((${#failed[@]} > 0)); then
  printf 'test-browser: FAILED: %s\n' "${failed[*]}" >&2
  exit 1
fi
echo "test-browser: all green"
