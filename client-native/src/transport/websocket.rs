//! One WebSocket transport: connect (TCP, TLS, HTTP upgrade), then a poll-driven pump that
//! writes queued frames in order, reads messages and answers pings, and a short best-effort
//! close. Everything is driven from [`Transports::next_input`](super::Transports::next_input);
//! nothing is spawned.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{FutureExt, Sink, SinkExt, Stream, StreamExt};
use rustls::ClientConfig;
use rustls_pki_types::ServerName;
use sio_core::engineio::Frame;
use sio_core::{TransportId, TransportInput};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::Sleep;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::TlsError;
use tokio_tungstenite::tungstenite::error::{CapacityError, ProtocolError};
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame as WsFrame;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

use hyper_util::client::proxy::matcher::Intercept;
use tokio_tungstenite::tungstenite::http::HeaderMap;

use super::coalesce::Coalescing;
use super::cookies::Cookies;
use super::frames::FrameReads;
use super::proxy::connect_tunnel;
use super::tls::{describe_tls_eof, describe_tls_error, find_rustls_error};

/// What an open WebSocket is to the pump: a stream of messages and a sink for them, which can
/// be renewed after a large frame and put to rest while idle (see [`FrameReads`]).
trait WsIo:
    Stream<Item = Result<Message, WsError>> + Sink<Message, Error = WsError> + Send + Unpin
{
    /// Right after a message was read: whether tungstenite's read buffer grew for a large
    /// frame and holds no unread byte, so that [`renew`](WsIo::renew) gives it back.
    fn wants_renewal(&self) -> bool;

    /// The same connection in a fresh `WebSocketStream` (a small read buffer). Only right
    /// after a message was read, [`wants_renewal`](WsIo::wants_renewal) held and a flush
    /// completed; `None` (the connection is lost) cannot happen with tokio-tungstenite 0.30.
    fn renew(self: Box<Self>) -> Option<Box<dyn WsIo>>;

    /// Right after a read returned `Pending`: whether tungstenite holds no unread byte and no
    /// partial message, so that [`rest`](WsIo::rest) loses nothing.
    fn at_rest(&self) -> bool;

    /// The connection without its `WebSocketStream` (whose read buffer is most of an idle
    /// connection's memory). Only when [`at_rest`](WsIo::at_rest) held, nothing is queued
    /// and a flush completed.
    fn rest(self: Box<Self>) -> Box<dyn Resting>;
}

/// An idle open WebSocket without its `WebSocketStream`: the byte stream and the
/// configuration to build a fresh one when there is something to read or write.
trait Resting: Send {
    /// `Ready` once the connection has bytes to read, ended or failed (all kept for the
    /// fresh stream's reads); registers the task for the next bytes while `Pending`.
    fn poll_wake(&mut self, cx: &mut Context<'_>) -> Poll<()>;

    /// The connection in a fresh `WebSocketStream`; `None` (the connection is lost) cannot
    /// happen with tokio-tungstenite 0.30.
    fn wake(self: Box<Self>) -> Option<Box<dyn WsIo>>;
}

/// [`Resting`] for a socket over `S`.
struct RestingWs<S> {
    bytes: FrameReads<S>,
    config: WebSocketConfig,
}

/// A `WebSocketStream` over `bytes`, which holds no unread byte of tungstenite's.
fn fresh_stream<S>(mut bytes: FrameReads<S>, config: WebSocketConfig) -> Option<Box<dyn WsIo>>
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    bytes.renewed();
    // (no I/O: the future is ready at once)
    let fresh = WebSocketStream::from_raw_socket(bytes, Role::Client, Some(config));
    let fresh: Box<dyn WsIo> = Box::new(fresh.now_or_never()?);
    Some(fresh)
}

