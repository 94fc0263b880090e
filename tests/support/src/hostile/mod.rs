//! A hostile Engine.IO v4 server: raw packets over WebSocket and long-polling, scripted to
//! flood, to send what no well-behaved server sends, or to say nothing at all.
//!
//! It speaks just enough of the protocol to get a client connected (handshake, the `/`
//! namespace's CONNECT reply) and then follows its [`Behaviour`]. It runs on its own thread
//! with its own single-threaded tokio runtime (hyper for HTTP, tokio-tungstenite's
//! handshake helper for the upgrade; frames are written with tungstenite's frame type), so
//! the API is blocking like the rest of this crate. What it produces is made in chunks of
//! at most 64 KiB: a test that measures its own process's memory measures the client.
//!
//! ```no_run
//! use sio_test_support::{Behaviour, HostileServer};
//!
//! let server = HostileServer::builder().behaviour(Behaviour::Flood { ack: false }).start()?;
//! // connect a client to server.url() with either transport, then:
//! let sent = server.stats().messages; // how many events the client let the server send
//! # Ok::<(), std::io::Error>(())
//! ```

mod polling;
mod script;
mod websocket;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use http_body_util::combinators::UnsyncBoxBody;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub use script::{handshake, Behaviour};

/// The response body type of the polling side.
type Body = UnsyncBoxBody<Bytes, io::Error>;

/// What the server has done so far (see [`HostileServer::stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// TCP connections accepted.
    pub connections: u64,
    /// Engine.IO sessions opened (handshakes sent), over either transport.
    pub sessions: u64,
    /// Engine.IO message packets sent in full (a flood's events, scripted packets).
    pub messages: u64,
    /// Payload bytes written (frame payloads and polling bodies).
    pub bytes: u64,
}

#[derive(Debug, Default)]
struct Counters {
    connections: AtomicU64,
    sessions: AtomicU64,
    messages: AtomicU64,
    bytes: AtomicU64,
}

impl Counters {
    fn sent(&self, messages: u64, bytes: usize) {
        self.messages.fetch_add(messages, Ordering::Relaxed);
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

/// Everything a connection's tasks share.
#[derive(Debug)]
struct Shared {
    behaviour: Behaviour,
    handshake: String,
    counters: Counters,
    polling: polling::Sessions,
    /// Flips to `true` when the server stops: every task ends.
    stop: watch::Receiver<bool>,
}

impl Shared {
    /// The OPEN packet.
    fn open_packet(&self) -> Vec<u8> {
        let mut packet = b"0".to_vec();
        packet.extend_from_slice(self.handshake.as_bytes());
        packet
    }

    /// Resolves when the server stops.
    async fn stopped(&self) {
        let mut stop = self.stop.clone();
        let _ = stop.wait_for(|stop| *stop).await;
    }
}

/// Configures a [`HostileServer`].
#[derive(Debug, Clone)]
pub struct HostileServerBuilder {
    behaviour: Behaviour,
    handshake: String,
}

impl HostileServerBuilder {
    /// What the server does after the handshake (default [`Behaviour::Idle`]).
    pub fn behaviour(mut self, behaviour: Behaviour) -> Self {
        self.behaviour = behaviour;
        self
    }

    /// The JSON of the OPEN packet, sent as is, however absurd (default
    /// [`handshake`]`(25000, 20000)`: no upgrades, `maxPayload` 1 MB).
    pub fn handshake(mut self, json: impl Into<String>) -> Self {
        self.handshake = json.into();
        self
    }

    /// Binds `127.0.0.1:0` and starts serving on a thread of its own.
    pub fn start(self) -> io::Result<HostileServer> {
        let std_listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let (stop_tx, stop) = watch::channel(false);
        let shared = Arc::new(Shared {
            behaviour: self.behaviour,
            handshake: self.handshake,
            counters: Counters::default(),
            polling: polling::Sessions::default(),
            stop,
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let serving = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name("hostile-server".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    match TcpListener::from_std(std_listener) {
                        Ok(listener) => accept_loop(listener, serving).await,
                        Err(e) => eprintln!("hostile server: cannot listen: {e}"),
                    }
                });
                // dropping the runtime drops every connection's task
            })?;
        Ok(HostileServer {
            addr,
            shared,
            stop: stop_tx,
            thread: Some(thread),
        })
    }
}

/// A scripted hostile Engine.IO server on `127.0.0.1:<free port>` (see the module docs).
/// Dropping it closes every connection and stops its thread.
#[derive(Debug)]
pub struct HostileServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl HostileServer {
    /// A server to configure; [`HostileServerBuilder::start`] starts it.
    pub fn builder() -> HostileServerBuilder {
        HostileServerBuilder {
            behaviour: Behaviour::Idle,
            handshake: handshake(25_000, 20_000),
        }
    }

    /// Starts a server with the default handshake and `behaviour`.
    pub fn start(behaviour: Behaviour) -> io::Result<HostileServer> {
        HostileServer::builder().behaviour(behaviour).start()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (a client may use WebSocket or polling on it).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the server has sent so far. A flood whose client stopped reading stops growing
    /// here once the TCP buffers are full.
    pub fn stats(&self) -> Stats {
        let c = &self.shared.counters;
        Stats {
            connections: c.connections.load(Ordering::Relaxed),
            sessions: c.sessions.load(Ordering::Relaxed),
            messages: c.messages.load(Ordering::Relaxed),
            bytes: c.bytes.load(Ordering::Relaxed),
        }
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = shared.stopped() => return,
        };
        let Ok((tcp, _)) = accepted else { continue };
        shared.counters.connections.fetch_add(1, Ordering::Relaxed);
        let _ = tcp.set_nodelay(true);
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            tokio::select! {
                () = serve(tcp, Arc::clone(&shared)) => {}
                () = shared.stopped() => {}
            }
        });
    }
}

/// One TCP connection: HTTP (polling requests and WebSocket upgrades), or silence.
async fn serve(mut tcp: TcpStream, shared: Arc<Shared>) {
    if shared.behaviour == Behaviour::Silent {
        // read and forget, never answer
        let mut sink = vec![0u8; 4096];
        while matches!(tcp.read(&mut sink).await, Ok(n) if n > 0) {}
        return;
    }
    let service = hyper::service::service_fn(move |request| {
        let shared = Arc::clone(&shared);
        async move { Ok::<_, io::Error>(route(request, shared).await) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(tcp), service)
        .with_upgrades()
        .await;
}

/// Routes a request: WebSocket upgrade, polling GET or POST, or 400.
async fn route(request: Request<Incoming>, shared: Arc<Shared>) -> Response<Body> {
    let query_text = request.uri().query().unwrap_or("").to_owned();
    let query = Query::parse(&query_text);
    if query.get("EIO") != Some("4") {
        return polling::plain(400, "hostile server: EIO=4 only");
    }
    match query.get("transport") {
        Some("websocket") => websocket::upgrade(request, shared),
        Some("polling") => polling::handle(request, &query, shared).await,
        _ => polling::plain(400, "hostile server: unknown transport"),
    }
}

/// The pairs of a query string (the fixture only reads its own plain values).
struct Query<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Query<'a> {
    fn parse(query: &'a str) -> Self {
        Query(
            query
                .split('&')
                .filter_map(|pair| pair.split_once('='))
                .collect(),
        )
    }

    fn get(&self, key: &str) -> Option<&'a str> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}
