//! The clock and the randomness the core is handed (it reads neither itself).

use sio_core::Instant;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    /// `performance.now()` on the global object (window, worker or Node).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Now: a `performance.now()` reading (monotonic, milliseconds since the time origin, to the
/// microsecond).
pub fn now() -> Instant {
    Instant::from_millis(performance_now())
}

/// A seed for the backoff jitter, from two `Math.random()` draws.
pub fn random_seed() -> u64 {
    // each draw holds 52 random bits at most: take 32 of each
    let draw = || (js_sys::Math::random() * 4_294_967_296.0) as u64;
    draw() << 32 | draw()
}
