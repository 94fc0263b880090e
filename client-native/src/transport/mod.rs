//! The network half of the native driver: performs sio-core's [`TransportCommand`]s and turns
//! what happens on the network into [`TransportInput`]s.
//!
//! [`Transports`] belongs to one connection's driver task and is driven only from it: the
//! driver calls [`Transports::execute`] for every command the core emits and awaits
//! [`Transports::next_input`] inside its `select!` next to user commands and the core's
//! deadline. Nothing is spawned per transport; all sockets and requests are polled from
//! `next_input`, with one waker: the task's.
//!
//! ```text
//! loop {
//!     select! {
//!         input = transports.next_input() => manager.handle_transport(now(), input),
//!         command = user.recv()           => ...,
//!         _ = sleep_until(deadline)       => manager.handle_timeout(now()),
//!     }
//!     while let Some(command) = manager.poll_transport() { transports.execute(command) }
//! }
//! ```
//!
//! Memory: an idle open WebSocket rests: it holds no `WebSocketStream` and so no read buffer
//! (tungstenite's 4 KiB, see [`TransportOptions::ws_read_buffer`], exists only while there is
//! something to read or write; after a frame larger than 64 KiB the socket's `WebSocketStream`
//! is renewed between two messages so that the buffer does not keep that frame's size, see
//! `frames::FrameReads`), no write buffer (writes are gathered by `coalesce::Coalescing` until
//! the next flush, then its buffer is freed), no outbox and no report queue; it keeps the
//! socket and, for `wss://`, the rustls connection (whose receive buffer shrinks back to 4 KiB
//! when idle). A whole idle `ws://` client (driver task, core, shared state, transports)
//! measured about 5 KiB of RSS per connection with 10,000 connections to the reference server
//! (`sio bench --clients 10000`, BENCHMARKS.md). TLS configurations and the HTTP client
//! are shared between connections with equal [`TlsOptions`]; the HTTP client is built only
//! when long-polling is used.

mod coalesce;
mod cookies;
mod frames;
mod polling;
mod proxy;
mod tls;
mod websocket;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use sio_core::{Method, TransportCommand, TransportInput};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use self::cookies::Cookies;
use self::polling::HttpExchange;
use self::proxy::ProxyRules;
use self::tls::TlsProfile;
use self::websocket::{Keep, WebSocket};

pub(crate) use self::proxy::ProxyOptions;
pub use self::tls::TlsOptions;

/// Default capacity of a WebSocket's read buffer.
pub(crate) const DEFAULT_WS_READ_BUFFER: usize = 4096;

/// Default limit of one inbound message or polling response (sio-core's default
/// `max_inbound_bytes`).
pub(crate) const DEFAULT_MAX_MESSAGE_SIZE: usize = 100_000_000;

/// How the transports of one connection behave.
#[derive(Debug, Clone)]
pub(crate) struct TransportOptions {
    /// Which servers are trusted for `wss://` and `https://`.
    pub tls: TlsOptions,
    /// Capacity of each WebSocket's read buffer, allocated while the socket has something to
    /// read or write (an idle socket rests without it; default 4096). Larger buffers read big
    /// messages in fewer calls; smaller values change nothing until the socket first rests,
    /// as tungstenite 0.30 keeps the 4 KiB buffer of the opening handshake.
    pub ws_read_buffer: usize,
    /// Largest inbound WebSocket message or frame, and largest polling response body, in
    /// bytes (default 100 MB; set it from `sio_core::Config::max_inbound_bytes`).
    pub max_message_size: usize,
    /// Limit for each whole polling request, response body included. A GET waits up to the
    /// server's `pingInterval` for data, so this must be longer than that (default none).
    pub http_timeout: Option<Duration>,
    /// Keep a cookie jar for the connection, shared by polling and the WebSocket handshake and
    /// kept across reconnects (default `true`, as a browser does for its own site; needed
    /// behind load balancers with cookie stickiness).
    pub cookies: bool,
    /// Which HTTP proxy polling requests and WebSocket tunnels go through (default: the
    /// `HTTP(S)_PROXY`/`NO_PROXY` environment).
    pub proxy: ProxyOptions,
}