impl<S> WsIo for WebSocketStream<FrameReads<S>>
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    fn wants_renewal(&self) -> bool {
        self.get_ref().wants_renewal()
    }

    fn renew(self: Box<Self>) -> Option<Box<dyn WsIo>> {
        let config = *self.get_config();
        fresh_stream((*self).into_inner(), config)
    }

    fn at_rest(&self) -> bool {
        self.get_ref().at_rest()
    }

    fn rest(self: Box<Self>) -> Box<dyn Resting> {
        let config = *self.get_config();
        Box::new(RestingWs {
            bytes: (*self).into_inner(),
            config,
        })
    }
}

impl<S> Resting for RestingWs<S>
where
    S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    fn poll_wake(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.bytes.poll_probe(cx)
    }

    fn wake(self: Box<Self>) -> Option<Box<dyn WsIo>> {
        fresh_stream(self.bytes, self.config)
    }
}

/// An open WebSocket: `WebSocketStream<FrameReads<Coalescing<TcpStream>>>` for `ws://` and
/// `WebSocketStream<FrameReads<TlsStream<Coalescing<TcpStream>>>>` for `wss://`, boxed, so a
/// plain socket does not carry the space of a rustls connection (~1 KiB) and the table of
/// sockets stays small.
type WsStream = Box<dyn WsIo>;

/// The opening of a WebSocket: TCP connect, TLS, HTTP upgrade. The error is the text for
/// [`TransportInput::Closed`].
type ConnectFuture = Pin<Box<dyn Future<Output = Result<WsStream, String>> + Send>>;

/// At most this many messages are read from one socket per poll, so one busy socket cannot
/// starve the others or grow the ready queue without bound.
const READ_BUDGET: usize = 32;

/// How long a closing socket may take to flush its last frames and finish the close
/// handshake before it is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Outgoing messages larger than this are sent as fragments of this size.
const FRAGMENT_SIZE: usize = 4096;

/// One WebSocket of a client connection.
pub(super) struct WebSocket {
    /// The transport this socket is.
    pub(super) id: TransportId,
    state: State,
    /// Frames accepted by [`send`](Self::send) and not yet handed to the socket, in order.
    outbox: VecDeque<Message>,
    /// Bytes were handed to the socket (a message, or tungstenite's automatic pong) and not
    /// yet flushed.
    flush_pending: bool,
}

/// Where a [`WebSocket`] is in its life.
enum State {
    /// Connecting; `Opened` (or `Closed`) not reported yet.
    Connecting(ConnectFuture),
    /// Open; reading and writing.
    Open(WsStream),
    /// Open and idle: nothing to write, nothing half read; the `WebSocketStream` is dropped
    /// until bytes come or a frame is sent (then `Open` again, with a fresh one).
    Resting(Box<dyn Resting>),
    /// Closed by the core, or by the server after `Closed` was reported: flushing the outbox
    /// and the close frame, then reading until the server hangs up or the grace period ends.
    /// Nothing more is reported.
    Closing {
        stream: WsStream,
        /// Set on the first poll (creating a tokio timer needs the runtime context).
        deadline: Option<Pin<Box<Sleep>>>,
        /// The close frame is written and flushed.
        close_sent: bool,
    },
    /// Finished (or being moved between states).
    Done,
}

/// Whether a polled [`WebSocket`] stays in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Keep {
    /// Still connecting, open or closing.
    Yes,
    /// Finished: drop it.
    No,
}

impl WebSocket {
    /// Starts opening a socket; nothing happens until the first poll.
    pub(super) fn connect(id: TransportId, opening: Opening) -> WebSocket {
        WebSocket {
            id,
            state: State::Connecting(Box::pin(open(opening))),
            outbox: VecDeque::new(),
            flush_pending: false,
        }
    }

    /// Whether the socket is open and resting (its `WebSocketStream` dropped while idle).
    #[cfg(test)]
    pub(super) fn is_resting(&self) -> bool {
        matches!(self.state, State::Resting(_))
    }

