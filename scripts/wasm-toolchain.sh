# shellcheck shell=sh
# The toolchain of the npm package's WebAssembly build, sourced by pkg/build.sh and
# scripts/size-breakdown.sh (scripts/browser-deps.sh installs it): a dated nightly, so that the
# standard library is rebuilt with the module (`-Zbuild-std`) and its panics abort at once
# (`-Cpanic=immediate-abort`): no panic messages or formatting in the module, and no source
# locations for `#[track_caller]` (`-Zlocation-detail=none`: only panics read them). A
# panic in the browser was already an abort (`panic = "abort"`, no hook): the page sees the
# same `RuntimeError: unreachable`, and 10 KB gzip less, 11 with optimize_for_size
# (BENCHMARKS.md, "Browser package size").
# Everything else (clippy, wasm-pack test, native builds) stays on stable.
SIO_WASM_TOOLCHAIN=nightly-2026-05-20
export RUSTUP_TOOLCHAIN="$SIO_WASM_TOOLCHAIN"
export RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
# its own target directory: other flags, so it would otherwise rebuild the stable artifacts
export CARGO_TARGET_DIR="${SIO_ROOT:?}/target/wasm-pkg"
# passed to cargo after wasm-pack's `--`; std's `optimize_for_size` feature picks its smaller
# implementations (sorting, integer formatting, ...), same behaviour
SIO_WASM_CARGO_ARGS="-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size"
