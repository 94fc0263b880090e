//! # A first bot, step by step
//!
//! This guide builds a small bot against a Socket.IO server. The complete program is
//! `examples/first-bot/src/main.rs` in the repository (`cargo run -p first-bot --
//! http://localhost:3000`, with `node tests/server/server.js --port 3000 --no-stdin` running);
//! the bundled test server has every event it uses.
//!
//! ## 1. Dependencies
//!
//! ```toml
//! [dependencies]
//! sio-client = "0.1"
//! tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
//! serde = { version = "1", features = ["derive"] }
//! serde_json = "1"
//! bytes = { version = "1", features = ["serde"] }   # binary fields
//! tracing-subscriber = "0.3"                         # optional: logs
//! ```
//!
//! ## 2. Connect, with auth
//!
//! A [`Client`](crate::Client) is one connection; [`Client::socket`](crate::Client::socket)
//! gives the socket of a namespace. `connect()` starts connecting at once and resolves with the
//! first outcome; a refusal by the server is [`Error::Connect`](crate::Error::Connect) with the
//! server's `message` and `data`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), sio_client::Error> {
//! let client = sio_client::Client::builder("http://localhost:3000")
//!     .auth(serde_json::json!({ "token": "secret" }))
//!     .build()?;
//! let socket = client.socket("/guarded");
//! match socket.connect().await {
//!     Ok(connected) => println!("connected as {}", connected.id),
//!     Err(e) if e.is_rejection() => return Err(e), // wrong token: retrying will not help
//!     Err(e) => println!("not yet ({e}); the client keeps retrying"),
//! }
//! # Ok(()) }
//! ```
//!
//! A token that changes goes in an [`auth_provider`](crate::ClientBuilder::auth_provider),
//! asked before every (re)connect.
//!
//! ## 3. Rooms
//!
//! Rooms live on the server; [`Socket::join`](crate::Socket::join) emits the `join` event (the
//! server must handle it) and re-joins by itself after every reconnect that did not recover the
//! session.
//!
//! ```no_run
//! # fn demo(socket: sio_client::Socket) -> Result<(), sio_client::Error> {
//! socket.join("lobby")?;
//! # Ok(()) }
//! ```
//!
//! ## 4. A typed event with a binary field
//!
//! Arguments are serde types. A tuple is the whole argument list, `()` none, anything else one
//! argument. Binary fields are [`bytes::Bytes`] (or `serde_bytes`): they travel as Socket.IO
//! attachments, not as arrays of numbers.
//!
//! ```no_run
//! use bytes::Bytes;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, Serialize, Deserialize)]
//! struct Photo {
//!     caption: String,
//!     jpeg: Bytes,
//! }
//!
//! # fn demo(socket: sio_client::Socket) -> Result<(), sio_client::Error> {
//! socket.on("photo", |photo: Photo, _ack| {
//!     println!("{}: {} bytes", photo.caption, photo.jpeg.len());
//! });
//! socket.emit("photo", Photo { caption: "cat".into(), jpeg: Bytes::from_static(b"\xff\xd8") })?;
//! # Ok(()) }
//! ```
//!
//! If an event's arguments do not fit the listener's type, the listener is not called and the
//! socket reports [`SocketEvent::ListenerError`](crate::SocketEvent::ListenerError) with serde's
//! message (see [`Socket::on_listener_error`](crate::Socket::on_listener_error)).
//!
//! ## 5. Answering the server's acknowledgement requests
//!
//! When the server emits with a callback, the listener gets an
//! [`AckResponder`](crate::AckResponder); the answer goes out once.
//!
//! ```no_run
//! # fn demo(socket: sio_client::Socket) {
//! socket.on("question", |(a, b): (i64, i64), ack| {
//!     if let Some(ack) = ack {
//!         let _ = ack.send(a + b);
//!     }
//! });
//! # }
//! ```
//!
//! ## 6. Acknowledgements of your emits, with a timeout
//!
//! [`emit_with_ack`](crate::Socket::emit_with_ack) sends now and returns an
//! [`AckFuture`](crate::AckFuture); name the type you expect (or `()` to ignore the arguments).
//! Without a timeout of your own, the client's `ack_timeout`, else 30 s, applies.
//!
//! ```no_run
//! # async fn demo(socket: sio_client::Socket) -> Result<(), sio_client::Error> {
//! use std::time::Duration;
//! let echoed: String = socket
//!     .timeout(Duration::from_secs(2))
//!     .emit_with_ack("echo", "hello")
//!     .await?;
//! match socket.emit_with_ack::<serde_json::Value>("slow", ()).await {
//!     Err(sio_client::Error::Ack(sio_client::AckError::Timeout)) => println!("no answer in time"),
//!     other => println!("{other:?}"),
//! }
//! # Ok(()) }
//! ```
//!
//! ## 7. Async handlers, and shared state behind `Arc`
//!
//! [`on_async`](crate::Socket::on_async) runs each call as its own task, so a handler can emit
//! and await. State shared by handlers lives behind an `Arc` (with a `Mutex` for what changes).
//!
//! ```no_run
//! use std::sync::{Arc, Mutex};
//!
//! # fn demo(socket: sio_client::Socket) {
//! let seen = Arc::new(Mutex::new(Vec::<String>::new()));
//! let (me, log) = (socket.clone(), seen.clone());
//! socket.on_async("chat", move |text: String, _ack| {
//!     let (socket, log) = (me.clone(), log.clone());
//!     async move {
//!         log.lock().unwrap().push(text.clone());
//!         let reply: Result<String, _> = socket.emit_with_ack("echo", format!("you said {text}")).await;
//!         println!("{reply:?}");
//!     }
//! });
//! # }
//! ```
//!
//! ## 8. Logs
//!
//! The client logs through `tracing` (target `sio_client`, with a span per connection):
//!
//! ```no_run
//! tracing_subscriber::fmt().with_env_filter("sio_client=debug").init();
//! ```
//!
//! ## 9. Reconnects
//!
//! The client reconnects by itself (backoff 1 s doubling to 5 s, with jitter). Connection-level
//! events are on the client (socket.io-client's `socket.io.on(...)`), namespace events on the
//! socket; both are also [streams](crate::EventStream).
//!
//! ```no_run
//! # async fn demo(client: sio_client::Client, socket: sio_client::Socket) {
//! use sio_client::{ClientEvent, SocketEvent};
//! client.on_event(|event| match event {
//!     ClientEvent::ReconnectAttempt(n) => println!("reconnecting, attempt {n}"),
//!     ClientEvent::Reconnect(n) => println!("back after {n} attempts"),
//!     _ => {}
//! });
//! let mut events = socket.events();
//! while let Some(event) = events.next().await {
//!     if let SocketEvent::Disconnect(reason) = event {
//!         println!("lost ({reason}); back by itself: {}", reason.reconnects());
//!     }
//! }
//! # }
//! ```
//!
//! Rooms joined with `join` are re-joined before buffered emits are flushed and before `connect`
//! is reported; with connection state recovery on the server, a recovered session keeps its rooms
//! and receives the events it missed ([`Connected::recovered`](crate::Connected::recovered)).