    /// Queues `frame`; it is written after the frames queued before it. Ignored once the
    /// socket is closing (its `Closed` was or will be reported).
    pub(super) fn send(&mut self, frame: Frame) {
        if matches!(self.state, State::Closing { .. } | State::Done) {
            return;
        }
        let (data, kind) = match frame {
            Frame::Text(text) if text.len() <= FRAGMENT_SIZE => {
                self.outbox.push_back(Message::Text(text.into()));
                return;
            }
            Frame::Binary(bytes) if bytes.len() <= FRAGMENT_SIZE => {
                self.outbox.push_back(Message::Binary(bytes));
                return;
            }
            Frame::Text(text) => (Bytes::from(text), Data::Text),
            Frame::Binary(bytes) => (bytes, Data::Binary),
        };
        // tungstenite keeps its write buffer as large as the largest frame it wrote: send big
        // messages as fragments (zero-copy slices) so that buffer stays small
        let mut start = 0;
        let mut opcode = OpCode::Data(kind);
        while start < data.len() {
            let end = data.len().min(start + FRAGMENT_SIZE);
            let fragment = WsFrame::message(data.slice(start..end), opcode, end == data.len());
            self.outbox.push_back(Message::Frame(fragment));
            opcode = OpCode::Data(Data::Continue);
            start = end;
        }
    }

    /// The core closed this transport: a connecting socket is dropped at once, an open one
    /// writes what is queued and a close frame, best effort, without reporting anything.
    pub(super) fn close(&mut self) -> Keep {
        let state = match std::mem::replace(&mut self.state, State::Done) {
            State::Resting(resting) => match resting.wake() {
                Some(stream) => State::Open(stream),
                None => return Keep::No,
            },
            state => state,
        };
        match state {
            State::Connecting(_) | State::Done | State::Resting(_) => Keep::No,
            State::Open(stream) => {
                self.state = State::Closing {
                    stream,
                    deadline: None,
                    close_sent: false,
                };
                Keep::Yes
            }
            closing @ State::Closing { .. } => {
                self.state = closing;
                Keep::Yes
            }
        }
    }

    /// Drives the socket; reports go to `out`. The waker of `cx` is registered with every
    /// source that returned `Pending`.
    pub(super) fn poll(
        &mut self,
        cx: &mut Context<'_>,
        out: &mut VecDeque<TransportInput>,
    ) -> Keep {
        loop {
            let step = match &mut self.state {
                State::Done => Step::Stop(Keep::No),
                State::Connecting(_) => self.poll_connecting(cx, out),
                State::Open(_) => self.poll_opened(cx, out),
                State::Resting(_) => self.poll_resting(cx, out),
                State::Closing {
                    stream,
                    deadline,
                    close_sent,
                } => {
                    let deadline =
                        deadline.get_or_insert_with(|| Box::pin(tokio::time::sleep(CLOSE_GRACE)));
                    if deadline.as_mut().poll(cx).is_ready() {
                        return Keep::No;
                    }
                    Step::Stop(poll_closing(
                        stream,
                        &mut self.outbox,
                        &mut self.flush_pending,
                        close_sent,
                        cx,
                    ))
                }
            };
            if let Step::Stop(keep) = step {
                return keep;
            }
        }
    }

    /// [`Self::poll`] while the handshake runs.
    fn poll_connecting(
        &mut self,
        cx: &mut Context<'_>,
        out: &mut VecDeque<TransportInput>,
    ) -> Step {
        let id = self.id;
        let State::Connecting(connecting) = &mut self.state else {
            return Step::Again;
        };
        match connecting.as_mut().poll(cx) {
            Poll::Pending => Step::Stop(Keep::Yes),
            Poll::Ready(Err(error)) => {
                tracing::debug!(?id, %error, "websocket failed to open");
                out.push_back(TransportInput::Closed {
                    id,
                    error: Some(error),
                });
                Step::Stop(Keep::No)
            }
            Poll::Ready(Ok(stream)) => {
                tracing::debug!(?id, "websocket open");
                out.push_back(TransportInput::Opened { id });
                self.state = State::Open(stream);
                Step::Again
            }
        }
    }

