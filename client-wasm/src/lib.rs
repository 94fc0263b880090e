//! # sio-wasm: the browser driver of the sio Socket.IO client
//!
//! A wasm-bindgen driver around the sans-IO [`sio_core::Manager`]: WebSocket (binary frames
//! as `ArrayBuffer`) and `fetch` long-polling (with `credentials: "include"` when the
//! `withCredentials` option is set), one `setTimeout` for the core's deadlines, all on the
//! page's single thread. It exports one class, `CoreClient` (see `client.rs`), on which the
//! npm package `sio-client` (in `pkg/`) builds the socket.io-client API and the React hooks.
//!
//! ## Run loop
//!
//! Browser callbacks only queue an input and schedule a run on the microtask queue. A run
//! feeds the queued inputs to the core, performs every transport command it yields, arms
//! the timer for `poll_timeout`, and only then — with the core no longer borrowed — hands the
//! events to JavaScript one by one. User commands (`emit`, `join`, …) apply at once and run
//! the same loop; called from inside a listener, their events are queued behind the ones
//! being delivered, so the order is always the core's.
//!
//! ## Values
//!
//! Arguments cross as JavaScript values: outgoing arrays are walked for `ArrayBuffer`s and
//! views (replaced by placeholders, bytes sent as attachments) and serialised with
//! `JSON.stringify`; incoming JSON is `JSON.parse`d and placeholders become `ArrayBuffer`s.
//! The bundle carries no JSON library. `Blob`s are refused (reading one is asynchronous):
//! pass `await blob.arrayBuffer()`.
//!
//! On non-wasm targets only the option mapping ([`options`]) is built, so the workspace's
//! host builds, tests and lints cover it.

pub mod options;

#[cfg(target_arch = "wasm32")]
mod client;
#[cfg(target_arch = "wasm32")]
pub mod convert;
#[cfg(target_arch = "wasm32")]
mod driver;
#[cfg(target_arch = "wasm32")]
mod net;

#[cfg(target_arch = "wasm32")]
pub use client::CoreClient;
