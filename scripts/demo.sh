#!/usr/bin/env bash
# `make demo`: the React chat (examples/react-chat) and the Rust bot (examples/bot) on the
# bundled Socket.IO server, on this machine.
#
#   bash scripts/demo.sh            install what is missing, build, start everything, print the
#                                   page URL; Ctrl-C stops everything it started
#   bash scripts/demo.sh --smoke    (or DEMO_SMOKE=1) the same, then headless Chromium chats
#                                   with the bot (examples/react-chat/scripts/smoke.mjs), saves
#                                   the screenshot to docs/demo.png, and stops everything
#
# DEMO_NODES=N (N > 1; `make demo-cluster` uses 3) runs the same chat and bot on a cluster
# instead (tests/server/cluster.js): redis-server, N server nodes sharing rooms through
# @socket.io/redis-adapter, and HAProxy with cookie stickiness in front, which takes
# DEMO_SERVER_PORT. The page shows the node it is on; see the README ("Running on a cluster")
# for killing a node and watching the chat carry on. Needs redis-server and haproxy
# (`make cluster-deps`).
#
# Ports: the server takes DEMO_SERVER_PORT (default 3000) and the page DEMO_WEB_PORT (default
# 5173) when they are free, else any free port. Both listen on 127.0.0.1.
#
# Installs (each skipped when already satisfied): the wasm32 target, wasm-bindgen-cli at the
# Cargo.lock version and wasm-pack (to build pkg/), `npm ci` in tests/server, pkg and
# examples/react-chat when their package-lock.json changed, and Debian's chromium for --smoke
# only. Needs node 20.19+ or 22.12+, npm, and a Rust toolchain with rustup.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

smoke=${DEMO_SMOKE:-0}
[[ "$smoke" == 0 ]] && smoke=""
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1 ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "demo.sh: unknown argument $arg (try --help)" >&2
      exit 2
      ;;
  esac
done
screenshot=${DEMO_SCREENSHOT:-$root/docs/demo.png}

if [[ -t 1 ]]; then bold=$'\e[1m' dim=$'\e[2m' green=$'\e[32m' off=$'\e[0m'; else bold="" dim="" green="" off=""; fi
say() { printf '%sdemo:%s %s\n' "$bold" "$off" "$*"; }
die() {
  printf 'demo: %s\n' "$*" >&2
  exit 1
}

for tool in node npm cargo rustup; do
  command -v "$tool" >/dev/null 2>&1 || die "needs $tool on PATH"
done
# Vite 8's requirement.
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit((a === 20 && b >= 19) || a > 22 || (a === 22 && b >= 12) ? 0 : 1)' \
  || die "needs node 20.19+ or 22.12+ (have $(node --version))"

