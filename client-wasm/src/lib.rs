//! # sio-wasm: the JavaScript API of the npm package `sio-client`
//!
//! socket.io-client's API — `io()`, `Manager`, `Socket` — exported with wasm-bindgen from
//! Rust, on sio-client's Rust API and its browser driver (sio-browser: `web_sys::WebSocket`,
//! `fetch` long-polling, gloo-timers). Nothing of the protocol is JavaScript: the package's
//! `pkg/src/` holds only the module loader, the TypeScript declarations and the React shim.
//!
//! At the boundary (see `values.rs`): event arguments cross as JSON text
//! (`JSON.stringify`/`JSON.parse`) plus the bytes of their binary values (`ArrayBuffer`s and
//! views become attachments; received binary is an `ArrayBuffer`); structured values (the
//! options object, `connect_error` data, the auth payload) with serde-wasm-bindgen.
//! Listeners are JavaScript functions kept in Rust with socket.io-client's emitter semantics
//! (`emitter.rs`). Every listener runs from the client's task, after the core is done with
//! the event, so a listener may call anything.
//!
//! This crate is the npm package's, not a Rust web app's: its `#[wasm_bindgen]` exports
//! would end up in any binary that links it. A Rust frontend depends on `sio-client` only.
//!
//! On other targets only the option checks ([`options`]) are built, so the workspace's host
//! builds, tests and lints cover them.

pub mod options;

/// The allocator of the npm package's module (one thread, memory grown on demand).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_arch = "wasm32")]
mod emitter;
#[cfg(target_arch = "wasm32")]
mod io;
#[cfg(target_arch = "wasm32")]
mod js_options;
#[cfg(target_arch = "wasm32")]
mod js_parser;
#[cfg(target_arch = "wasm32")]
mod manager;
#[cfg(target_arch = "wasm32")]
mod socket;
#[cfg(target_arch = "wasm32")]
mod socket_api;
#[cfg(target_arch = "wasm32")]
mod values;

#[cfg(target_arch = "wasm32")]
pub use crate::io::io;
#[cfg(target_arch = "wasm32")]
pub use crate::manager::Manager;
#[cfg(target_arch = "wasm32")]
pub use crate::socket::Ack;
#[cfg(target_arch = "wasm32")]
pub use crate::socket_api::Socket;
