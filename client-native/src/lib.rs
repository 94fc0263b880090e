//! # sio-client: a Socket.IO v4 client for Rust
//!
//! WebSocket and HTTP long-polling (with the upgrade between them) over rustls, namespaces
//! multiplexed on one connection, acknowledgements in both directions with timeouts, an
//! offline send buffer, retries, connection state recovery, and rooms that are re-joined by
//! themselves after a reconnect. The protocol lives in [`sio_core`], a sans-IO state machine
//! shared with the browser build; this crate is the Rust API and its drivers: tokio natively,
//! and on `wasm32-unknown-unknown` the browser driver of `sio-browser` (web-sys WebSocket and
//! `fetch`, gloo-timers, `spawn_local`), behind the same API. There, listeners and auth
//! providers need not be `Send` (they may hold JavaScript values), the TLS options do not
//! exist, and `ClientBuilder::with_credentials` does (cross-origin cookies for polling).
//!
//! ```no_run
//! use std::time::Duration;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), sio_client::Error> {
//!     let client = sio_client::Client::builder("http://localhost:3000")
//!         .auth(serde_json::json!({ "token": "secret" }))
//!         .build()?;
//!     let socket = client.socket("/");
//!     socket.on("message", |text: String, _ack| println!("got {text}"));
//!     socket.connect().await?;
//!     socket.join("lobby")?;
//!     let answer: String = socket
//!         .timeout(Duration::from_secs(5))
//!         .emit_with_ack("echo", "hello")
//!         .await?;
//!     println!("server answered {answer}");
//!     client.close().await;
//!     Ok(())
//! }
//! ```
//!
//! New here? The [`guide`] walks through a first bot: auth, rooms, typed events with binary
//! fields, acknowledgements both ways, async handlers, shared state, tracing and reconnects.
//!
//! ## In the browser
//!
//! The same code builds for `wasm32-unknown-unknown` and runs on the browser driver (a Leptos,
//! Yew or Dioxus app adds this one dependency). There is no tokio: start it from
//! `wasm_bindgen_futures::spawn_local` or any async context of the page, and listeners may
//! capture `Rc`s and JavaScript values (nothing needs `Send`):
//!
//! ```ignore
//! wasm_bindgen_futures::spawn_local(async move {
//!     let client = sio_client::Client::builder("https://chat.example.com")
//!         .with_credentials(true) // cookies on cross-origin long-polling requests
//!         .build()
//!         .expect("valid options");
//!     let socket = client.socket("/");
//!     let messages = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
//!     let log = messages.clone();
//!     socket.on("chat", move |text: String, _ack| log.borrow_mut().push(text));
//!     socket.connect().await.expect("connected");
//!     let echoed: String = socket.emit_with_ack("echo", "hi").await.expect("acked");
//! });
//! ```
//!
//! ## How it runs
//!
//! A [`Client`] is one connection, driven by one task (see the `driver` module's docs in the
//! repository, `docs/architecture.md`): handles ([`Client`], [`Socket`], [`Emitter`]) queue
//! commands in call order; the task feeds them to the core with the network's inputs and the
//! core's deadlines, performs the I/O the core asks for, and hands events to listeners and
//! [`EventStream`]s. Arguments are serde values on serde_json ([`payload`]).

// In the browser the handles share `Arc`s of values that are not `Send` (listeners may hold
// JavaScript values): one thread, one API with the native build.
#![cfg_attr(target_arch = "wasm32", allow(clippy::arc_with_non_send_sync))]

mod auth;
mod builder;
mod by_name;
mod client;
mod command;
mod connected;
mod driver;
mod emit;
mod error;
mod event;
pub mod guide;
mod ids;
mod listener;
mod maybe_send;
pub mod payload;
mod registry;
mod rt;
mod shared;
mod snapshot;
mod socket;
mod stream;
#[cfg(not(target_arch = "wasm32"))]
mod transport;

pub use auth::AuthProvider;
pub use builder::{ClientBuilder, DEFAULT_INBOUND_BUFFER};
pub use client::{Client, CloseFuture};
pub use emit::{AckFuture, AckReply, ConnectFuture, Emitter, DEFAULT_ACK_TIMEOUT};
pub use error::{ConnectError, Error};
pub use event::{AckResponder, ClientEvent, Connected, ListenerError, Message, SocketEvent};
pub use ids::ListenerId;
pub use maybe_send::{MaybeSend, MaybeSync};
pub use socket::Socket;
pub use stream::EventStream;

pub use sio_core::{AckError, DisconnectReason, OpenError, Parser, Payload, Transports};
