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
//! ([`Payload`]); each API decodes them once, its own way (serde_json in the Rust API,
//! `JSON.parse` in the JavaScript one). With the `tree` feature (tests and tools), `Value`
//! converts to and from a payload where a tree is handy.
//!
//! ## Parsers
//!
//! [`Config::parser`] picks the packet codec: socket.io-parser (JSON, the default) or, with the
//! `msgpack` feature, socket.io-msgpack-parser (module `socketio::msgpack`), transcoded to and from
//! the same [`Payload`] form so that nothing above the codec changes.
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
//! - A socket that never connected reports no `disconnect` when the connection closes; if its
//!   CONNECT was sent and never answered, it reports [`Event::ConnectError`] instead (e.g. a
//!   server that could not parse it: a parser mismatch), where socket.io-client says nothing.
//! - Long-polling sends a Socket.IO packet's text header and its attachments in one POST
//!   (split only above `maxPayload`); socket.io-client sends the header alone first.
//! - [`Manager::reconnect_now`] retries at once and restarts the backoff.
//! - An attempt succeeds when its session carries the first Socket.IO packet, not at the
//!   Engine.IO handshake: a session that closes before (a load balancer without stickiness
//!   answering `400 Session ID unknown`, a proxy cutting the stream) reports a
//!   [`ConnectError::Open`] for each waiting namespace (with [`OpenError::HttpStatus`]'s
//!   status and body message where there is one) and a `ReconnectError`, keeps the backoff
//!   growing and counts toward `reconnection_attempts`, so `ReconnectFailed` comes in the end.
//!   `Reconnect` is reported with that first packet. socket.io-client resets its backoff at
//!   every handshake and loops forever, reporting only `reconnect_attempt 1` / `reconnect 1`.
//! - The connection state recovery offset stays visible as the last argument of events (as in
//!   JavaScript): the client cannot tell it from a real string argument of a volatile event.
//! - Rooms: [`Manager::join`]/[`Manager::leave`] (docs/architecture.md, "Rooms").
//! - JSON nested deeper than [`json::MAX_NESTING`] (1,000) levels is a parse error;
//!   `JSON.parse` has no limit (a Node.js server cannot send much more than 4,000).
//! - No timer is shorter than 1 ms (like Node's `setTimeout`) nor longer than about 100 years
//!   ([`timer::deadline_after`]): any `Duration` is accepted, none can make the core panic.
//! - Server ack requests left unanswered are bounded (see [Limits](#limits)).
//!
//! ## Limits
//!
//! Everything the network can make the core hold is bounded; every bound is a [`Config`]
//! field or a constant:
//!
//! | What | Bound (default) | Beyond it |
//! |---|---|---|
//! | One Engine.IO message or polling response | [`Config::max_inbound_bytes`] (100 MB) | the connection closes with `parse error` |
//! | One Socket.IO packet: its text **and all its attachments** | [`Config::max_packet_bytes`] (100 MB) | [`socketio::DecodeError::PacketTooLarge`], `parse error` |
//! | Attachments of one packet | [`Config::max_attachments`] (10, socket.io-parser's) | `TooManyAttachments`, `parse error` |
//! | JSON nesting | [`json::MAX_NESTING`] (1,000) | `TooDeep`, `parse error`; no scanner recurses |
//! | Server ack requests not answered yet, per namespace | [`Config::max_pending_server_acks`] (10,000) | the oldest is forgotten: [`Manager::ack`] for it gives [`EmitError::UnknownAck`], [`Manager::dropped_ack_requests`] counts it. All are forgotten when the namespace disconnects |
//! | Events received before the namespace's CONNECT reply | 1,024 | later ones are dropped |
//! | Timers | 1 ms ..= ~100 years | clamped |
//!
//! Acks of our own emits are kept until they arrive, time out, or the socket disconnects or
//! closes (each [`AckHandle`] is resolved exactly once); give emits a timeout
//! (`ack_timeout`) to bound them. Both ack tables are B-trees: any order of ids costs
//! O(log n) per operation.
//!
//! ## JSON semantics
//!
//! The validator accepts exactly what `JSON.parse` accepts (checked against Node's verdicts on
//! a few thousand texts, tests/vectors/json-verdicts.json), up to the nesting limit:
//! - numbers of any magnitude or precision: `1e310` is valid (`JSON.parse` reads `Infinity`);
//!   payloads keep the number text as written, each driver reads it its own way;
//! - escaped lone surrogates (`"\ud800"`) are valid; payloads keep them as written, and where
//!   the core itself decodes a string (event names, [`json::unescape`]) they become U+FFFD, since
//!   a Rust string cannot hold them;
//! - a key repeated in an object: the last value wins, as with `JSON.parse`; binary
//!   placeholders follow that rule exactly like socket.io-parser (which parses, then
//!   reconstructs), so `{"e":{"_placeholder":true},"e":0}` holds no placeholder.

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

pub use config::{Auth, Config, ConfigError, Parser, RoomEvents, Transports};
pub use error::EmitError;
pub use event::{AckError, AckHandle, ConnectError, DisconnectReason, Event, OpenError};
pub use manager::Manager;
pub use socket::EmitOptions;
pub use transport::{
    HttpRequest, Method, RequestId, TransportCommand, TransportId, TransportInput,
};
pub use value::Payload;
#[cfg(any(test, feature = "tree"))]
pub use value::Value;

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