# ------------------------------------------------------------------------------------------
# processes: everything started here is stopped on exit, whatever happens

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sio-demo.XXXXXX")
names=()
pids=()
started() {
  names+=("$1")
  pids+=("$2")
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  if ((${#pids[@]} > 0)); then
    # Last started first: the bot says goodbye to the room while the server still runs.
    # Each gets 3 s to stop by itself, then it is killed.
    local i order=""
    for ((i = ${#names[@]} - 1; i >= 0; i--)); do order+="${order:+, }${names[$i]}"; done
    say "stopping $order"
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
      kill -TERM "${pids[$i]}" 2>/dev/null || continue
      for _ in $(seq 1 30); do
        kill -0 "${pids[$i]}" 2>/dev/null || break
        sleep 0.1
      done
      if kill -0 "${pids[$i]}" 2>/dev/null; then
        echo "demo: ${names[$i]} (pid ${pids[$i]}) did not stop; killing it" >&2
        kill -KILL "${pids[$i]}" 2>/dev/null || true
      fi
    done
    wait 2>/dev/null || true
  fi
  exec 3>&- 2>/dev/null || true
  if ((status != 0 && status != 130)) && [[ -s "$tmp/server.log" ]]; then
    echo "--- server log (tail)" >&2
    tail -n 20 "$tmp/server.log" >&2
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ------------------------------------------------------------------------------------------
# dependencies

# npm ci only when the lock file is newer than the last install's stamp (the same stamp as
# scripts/browser-deps.sh and the Makefile's node-deps).
npm_ci() {
  local dir=$1 stamp=$1/node_modules/.sio-stamp
  if [[ ! -f "$stamp" || "$dir/package-lock.json" -nt "$stamp" ]]; then
    say "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
}

rustup target list --installed | grep -qx wasm32-unknown-unknown \
  || { say "rustup target add wasm32-unknown-unknown"; rustup target add wasm32-unknown-unknown; }
# wasm-bindgen-cli must match the wasm-bindgen library in Cargo.lock exactly.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
[[ -n "$want" ]] || die "wasm-bindgen not found in Cargo.lock"
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [[ "$have" != "$want" ]]; then
  say "cargo install wasm-bindgen-cli $want (had: ${have:-none})"
  cargo install wasm-bindgen-cli --version "$want" --force --quiet
fi
if ! command -v wasm-pack >/dev/null 2>&1; then
  say "cargo install wasm-pack"
  cargo install wasm-pack --version 0.15.1 --quiet
fi
npm_ci tests/server
npm_ci pkg
npm_ci examples/react-chat

if [[ -n "$smoke" ]] && ! dpkg -s chromium >/dev/null 2>&1; then
  say "apt-get install chromium (for the headless check)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

# ------------------------------------------------------------------------------------------
# builds

# pkg/ is up to date when its outputs are newer than everything they are built from.
pkg_fresh() {
  [[ -f pkg/wasm/sio_wasm_bg.wasm && -f pkg/dist/index.js && -f pkg/dist/react.js ]] || return 1
  local newer
  newer=$(find client-core client-wasm pkg/src pkg/build.sh pkg/package.json pkg/tsconfig.json \
    Cargo.toml Cargo.lock -type f -newer pkg/wasm/sio_wasm_bg.wasm -print -quit 2>/dev/null)
  [[ -z "$newer" ]]
}

# Build the package if needed and install it into the app (npm pack + extract, as a user
# would get it). Someone else may be rebuilding pkg/ at the same moment: retry.
for attempt in 1 2 3; do
  if ! pkg_fresh; then
    say "building the package (cd pkg && npm run build)"
    if ! (cd pkg && npm run --silent build); then
      say "package build failed (attempt $attempt of 3; retrying in 15 s)"
      sleep 15
      continue
    fi
  fi
  if (cd examples/react-chat && node scripts/install-sio.mjs >/dev/null); then
    installed=1
    break
  fi
  say "could not pack the package (attempt $attempt of 3; is it being rebuilt? retrying in 15 s)"
  sleep 15
done
[[ -n "${installed:-}" ]] || die "could not build and install sio-client from pkg/"

say "building the bot (cargo build -p sio-bot)"
cargo build --quiet -p sio-bot
bot_bin=$(cargo metadata --format-version 1 --no-deps | node -e \
  'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')/debug/sio-bot
[[ -x "$bot_bin" ]] || die "no bot binary at $bot_bin"

# ------------------------------------------------------------------------------------------
# start

# $1 if nobody listens there, else a free port chosen by the kernel.
free_port() {
  node -e '
    const net = require("node:net");
    const probe = (port) => {
      const s = net.createServer();
      s.once("error", () => probe(0));
      s.listen(port, "127.0.0.1", () => { const p = s.address().port; s.close(() => console.log(p)); });
    };
    probe(Number(process.argv[1]));' "$1"
}

# The server exits when its stdin closes: it reads from a pipe that only this script holds,
# so it goes away even if this script is killed without a chance to clean up.
mkfifo "$tmp/server.in"
exec 3<>"$tmp/server.in"
server_port=$(free_port "${DEMO_SERVER_PORT:-3000}")
nodes=${DEMO_NODES:-1}
[[ "$nodes" =~ ^[0-9]+$ ]] && ((nodes >= 1 && nodes <= 26)) || die "DEMO_NODES is 1 to 26"
if ((nodes == 1)); then
  node tests/server/server.js --port "$server_port" --node-name single \
    <"$tmp/server.in" >"$tmp/server.out" 2>"$tmp/server.log" &
  started server $!
  for _ in $(seq 1 100); do
    grep -q '^PORT ' "$tmp/server.out" 2>/dev/null && break
    kill -0 "${pids[0]}" 2>/dev/null || die "the server did not start"
    sleep 0.1
  done
  server_port=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$tmp/server.out")
  [[ -n "$server_port" ]] || die "the server did not print its port"
  server_url="http://127.0.0.1:$server_port"
  say "Socket.IO server (tests/server, socket.io 4.8) at $server_url"
else
  for tool in redis-server haproxy; do
    command -v "$tool" >/dev/null 2>&1 || [[ -x /usr/sbin/$tool ]] || die "needs $tool: make cluster-deps"
  done
  # cluster.js stops redis, the nodes and HAProxy when its stdin (the fifo) closes
  node tests/server/cluster.js --nodes "$nodes" --lb-port "$server_port" --log-dir "$tmp/cluster" 3>&- \
    <"$tmp/server.in" >"$tmp/server.out" 2>"$tmp/server.log" &
  started cluster $!
  for _ in $(seq 1 300); do
    grep -q '"event":"ready"' "$tmp/server.out" 2>/dev/null && break
    kill -0 "${pids[0]}" 2>/dev/null || die "the cluster did not start"
    sleep 0.1
  done
  grep -q '"event":"ready"' "$tmp/server.out" || die "the cluster did not become ready"
  server_url="http://127.0.0.1:$server_port"
  say "cluster: redis-server, $nodes nodes (@socket.io/redis-adapter), HAProxy at $server_url"
  node -e '
    for (const line of require("node:fs").readFileSync(process.argv[1], "utf8").split("\n")) {
      if (!line) continue;
      const e = JSON.parse(line);
      if (e.event === "node") console.log(`  node ${e.name}: pid ${e.pid}, port ${e.port}   (kill -9 ${e.pid} to watch a failover)`);
      if (e.event === "redis") console.log(`  redis-server: pid ${e.pid}, port ${e.port}`);
    }' "$tmp/server.out"
fi

say "building the page (vite build, VITE_SIO_SERVER=$server_url)"
(cd examples/react-chat && VITE_SIO_SERVER=$server_url npm run --silent build >"$tmp/build.log" 2>&1) \
  || { cat "$tmp/build.log" >&2; die "vite build failed"; }

web_port=$(free_port "${DEMO_WEB_PORT:-5173}")
(cd examples/react-chat && exec 3>&- && exec ./node_modules/.bin/vite preview --host 127.0.0.1 --port "$web_port" --strictPort) \
  >"$tmp/web.log" 2>&1 &
started web $!
page_url="http://127.0.0.1:$web_port/"
for _ in $(seq 1 100); do
  node -e 'fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$page_url" && break
  kill -0 "${pids[1]}" 2>/dev/null || { cat "$tmp/web.log" >&2; die "vite preview did not start"; }
  sleep 0.2
done

say "starting the bot in #general ($bot_bin $server_url)"
"$bot_bin" "$server_url" 3>&- 2>&1 &
started bot $!

echo
printf '  %sOpen %s%s%s  — open it in two windows and talk to each other, or to the bot (!help)\n' \
  "$bold" "$green" "$page_url" "$off"
printf '  %sserver %s · server log %s · Ctrl-C stops everything%s\n\n' "$dim" "$server_url" "$tmp/server.log" "$off"

if [[ -n "$smoke" ]]; then
  mkdir -p "$(dirname "$screenshot")"
  status=0
  (cd examples/react-chat && exec 3>&- && DEMO_SERVER_STDIN="$tmp/server.in" node scripts/smoke.mjs "$page_url" "$screenshot") || status=$?
  ((status == 0)) && say "smoke check passed; screenshot $screenshot ($(du -k "$screenshot" | cut -f1) KB)"
  exit "$status"
fi

# Until Ctrl-C, or until one of them dies.
set +e
wait -n "${pids[@]}"
code=$?
set -e
# Ctrl-C reaches the children too (they end with 130); a shell started with SIGINT ignored
# cannot trap it.
((code == 130 || code == 143)) && exit 130
for i in "${!pids[@]}"; do
  if ! kill -0 "${pids[$i]}" 2>/dev/null; then
    echo "demo: ${names[$i]} exited (status $code)" >&2
    [[ "${names[$i]}" == web ]] && cat "$tmp/web.log" >&2
  fi
done
exit 1
