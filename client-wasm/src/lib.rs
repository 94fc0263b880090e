//! # sio-wasm: the browser build of the sio Socket.IO client
//!
//! Exports one class, `Core`: a [`sio_core::Manager`] (one connection and its namespaces)
//! behind plain values — strings, numbers, booleans and byte arrays. It does no I/O and reads
//! no clock.
//! The npm package `sio-client` (in `pkg/`) drives it from TypeScript (`pkg/src/core.ts`):
//! WebSocket (binary frames as `ArrayBuffer`), `fetch` long-polling, one `setTimeout` for the
//! core's deadlines, `JSON.stringify`/`JSON.parse` with binary placeholders for event
//! arguments, and the socket.io-client options object. Keeping the JavaScript↔wasm boundary
//! that narrow keeps the bundle small: no JSON library, no web-sys bindings, no futures
//! executor and no closures on the Rust side.
//!
//! ## The protocol between `core.ts` and `Core`
//!
//! - Commands (`cmd`: connect, disconnect, join, …; `emit`; `ack`) and network inputs (`input`:
//!   opened, text or binary frame, closed, HTTP response or failure, timer) are methods that
//!   take the current time, a `performance.now()` reading, first; the core never reads a clock.
//!   Attachments of an `emit` or `ack` are staged first with `attach(bytes)`; `query` reads the
//!   state (as JSON text).
//! - After every call the driver drains `next()` until it returns an empty string: first the
//!   transport commands, then the events, each as the JSON text of an array —
//!   `["ws", id, url]`, `["send", id, binary]`, `["http", id, request, method, url, hasBody,
//!   ...headerPairs]`, `["shut", id]`, `[kind, ns?, ...]` for events, whose argument lists are
//!   embedded as the JSON they are, followed by their attachment count. Frame and body texts
//!   and binary data are not put in the JSON: they follow as parts (`partText()`,
//!   `partBytes()`), taken in order right after the `next()` that announced them. Then the
//!   driver calls `arm(now)` to learn what to do with its timer.
//! - Events are delivered to user code only after the driver is done with the core, so user
//!   code may call any method.
//!
//! On non-wasm targets only the option mapping ([`options`]) is built, so the workspace's
//! host builds, tests and lints cover it.

pub mod options;

#[cfg(target_arch = "wasm32")]
mod core;

#[cfg(target_arch = "wasm32")]
pub use crate::core::Core;