impl Default for TransportOptions {
    fn default() -> Self {
        TransportOptions {
            tls: TlsOptions::default(),
            ws_read_buffer: DEFAULT_WS_READ_BUFFER,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            http_timeout: None,
            cookies: true,
            proxy: ProxyOptions::default(),
        }
    }
}

/// Why transports could not be set up (raised by [`Transports::new`], before any I/O).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportSetupError {
    /// An entry of [`TlsOptions::extra_ca_pem`] is not PEM or holds no certificate.
    #[error("extra CA certificate #{index} is not valid PEM: {reason}")]
    InvalidCaPem {
        /// Position in `extra_ca_pem`.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A certificate in [`TlsOptions::extra_ca_pem`] cannot be used as a trusted root.
    #[error("extra CA certificate #{index} is not a usable root certificate: {reason}")]
    InvalidCaCertificate {
        /// Position in `extra_ca_pem`.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// No root would be trusted: webpki roots are off and no extra CA was given.
    #[error(
        "no trusted TLS root certificates: the webpki roots are disabled and no extra CA \
         certificate was given"
    )]
    NoTrustedRoots,
    /// rustls refused the configuration.
    #[error("TLS configuration failed: {0}")]
    Tls(String),
    /// The proxy URL given to the builder cannot be used.
    #[error("invalid proxy {url}: {reason}")]
    InvalidProxy {
        /// The URL, without credentials.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// All transports of one client connection: its WebSockets (two at once during an upgrade
/// probe) and the HTTP requests of its polling transports.
pub(crate) struct Transports {
    tls: Arc<TlsProfile>,
    ws_config: WebSocketConfig,
    max_message_size: usize,
    http_timeout: Option<Duration>,
    /// The HTTP client, taken from the TLS profile on the first polling request.
    http: Option<Arc<reqwest::Client>>,
    /// The connection's cookie jar (`None` when cookies are off).
    cookies: Option<Cookies>,
    /// Which proxy each URL goes through.
    proxy: Arc<ProxyRules>,
    websockets: Vec<WebSocket>,
    requests: Vec<HttpExchange>,
    /// Reports produced but not yet returned by `next_input` (kept here so a cancelled
    /// `next_input` loses nothing).
    ready: VecDeque<TransportInput>,
}

impl std::fmt::Debug for Transports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transports")
            .field("websockets", &self.websockets.len())
            .field("requests", &self.requests.len())
            .field("ready", &self.ready.len())
            .finish_non_exhaustive()
    }
}

impl Transports {
    /// Prepares the transports of one connection: validates the TLS options and takes the
    /// process-wide TLS configuration for them (built here the first time). The HTTP client is
    /// built on the first polling request.
    pub(crate) fn new(options: TransportOptions) -> Result<Self, TransportSetupError> {
        let tls = TlsProfile::shared(&options.tls)?;
        options.proxy.validate()?;
        let proxy = ProxyRules::shared(&options.proxy);
        let max = options.max_message_size.max(1);
        let ws_config = WebSocketConfig::default()
            .read_buffer_size(options.ws_read_buffer.max(1))
            .write_buffer_size(0)
            .max_message_size(Some(max))
            .max_frame_size(Some(max));
        Ok(Transports {
            tls,
            ws_config,
            max_message_size: max,
            http_timeout: options.http_timeout,
            http: None,
            cookies: options.cookies.then(Cookies::default),
            proxy,
            websockets: Vec::new(),
            requests: Vec::new(),
            ready: VecDeque::new(),
        })
    }