    /// [`Self::poll`] while open: reads, writes, and the moves to resting, renewal or closing.
    fn poll_opened(&mut self, cx: &mut Context<'_>, out: &mut VecDeque<TransportInput>) -> Step {
        let id = self.id;
        let State::Open(stream) = &mut self.state else {
            return Step::Again;
        };
        let outcome = poll_open(
            id,
            stream,
            &mut self.outbox,
            &mut self.flush_pending,
            cx,
            out,
        );
        match outcome {
            Ok(OpenOutcome::Open) => Step::Stop(Keep::Yes),
            Ok(OpenOutcome::Quiet) => {
                if !stream.at_rest() {
                    return Step::Stop(Keep::Yes);
                }
                let State::Open(stream) = std::mem::replace(&mut self.state, State::Done) else {
                    return Step::Stop(Keep::No);
                };
                // (polled next, so the task waits for the connection's next bytes)
                self.state = State::Resting(stream.rest());
                Step::Again
            }
            Ok(OpenOutcome::Renew) => {
                let State::Open(stream) = std::mem::replace(&mut self.state, State::Done) else {
                    return Step::Stop(Keep::No);
                };
                let Some(stream) = stream.renew() else {
                    out.push_back(TransportInput::Closed {
                        id,
                        error: Some("websocket could not be renewed".into()),
                    });
                    return Step::Stop(Keep::No);
                };
                tracing::trace!(?id, "websocket renewed after a large frame");
                self.state = State::Open(stream);
                Step::Again
            }
            Ok(OpenOutcome::Ended) => Step::Stop(Keep::No),
            Ok(OpenOutcome::ClosedByServer) => {
                // nothing may be sent after the server's close frame; answer it
                // (tungstenite queued the reply) and wait for the server to hang up
                self.outbox = VecDeque::new();
                if self.close() == Keep::No {
                    return Step::Stop(Keep::No);
                }
                Step::Again
            }
            Err(error) => {
                let error = describe_runtime_error(&error);
                tracing::debug!(?id, ?error, "websocket closed");
                out.push_back(TransportInput::Closed { id, error });
                Step::Stop(Keep::No)
            }
        }
    }

    /// [`Self::poll`] while resting: wakes into a fresh stream when bytes come or a frame
    /// waits to be sent.
    fn poll_resting(&mut self, cx: &mut Context<'_>, out: &mut VecDeque<TransportInput>) -> Step {
        let State::Resting(resting) = &mut self.state else {
            return Step::Again;
        };
        if self.outbox.is_empty() && resting.poll_wake(cx).is_pending() {
            return Step::Stop(Keep::Yes);
        }
        let State::Resting(resting) = std::mem::replace(&mut self.state, State::Done) else {
            return Step::Stop(Keep::No);
        };
        let Some(stream) = resting.wake() else {
            out.push_back(TransportInput::Closed {
                id: self.id,
                error: Some("websocket could not be woken".into()),
            });
            return Step::Stop(Keep::No);
        };
        self.state = State::Open(stream);
        Step::Again
    }
}

/// What one state's poll asks of [`WebSocket::poll`]'s loop.
enum Step {
    /// Return this.
    Stop(Keep),
    /// The state changed: poll the new one.
    Again,
}

/// What [`poll_open`] saw.
enum OpenOutcome {
    /// Still open, with more to do soon (a flush or a write waits, or the read budget ran out).
    Open,
    /// Still open and quiet: nothing queued or unflushed, and reading returned `Pending`.
    Quiet,
    /// The server closed the connection (close frame; `Closed` reported).
    ClosedByServer,
    /// The stream ended (EOF; `Closed` reported).
    Ended,
    /// A message was read after a large frame and everything is flushed: renew the stream
    /// (its read buffer is the size of that frame), then go on polling.
    Renew,
}

