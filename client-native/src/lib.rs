//! # sio-client: a Socket.IO v4 client for tokio
//!
//! WebSocket and HTTP long-polling (with the upgrade between them) over rustls, namespaces
//! multiplexed on one connection, acknowledgements in both directions with timeouts, an
//! offline send buffer, retries, connection state recovery, and rooms that are re-joined by
//! themselves after a reconnect. The protocol lives in [`sio_core`], a sans-IO state machine
//! shared with the browser package; this crate is its tokio driver.
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
//! Arguments are serde values: a tuple or `Vec` is the argument list, any other value is one
//! argument, `()` is none; bytes (`serde_bytes`, `bytes::Bytes`) travel as binary attachments.

mod builder;
mod client;
mod driver;
mod error;
mod event;
pub mod serde_value;
mod shared;
mod socket;
mod stream;
mod transport;

pub use builder::{AuthProvider, ClientBuilder};
pub use client::Client;
pub use error::Error;
pub use event::{AckResponder, ClientEvent, Connected, Message, SocketEvent};
pub use shared::ListenerId;
pub use socket::{Emitter, Socket, DEFAULT_ACK_TIMEOUT};
pub use stream::EventStream;

pub use sio_core::{
    AckError, ConnectError, DisconnectReason, OpenError, Parser, Payload, Transports, Value,
};
