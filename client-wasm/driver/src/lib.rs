//! # sio-browser: the browser driver of sio
//!
//! What a Socket.IO client needs from a browser, for sio-core's sans-IO state machine:
//!
//! - [`Transports`] performs the core's [`TransportCommand`](sio_core::TransportCommand)s with
//!   `web_sys::WebSocket` (binary frames as `ArrayBuffer`) and `fetch` long-polling
//!   (`web_sys::Request`, `Headers`, `AbortController`; `credentials: "include"` with
//!   [`BrowserOptions::with_credentials`]), and hands the outcome back as
//!   [`TransportInput`](sio_core::TransportInput)s from one cancel-safe
//!   [`Transports::next_input`];
//! - [`now`] is the core's clock, a `performance.now()` reading;
//! - [`Timer`] waits for the core's one deadline, on gloo-timers;
//! - [`spawn`] runs a task (`wasm_bindgen_futures::spawn_local`);
//! - [`random_seed`] draws a backoff jitter seed from `Math.random()`.
//!
//! sio-client builds its Rust API on it for `wasm32` (the same `Client`/`Socket` as natively),
//! and the npm package's JavaScript API is built on sio-client. The crate exports nothing to
//! JavaScript (no `#[wasm_bindgen]` exports), so a Rust web app that links it carries no glue
//! it does not use.
//!
//! Re-entrancy: browser callbacks (WebSocket events, settled fetches, timers) only push an
//! input into a queue and wake the driver's task; the task feeds the core. No user code runs
//! from a browser callback, and none while the core is in use.
//!
//! Every API here needs a JavaScript host with `performance`, `setTimeout`, `fetch` and
//! `WebSocket` globals: browsers, workers, and Node ≥ 22 (Node 18–21 lack `WebSocket`
//! unless started with `--experimental-websocket`; a WebSocket that cannot be created is
//! reported as a transport failure, and long-polling still works).
//!
//! On other targets the crate is empty.

#[cfg(target_arch = "wasm32")]
mod clock;
#[cfg(target_arch = "wasm32")]
mod http;
#[cfg(target_arch = "wasm32")]
mod inbox;
#[cfg(target_arch = "wasm32")]
mod timer;
#[cfg(target_arch = "wasm32")]
mod transports;
#[cfg(target_arch = "wasm32")]
mod websocket;

#[cfg(target_arch = "wasm32")]
pub use crate::clock::{now, random_seed};
#[cfg(target_arch = "wasm32")]
pub use crate::timer::{Timer, MAX_TIMER_MS};
#[cfg(target_arch = "wasm32")]
pub use crate::transports::{BrowserOptions, Transports};

/// Runs `future` on the browser's event loop (`wasm_bindgen_futures::spawn_local`).
#[cfg(target_arch = "wasm32")]
pub fn spawn<F: std::future::Future<Output = ()> + 'static>(future: F) {
    wasm_bindgen_futures::spawn_local(future);
}

/// The text of a JavaScript exception or rejection value: an `Error`'s message, a string as
/// is, else `otherwise`.
#[cfg(target_arch = "wasm32")]
pub fn js_error_message(value: &wasm_bindgen::JsValue, otherwise: &str) -> String {
    use wasm_bindgen::JsCast as _;
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    value.as_string().unwrap_or_else(|| otherwise.to_string())
}