/// Writes the outbox, reads up to [`READ_BUDGET`] messages, flushes pongs.
fn poll_open(
    id: TransportId,
    stream: &mut WsStream,
    outbox: &mut VecDeque<Message>,
    flush_pending: &mut bool,
    cx: &mut Context<'_>,
    out: &mut VecDeque<TransportInput>,
) -> Result<OpenOutcome, WsError> {
    write_outbox(stream, outbox, flush_pending, cx)?;
    let mut budget = READ_BUDGET;
    let read_all = loop {
        if budget == 0 {
            // more may be buffered: make sure we are polled again
            cx.waker().wake_by_ref();
            break false;
        }
        budget -= 1;
        match stream.poll_next_unpin(cx) {
            Poll::Pending => break true,
            Poll::Ready(None) => {
                out.push_back(TransportInput::Closed { id, error: None });
                return Ok(OpenOutcome::Ended);
            }
            Poll::Ready(Some(Err(error))) => return Err(error),
            Poll::Ready(Some(Ok(message))) => {
                match message {
                    Message::Text(text) => out.push_back(TransportInput::Frame {
                        id,
                        frame: Frame::Text(text.as_str().to_owned()),
                    }),
                    Message::Binary(bytes) => out.push_back(TransportInput::Frame {
                        id,
                        frame: Frame::Binary(bytes),
                    }),
                    // tungstenite queued the pong; it goes out with the next flush
                    Message::Ping(_) => *flush_pending = true,
                    Message::Pong(_) | Message::Frame(_) => {}
                    Message::Close(frame) => {
                        let error = close_frame_error(frame.as_ref());
                        tracing::debug!(?id, ?frame, "websocket closed by the server");
                        out.push_back(TransportInput::Closed { id, error });
                        return Ok(OpenOutcome::ClosedByServer);
                    }
                }
                // between two messages, before reading on: the only moment tungstenite's
                // buffer can be known to be empty
                if stream.wants_renewal() {
                    if let Poll::Ready(result) = stream.poll_flush_unpin(cx) {
                        result?;
                        *flush_pending = false;
                        return Ok(OpenOutcome::Renew);
                    }
                }
            }
        }
    };
    if *flush_pending {
        if let Poll::Ready(result) = stream.poll_flush_unpin(cx) {
            result?;
            *flush_pending = false;
        }
    }
    if read_all && outbox.is_empty() && !*flush_pending {
        Ok(OpenOutcome::Quiet)
    } else {
        Ok(OpenOutcome::Open)
    }
}

/// Hands queued messages to the socket while it accepts them, then flushes.
fn write_outbox(
    stream: &mut WsStream,
    outbox: &mut VecDeque<Message>,
    flush_pending: &mut bool,
    cx: &mut Context<'_>,
) -> Result<(), WsError> {
    while !outbox.is_empty() {
        match stream.poll_ready_unpin(cx) {
            Poll::Pending => return Ok(()),
            Poll::Ready(result) => result?,
        }
        let Some(message) = outbox.pop_front() else {
            break;
        };
        stream.start_send_unpin(message)?;
        *flush_pending = true;
    }
    if outbox.is_empty() && outbox.capacity() > 0 {
        // an idle connection keeps no outbox
        *outbox = VecDeque::new();
    }
    if *flush_pending {
        if let Poll::Ready(result) = stream.poll_flush_unpin(cx) {
            result?;
            *flush_pending = false;
        }
    }
    Ok(())
}

/// Flushes the outbox, sends the close frame, then reads (and discards) until the server
/// hangs up. Any error ends it: the close is best effort.
fn poll_closing(
    stream: &mut WsStream,
    outbox: &mut VecDeque<Message>,
    flush_pending: &mut bool,
    close_sent: &mut bool,
    cx: &mut Context<'_>,
) -> Keep {
    if !*close_sent {
        if write_outbox(stream, outbox, flush_pending, cx).is_err() {
            return Keep::No;
        }
        if !outbox.is_empty() {
            return Keep::Yes;
        }
        match stream.poll_close_unpin(cx) {
            Poll::Pending => return Keep::Yes,
            Poll::Ready(Err(_)) => return Keep::No,
            Poll::Ready(Ok(())) => *close_sent = true,
        }
    }
    for _ in 0..READ_BUDGET {
        match stream.poll_next_unpin(cx) {
            Poll::Pending => return Keep::Yes,
            Poll::Ready(None | Some(Err(_))) => return Keep::No,
            Poll::Ready(Some(Ok(_))) => {}
        }
    }
    cx.waker().wake_by_ref();
    Keep::Yes
}

