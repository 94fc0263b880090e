#!/usr/bin/env bash
# `make fuzz`: runs every cargo-fuzz target of fuzz/ for FUZZ_SECONDS (default 60) each, one after
# the other, and prints executions and coverage per target (libFuzzer's final `cov`/`ft`).
#
#   FUZZ_SECONDS=600 make fuzz                 longer
#   FUZZ_TARGETS="json manager" make fuzz      some targets only
#   FUZZ_MERGE=1 make fuzz                     then merge what was found into the checked-in
#                                              corpus (fuzz/corpus/<target>/, minimised)
#
# Needs the nightly toolchain and cargo-fuzz; both are installed when missing. New inputs go to
# fuzz/work/<target>/ (not in git) and crashes to fuzz/artifacts/<target>/; the checked-in
# corpus is only read, unless FUZZ_MERGE=1. `make test` replays the checked-in corpus on stable
# (tests/fuzz/tests/replay.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
targets=${FUZZ_TARGETS:-$(cargo +nightly fuzz list)}

cargo +nightly fuzz build -O
summary=()
for t in $targets; do
  mkdir -p "fuzz/work/$t" "fuzz/corpus/$t"
  log="fuzz/work/$t.log"
  echo "== fuzz $t for ${seconds}s"
  status=0
  cargo +nightly fuzz run -O "$t" "fuzz/work/$t" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 \
    >"$log" 2>&1 || status=$?
  execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log" | tail -1)
  final=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' || true)
  if ((status != 0)); then
    tail -40 "$log"
    summary+=("$t: FAILED (exit $status, see $log and fuzz/artifacts/$t/)")
  else
    summary+=("$t: ${execs:-?} executions, ${final:-no stats}")
  fi
  if [[ "${FUZZ_MERGE:-0}" == 1 && $status == 0 ]]; then
    mkdir -p "fuzz/work/$t.merged"
    cargo +nightly fuzz run -O "$t" "fuzz/work/$t.merged" "fuzz/corpus/$t" "fuzz/work/$t" -- \
      -merge=1 >>"$log" 2>&1
    rm -rf "fuzz/corpus/$t" && mv "fuzz/work/$t.merged" "fuzz/corpus/$t"
    echo "   merged: $(ls "fuzz/corpus/$t" | wc -l) inputs in fuzz/corpus/$t"
  fi
done
printf '%s\n' "${summary[@]}"
! printf '%s\n' "${summary[@]}" | grep -q FAILED
