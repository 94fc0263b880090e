//! # sio-core: a sans-IO Socket.IO v4 client
//!
//! The whole Socket.IO client — Engine.IO v4 and Socket.IO v5 codecs, handshake, heartbeat,
//! long-polling and the WebSocket upgrade, reconnection with backoff, namespace multiplexing,
//! acks with timeouts in both directions, the offline send buffer, retries, connection state
//! recovery and rooms that are re-joined after a reconnect — as a state machine that does no
//! I/O, reads no clock and draws no random numbers. The native (tokio) and browser (wasm)
//! clients are thin drivers around the same [`Manager`].
//!
//! ## Run loop
//!
//! A driver feeds inputs, performs the I/O the core asks for, reports events to the user and
//! sleeps until the next deadline. This is the whole contract (the network calls are
//! placeholders here):
//!
//! ```
//! use std::time::{Duration, Instant};
//! use sio_core::{Config, EmitOptions, Event, Manager, Payload, TransportCommand};
//!
//! let config = Config::new("http://localhost:3000").unwrap();
//! let mut manager = Manager::new(config).unwrap();
//! let start = Instant::now();
//! manager.connect("/", start);
//! manager
//!     .emit("/", "hello", Payload::from_json("[1,\"two\"]").unwrap(), EmitOptions::default(), start)
//!     .unwrap();
//!
//! // One turn of the loop; a real driver repeats it until the user closes the client.
//! while let Some(command) = manager.poll_transport() {
//!     match command {
//!         TransportCommand::Http { .. } => { /* start the HTTP request, later call
//!                                               manager.handle_transport(now, HttpResponse{..}) */ }
//!         TransportCommand::OpenWebSocket { .. } => { /* open it; report Opened / Frame / Closed */ }
//!         TransportCommand::Send { .. } => { /* write the frame */ }
//!         TransportCommand::Close { .. } => { /* drop the transport */ }
//!     }
//! }
//! while let Some(event) = manager.poll_event() {
//!     if let Event::Connect { ns, id, .. } = event {
//!         println!("{ns} connected as {id}");
//!     }
//! }
//! if let Some(deadline) = manager.poll_timeout() {
//!     // sleep until `deadline` (or until the next network input / user command), then:
//!     manager.handle_timeout(deadline.max(start + Duration::from_millis(1)));
//! }
//! ```
//!
//! Call order: after **any** `handle_*` call or command, drain `poll_transport` and
//! `poll_event`, then re-read `poll_timeout`. `now` must come from a monotonic clock; on
//! `wasm32-unknown-unknown` the [`Instant`] type is the core's own [`instant::Instant`], built
//! by the driver from a `performance.now()` reading.
//!
//! ## Payloads
//!
//! Event arguments stay raw, validated JSON text with binary placeholders plus attachment bytes
//! ([`Payload`]); each driver decodes them its own way (serde natively, `JSON.parse` in the
//! browser), so the browser bundle carries no JSON library and nothing is parsed twice.
//! [`Value`] converts to and from a payload where a tree is handy.
//!
//! ## Deliberate differences from socket.io-client
//!
//! - The backoff saturates instead of overflowing to `Infinity` after ~1000 attempts.
//! - `reconnection_attempts` is an `Option`: `Some(0)` means no attempt (JavaScript: infinity).
//! - `retries` requires an `ack_timeout` ([`ConfigError::RetriesWithoutTimeout`]).
//! - Every ack that can no longer arrive is reported ([`Event::AckError`]), including acks
//!   without a timeout, which socket.io-client drops silently on disconnect; a driver that wants
//!   the JavaScript behaviour ignores [`AckError::Disconnected`] for those.
//! - `reconnect_error` is reported before `reconnect_failed` for the last attempt.
//! - A socket that never connected reports no `disconnect` when the connection closes.
//! - [`Manager::reconnect_now`] retries at once and restarts the backoff.
//! - The connection state recovery offset stays visible as the last argument of events (as in
//!   JavaScript): the client cannot tell it from a real string argument of a volatile event.
//! - Rooms: [`Manager::join`]/[`Manager::leave`] (DESIGN.md "Rooms").

#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

mod acks;
pub mod backoff;
pub mod config;
mod engine;
pub mod engineio;
pub mod error;
pub mod event;
pub mod instant;
pub mod json;
mod manager;
mod socket;
pub mod socketio;
pub mod timer;
pub mod transport;
pub mod url;
pub mod value;
mod wire;

pub use config::{Auth, Config, ConfigError, RoomEvents, Transports};
pub use error::EmitError;
pub use event::{AckError, AckHandle, ConnectError, DisconnectReason, Event, OpenError};
pub use manager::Manager;
pub use socket::EmitOptions;
pub use transport::{
    HttpRequest, Method, RequestId, TransportCommand, TransportId, TransportInput,
};
pub use value::{Payload, Value};

/// The monotonic instant type the core takes as `now` (on wasm32-unknown-unknown, which has no
/// `std::time::Instant`, the core's own [`instant::Instant`]).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub use crate::instant::Instant;
/// The monotonic instant type the core takes as `now` (on wasm32-unknown-unknown, which has no
/// `std::time::Instant`, the core's own [`instant::Instant`]).
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub use std::time::Instant;

/// A fixed starting instant for unit tests.
#[cfg(test)]
#[allow(clippy::disallowed_methods)]
pub(crate) fn test_epoch() -> Instant {
    Instant::now()
}

#[cfg(test)]
mod tests;
