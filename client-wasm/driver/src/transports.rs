//! [`Transports`]: every WebSocket and polling request of one client connection.

use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Context, Poll};

use sio_core::{Method, TransportCommand, TransportInput};
use web_sys::RequestCredentials;

use crate::http::HttpExchange;
use crate::inbox::Inbox;
use crate::websocket::WebSocket;

/// Default limit of one polling response body (sio-core's default `max_inbound_bytes`).
const DEFAULT_MAX_BODY: usize = 100_000_000;

/// How the transports of one connection behave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserOptions {
    /// Send cookies and HTTP authentication with cross-origin polling requests (`fetch`'s
    /// `credentials: "include"`; socket.io-client's `withCredentials`). The server must answer
    /// with `Access-Control-Allow-Credentials: true` and an explicit origin. Default false
    /// (`"same-origin"`). WebSockets always send the cookies of their host.
    pub with_credentials: bool,
    /// Largest polling response body accepted, in bytes (default 100 MB; set it from
    /// `sio_core::Config::max_inbound_bytes`). WebSocket messages are limited by the core.
    pub max_message_size: usize,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        Self {
            with_credentials: false,
            max_message_size: DEFAULT_MAX_BODY,
        }
    }
}

/// All transports of one client connection: its WebSockets (two at once during an upgrade
/// probe) and the HTTP requests of its polling transports.
///
/// Driven like sio-client's native transports: [`execute`](Self::execute) every command the
/// core emits, await [`next_input`](Self::next_input) next to user commands and the core's
/// deadline. WebSocket events arrive through callbacks that only queue an input; requests
/// are futures polled from `next_input`.
pub struct Transports {
    inbox: Rc<Inbox>,
    websockets: Vec<WebSocket>,
    requests: Vec<HttpExchange>,
    credentials: RequestCredentials,
    max_body: usize,
}

impl std::fmt::Debug for Transports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transports")
            .field("websockets", &self.websockets.len())
            .field("requests", &self.requests.len())
            .finish_non_exhaustive()
    }
}

impl Transports {
    /// The transports of one connection (nothing is opened until the core asks).
    pub fn new(options: BrowserOptions) -> Self {
        Self {
            inbox: Rc::default(),
            websockets: Vec::new(),
            requests: Vec::new(),
            credentials: if options.with_credentials {
                RequestCredentials::Include
            } else {
                RequestCredentials::SameOrigin
            },
            max_body: options.max_message_size.max(1),
        }
    }

    /// Starts performing `command`. Never blocks and never fails: failures are reported by
    /// [`next_input`](Self::next_input).
    ///
    /// - `OpenWebSocket`: report `Opened`, each message as `Frame`, then `Closed` once
    ///   (headers are ignored: browsers cannot set them on a WebSocket).
    /// - `Send`: written at once; a refused send reports `Closed`.
    /// - `Http`: report `HttpResponse` (any status) or `HttpFailed`.
    /// - `Close`: the WebSocket is closed and its handlers removed; the GETs of that polling
    ///   transport are aborted, its POSTs may finish. Nothing is reported for that transport
    ///   afterwards, including reports already queued.
    pub fn execute(&mut self, command: TransportCommand) {
        match command {
            TransportCommand::OpenWebSocket { id, url, .. } => {
                if let Some(ws) = WebSocket::open(id, &url, &self.inbox) {
                    self.websockets.push(ws);
                }
            }
            TransportCommand::Send { id, frame } => {
                let Some(i) = self.websockets.iter().position(|ws| ws.id == id) else {
                    return;
                };
                if let Err(error) = self.websockets[i].send(&frame) {
                    self.websockets.swap_remove(i).close();
                    self.inbox.forget(id);
                    self.inbox.push(TransportInput::Closed {
                        id,
                        error: Some(error),
                    });
                }
            }
            TransportCommand::Http { id, request } => {
                self.requests.push(HttpExchange::start(
                    id,
                    request,
                    self.credentials,
                    self.max_body,
                ));
            }
            TransportCommand::Close { id } => {
                if let Some(i) = self.websockets.iter().position(|ws| ws.id == id) {
                    self.websockets.swap_remove(i).close();
                }
                self.requests.retain(|r| {
                    let abandoned = r.id == id && r.method == Method::Get;
                    if abandoned {
                        r.abort();
                    }
                    !abandoned
                });
                for request in self.requests.iter_mut().filter(|r| r.id == id) {
                    request.report = false;
                }
                self.inbox.forget(id);
            }
        }
    }

    /// The next network event. Cancel-safe: what arrives while no one waits is kept. Pends
    /// while nothing is open or in flight (new work arrives only through
    /// [`execute`](Self::execute)).
    pub async fn next_input(&mut self) -> TransportInput {
        poll_fn(|cx| self.poll_next_input(cx)).await
    }

    /// `true` when no WebSocket is open or connecting, no request is in flight and no report
    /// is waiting.
    pub fn is_idle(&self) -> bool {
        self.websockets.is_empty() && self.requests.is_empty() && self.inbox.is_empty()
    }

    fn poll_next_input(&mut self, cx: &mut Context<'_>) -> Poll<TransportInput> {
        loop {
            let ready = self
                .requests
                .iter_mut()
                .enumerate()
                .find_map(|(i, request)| match request.poll(cx) {
                    Poll::Ready(input) => Some((i, input)),
                    Poll::Pending => None,
                });
            let Some((i, input)) = ready else { break };
            if self.requests.swap_remove(i).report {
                return Poll::Ready(input);
            }
            // a request of a closed transport finished: nothing to report
        }
        match self.inbox.poll_pop(cx) {
            Poll::Ready(input) => {
                if let TransportInput::Closed { id, .. } = &input {
                    // the socket reported its end: drop it (its handlers go with it)
                    if let Some(i) = self.websockets.iter().position(|ws| ws.id == *id) {
                        let ws = self.websockets.swap_remove(i);
                        ws.detach();
                    }
                }
                Poll::Ready(input)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for Transports {
    fn drop(&mut self) {
        for ws in self.websockets.drain(..) {
            ws.close();
        }
        for request in &self.requests {
            if request.method == Method::Get {
                request.abort();
            }
        }
    }
}