/// A close frame's report: `None` for a normal close (or none given), else its code and reason.
fn close_frame_error(frame: Option<&CloseFrame>) -> Option<String> {
    let frame = frame?;
    match frame.code {
        CloseCode::Normal | CloseCode::Away | CloseCode::Status => None,
        code => Some(if frame.reason.is_empty() {
            format!("websocket closed by the server with code {code}")
        } else {
            format!(
                "websocket closed by the server with code {code}: {}",
                frame.reason.as_str()
            )
        }),
    }
}

/// The report for an error on an open socket; `None` when it is an orderly end.
fn describe_runtime_error(error: &WsError) -> Option<String> {
    match error {
        WsError::ConnectionClosed
        | WsError::AlreadyClosed
        | WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => None,
        WsError::Capacity(CapacityError::MessageTooLong { size, max_size }) => Some(format!(
            "websocket message of {size} bytes exceeds the limit of {max_size} bytes"
        )),
        WsError::Io(io) => Some(match find_rustls_error(io) {
            Some(tls) => describe_tls_error("the server", tls),
            None => format!("websocket connection lost: {io}"),
        }),
        other => Some(format!("websocket error: {other}")),
    }
}

/// Everything needed to open one WebSocket.
pub(super) struct Opening {
    /// `ws://` or `wss://` URL.
    pub(super) url: String,
    /// Extra handshake headers.
    pub(super) headers: Vec<(String, String)>,
    /// TLS configuration for `wss://`.
    pub(super) tls: Arc<ClientConfig>,
    /// tungstenite's limits and buffers.
    pub(super) config: WebSocketConfig,
    /// The connection's cookie jar: sent with the upgrade request, updated from the answer.
    pub(super) cookies: Option<Cookies>,
    /// The HTTP proxy to tunnel through (CONNECT), if one applies to `url`.
    pub(super) proxy: Option<Intercept>,
}

/// Opens a WebSocket: builds the request with `headers` and cookies, connects TCP (directly
/// or through a proxy's CONNECT tunnel), wraps it in TLS for `wss://`, performs the HTTP
/// upgrade and keeps the cookies it sets. Errors are sentences naming the failed step.
async fn open(opening: Opening) -> Result<WsStream, String> {
    let Opening {
        url,
        headers,
        tls,
        config,
        cookies,
        proxy,
    } = opening;
    // messages name the URL without its query, which may carry tokens
    let shown = url.split(['?', '#']).next().unwrap_or_default();
    let request = upgrade_request(&url, shown, headers, cookies.as_ref())?;
    let uri = request.uri();
    let secure = match uri.scheme_str() {
        Some("wss") => true,
        Some("ws") => false,
        _ => {
            return Err(format!(
                "invalid websocket URL {shown}: the scheme must be ws or wss"
            ))
        }
    };
    let Some(host) = uri.host() else {
        return Err(format!("invalid websocket URL {shown}: no host"));
    };
    let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
    let authority = format!("{host}:{port}");
    let bare_host = host.trim_start_matches('[').trim_end_matches(']');
    let tcp = match &proxy {
        Some(proxy) => connect_tunnel(proxy, bare_host, port).await?,
        None => TcpStream::connect((bare_host, port))
            .await
            .map_err(|e| format!("could not connect to {authority}: {e}"))?,
    };
    // Engine.IO messages are small and latency-bound
    let _ = tcp.set_nodelay(true);
    // a burst of messages leaves in one write; nothing is buffered while idle
    let tcp = Coalescing::new(tcp);
    // a rejected upgrade's cookies count too (a balancer re-dispatching sets a new one)
    let keep_cookies = |headers: &HeaderMap| {
        if let Some(cookies) = &cookies {
            cookies.store(&url, headers);
        }
    };
    let describe = |e: WsError| {
        if let WsError::Http(response) = &e {
            keep_cookies(response.headers());
        }
        describe_open_error(&e, secure, &authority)
    };
    // TLS here rather than in tokio-tungstenite, so that FrameReads sees the frames
    if secure {
        let name = ServerName::try_from(bare_host.to_owned())
            .map_err(|_| describe(WsError::Tls(TlsError::InvalidDnsName)))?;
        let tls = tokio_rustls::TlsConnector::from(tls)
            .connect(name, tcp)
            .await
            .map_err(|e| describe(WsError::Io(e)))?;
        upgrade(request, tls, config, describe, keep_cookies).await
    } else {
        upgrade(request, tcp, config, describe, keep_cookies).await
    }
}

