#!/usr/bin/env bash
# The browser half of `make test` (after scripts/browser-deps.sh):
#   1. npm run build in pkg/ (wasm-pack --profile wasm-release, wasm-opt, tsc, terser)
#   2. wasm-pack test --headless --chrome client-wasm (Debian chromium + chromedriver): the
#      Rust API (sio-client on the browser driver) against the bundled server, started here on
#      a free port and passed in at build time (SIO_TEST_SERVER)
#   3. the package in Chromium: the packed package installed into tests/browser,
#      `vite build`, then node --test client.test.mjs (the JavaScript API against the bundled
#      server), react.test.mjs (the React shim), interop.test.mjs (python-socketio and
#      socketioxide too, JSON and MessagePack, the `parser` option; needs make interop-deps)
#      and cluster.test.mjs (HAProxy + two Redis-backed nodes: cookie stickiness with
#      withCredentials across origins, failover; needs make cluster-deps); all use
#      playwright-core on /usr/bin/chromium and start their own servers
#   4. the package under Node (node.test.mjs; once more with --experimental-websocket on a
#      Node that has no WebSocket otherwise)
#   5. the type test (tsc over pkg/type-tests: socket.io-client-typed code must compile,
#      misuse must not)
#   6. the size check against socket.io-client (budget: SIZE_BUDGET_KB, default 144)
# Steps 2-6 all run even when one fails (the summary names the failures); servers are
# stopped on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== build sio-client (pkg/)"
(cd pkg && npm run --silent build)

# The bundled server on a free port, for the Rust API tests; its URL is compiled into them
# (SIO_TEST_SERVER, read with option_env!).
start_server() {
  node tests/server/server.js --port 0 --no-stdin >"$tmp/server.out" 2>"$tmp/server.log" &
  server_pid=$!
  local waited=0
  until grep -q '^PORT ' "$tmp/server.out" 2>/dev/null; do
    if ! kill -0 "$server_pid" 2>/dev/null || ((waited > 300)); then
      echo "test-browser: the bundled server did not start:" >&2
      cat "$tmp/server.log" >&2
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  SIO_TEST_SERVER="http://127.0.0.1:$(awk '/^PORT /{ print $2; exit }' "$tmp/server.out")"
  export SIO_TEST_SERVER
}

echo "== wasm-pack test --headless --chrome client-wasm (the Rust API against the bundled server)"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$root/client-wasm/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT=180
failed=()
if start_server; then
  wasm-pack --log-level warn test --headless --chrome --chromedriver /usr/bin/chromedriver client-wasm \
    || { failed+=("wasm-pack test"); tail -n 30 "$tmp/server.log" >&2; }
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
else
  failed+=("wasm-pack test (server)")
fi

echo "== the package in Chromium (Vite page + Playwright)"
(cd pkg && npm pack --silent --pack-destination "$tmp" >/dev/null)
rm -rf tests/browser/node_modules/sio-client
mkdir -p tests/browser/node_modules/sio-client
tar -xzf "$tmp"/sio-client-*.tgz -C tests/browser/node_modules/sio-client --strip-components=1
(cd tests/browser && npx --no-install vite build) || failed+=("vite build")
(cd tests/browser && node --test client.test.mjs) || failed+=("JS API/Playwright test")
(cd tests/browser && node --test react.test.mjs) || failed+=("React/Playwright test")
(cd tests/browser && node --test interop.test.mjs) || failed+=("interop/Playwright test")
(cd tests/browser && node --test cluster.test.mjs) || failed+=("cluster/Playwright test")

echo "== the package under Node"
(cd tests/browser && node --test node.test.mjs) || failed+=("Node test")
if [[ "$(node -e 'process.stdout.write(typeof WebSocket)')" != "function" ]] \
  && node --experimental-websocket -e '' 2>/dev/null; then
  (cd tests/browser && node --experimental-websocket --test node.test.mjs) \
    || failed+=("Node test (WebSocket)")
fi

echo "== type test (tsc -p pkg/type-tests)"
(cd pkg && ./node_modules/.bin/tsc -p type-tests) || failed+=("type test")

echo "== size"
node scripts/size-check.js --budget-kb "${SIZE_BUDGET_KB:-144}" || failed+=("size check")

if ((${#failed[@]} > 0)); then
  printf 'test-browser: FAILED: %s\n' "${failed[*]}" >&2
  exit 1
fi
echo "test-browser: all green"