    /// Starts performing `command`. Never blocks and never fails: failures are reported by
    /// [`next_input`](Self::next_input). The work itself happens while `next_input` is polled.
    ///
    /// - `OpenWebSocket`: connect; report `Opened`, each message as `Frame`, then `Closed` once.
    /// - `Send`: queued and written in order; ignored if the socket is gone (its `Closed` was
    ///   or will be reported).
    /// - `Http`: report `HttpResponse` (any status) or `HttpFailed`.
    /// - `Close`: the WebSocket sends a close frame, best effort, and is dropped; pending GETs
    ///   of that polling transport are abandoned, POSTs may finish. Nothing is reported for
    ///   that transport afterwards, including reports already queued.
    pub(crate) fn execute(&mut self, command: TransportCommand) {
        match command {
            TransportCommand::OpenWebSocket { id, url, headers } => {
                // usually one socket, two during an upgrade probe: no spare slots
                self.websockets.reserve_exact(1);
                let proxy = self.proxy.proxy_for(&url);
                self.websockets.push(WebSocket::connect(
                    id,
                    websocket::Opening {
                        url,
                        headers,
                        tls: self.tls.config.clone(),
                        config: self.ws_config,
                        cookies: self.cookies.clone(),
                        proxy,
                    },
                ));
            }
            TransportCommand::Send { id, frame } => {
                if let Some(ws) = self.websockets.iter_mut().find(|ws| ws.id == id) {
                    ws.send(frame);
                }
            }
            TransportCommand::Http { id, request } => match self.http_client() {
                Ok(client) => {
                    let context = polling::RequestContext {
                        max_body: self.max_message_size,
                        timeout: self.http_timeout,
                        cookies: self.cookies.clone(),
                        proxy: self.proxy.proxy_for(&request.url),
                    };
                    self.requests
                        .push(HttpExchange::start(client, id, request, context));
                }
                Err(error) => self.ready.push_back(TransportInput::HttpFailed {
                    id,
                    request: request.id,
                    error,
                }),
            },
            TransportCommand::Close { id } => {
                self.websockets
                    .retain_mut(|ws| ws.id != id || ws.close() == Keep::Yes);
                // dropping a GET abandons it; a POST may still deliver its packets
                self.requests
                    .retain(|r| r.id != id || r.method != Method::Get);
                for request in self.requests.iter_mut().filter(|r| r.id == id) {
                    request.report = false;
                }
                self.ready.retain(|input| input.transport() != id);
            }
        }
    }

    /// The HTTP client for polling requests, taken on first use.
    fn http_client(&mut self) -> Result<reqwest::Client, String> {
        if let Some(client) = &self.http {
            return Ok(reqwest::Client::clone(client));
        }
        let client = self.tls.http_client(self.proxy.options())?;
        let handle = reqwest::Client::clone(&client);
        self.http = Some(client);
        Ok(handle)
    }

    /// The next network event. Cancel-safe: a report produced while the returned future is
    /// dropped unfinished is kept for the next call. Pends forever while nothing is open or in
    /// flight (new work arrives only through [`execute`](Self::execute), which the driver
    /// calls between two `next_input` calls).
    pub(crate) async fn next_input(&mut self) -> TransportInput {
        poll_fn(|cx| self.poll_next_input(cx)).await
    }

    /// `true` when no WebSocket is connecting, open or closing, no request is in flight and
    /// no report is waiting. A driver that is shutting down can await `next_input` (with a
    /// timeout) until this holds, so the last close frames and POSTs get out.
    pub(crate) fn is_idle(&self) -> bool {
        self.websockets.is_empty() && self.requests.is_empty() && self.ready.is_empty()
    }

    /// How many WebSockets are open and resting (idle, without a `WebSocketStream`).
    #[cfg(test)]
    pub(crate) fn resting_websockets(&self) -> usize {
        self.websockets.iter().filter(|ws| ws.is_resting()).count()
    }

    /// Polls every socket and request once (registering the task's waker with each), queues
    /// what they report and returns the oldest report.
    fn poll_next_input(&mut self, cx: &mut Context<'_>) -> Poll<TransportInput> {
        if let Some(input) = self.ready.pop_front() {
            return Poll::Ready(input);
        }
        if self.ready.capacity() > 0 {
            // an idle connection keeps no report queue
            self.ready = VecDeque::new();
        }
        let ready = &mut self.ready;
        self.websockets
            .retain_mut(|ws| ws.poll(cx, ready) == Keep::Yes);
        self.requests.retain_mut(|request| match request.poll(cx) {
            Poll::Pending => true,
            Poll::Ready(input) => {
                if request.report {
                    ready.push_back(input);
                }
                false
            }
        });
        match self.ready.pop_front() {
            Some(input) => Poll::Ready(input),
            None => Poll::Pending,
        }
    }
}