/// The HTTP upgrade over `stream` (plain TCP or TLS); the response's cookies are kept.
async fn upgrade<S>(
    request: Request,
    stream: S,
    config: WebSocketConfig,
    describe: impl Fn(WsError) -> String,
    keep_cookies: impl Fn(&HeaderMap),
) -> Result<WsStream, String>
where
    S: AsyncRead + AsyncWrite + Unpin,
    WebSocketStream<FrameReads<S>>: WsIo + 'static,
{
    let (stream, response) =
        tokio_tungstenite::client_async_with_config(request, FrameReads::new(stream), Some(config))
            .await
            .map_err(describe)?;
    keep_cookies(response.headers());
    Ok(Box::new(stream))
}

/// The HTTP upgrade request for `url`: the user's headers and the jar's cookies on it.
fn upgrade_request(
    url: &str,
    shown: &str,
    headers: Vec<(String, String)>,
    cookies: Option<&Cookies>,
) -> Result<Request, String> {
    let mut request = url
        .into_client_request()
        .map_err(|e| format!("invalid websocket URL {shown}: {e}"))?;
    for (name, value) in headers {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("invalid websocket header name {name:?}"))?;
        let value = HeaderValue::from_str(&value)
            .map_err(|_| format!("invalid value for websocket header {name:?}"))?;
        request.headers_mut().append(header, value);
    }
    if let Some(cookies) = cookies {
        cookies.apply(url, request.headers_mut());
    }
    Ok(request)
}

/// The report for a failed TLS handshake or HTTP upgrade.
fn describe_open_error(error: &WsError, secure: bool, authority: &str) -> String {
    match error {
        WsError::Http(response) => {
            let status = response.status();
            let mut text = format!(
                "websocket upgrade rejected by {authority}: HTTP {} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            );
            if let Some(body) = response.body().as_deref().filter(|b| !b.is_empty()) {
                let snippet = String::from_utf8_lossy(&body[..body.len().min(200)]);
                text.push_str(": ");
                text.push_str(snippet.trim());
            }
            text.trim_end().to_owned()
        }
        WsError::Io(io) => match find_rustls_error(io) {
            Some(tls) => describe_tls_error(authority, tls),
            None if secure && io.kind() == std::io::ErrorKind::UnexpectedEof => {
                describe_tls_eof(authority, io)
            }
            None if secure => format!("TLS or websocket handshake with {authority} failed: {io}"),
            None => format!("websocket handshake with {authority} failed: {io}"),
        },
        WsError::Tls(tls) => format!("TLS problem with {authority}: {tls}"),
        WsError::Protocol(ProtocolError::HandshakeIncomplete) => format!(
            "websocket handshake with {authority} failed: the server closed the connection \
             without answering the upgrade request"
        ),
        other => format!("websocket handshake with {authority} failed: {other}"),
    }
}
