//! Emitting: [`Emitter`] (per-emit options), and the futures that wait for outcomes,
//! [`AckFuture`] and [`ConnectFuture`].
//!
//! Every emit is queued **when it is called**, in call order, whether or not its future is
//! ever polled; the futures only wait for what comes back.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_channel::oneshot;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sio_core::error::is_reserved;
use sio_core::{AckError, EmitOptions, Payload};

use crate::command::Command;
use crate::error::Error;
use crate::event::Connected;
use crate::payload::{self, shape_of_type};
use crate::shared::Shared;

/// How long an acked emit waits when neither [`Emitter::timeout`] nor the client's
/// `ack_timeout` says otherwise: an await must never hang forever.
pub const DEFAULT_ACK_TIMEOUT: Duration = Duration::from_secs(30);

/// A type an acknowledgement can be decoded into: any `DeserializeOwned` type (a tuple for
/// several arguments, `()` to ignore them, see [`payload`](crate::payload)).
#[diagnostic::on_unimplemented(
    message = "cannot tell what type the acknowledgement should be decoded into (`{Self}`)",
    label = "the type of the awaited acknowledgement",
    note = "name it: `let reply: String = socket.emit_with_ack(\"echo\", \"hi\").await?;`, \
            or `emit_with_ack::<serde_json::Value>(..)`, or `::<()>` to ignore the arguments"
)]
pub trait AckReply: DeserializeOwned + 'static {}

impl<T: DeserializeOwned + 'static> AckReply for T {}

/// Waits for the acknowledgement of one emit and decodes it as `R`.
///
/// The packet was queued when the emit was called; dropping this future forgets the
/// acknowledgement, the packet still goes out (cancel-safe).
#[must_use = "the event is sent anyway; await this to get the acknowledgement"]
pub struct AckFuture<R> {
    state: AckState,
    decode: fn(Payload) -> Result<R, Error>,
}

enum AckState {
    Waiting(oneshot::Receiver<Result<Payload, AckError>>),
    Failed(Option<Error>),
}

impl<R> std::fmt::Debug for AckFuture<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            AckState::Waiting(_) => "waiting",
            AckState::Failed(Some(_)) => "failed",
            AckState::Failed(None) => "done",
        };
        f.debug_struct("AckFuture").field("state", &state).finish()
    }
}

impl<R> AckFuture<R> {
    fn failed(error: Error, decode: fn(Payload) -> Result<R, Error>) -> Self {
        Self {
            state: AckState::Failed(Some(error)),
            decode,
        }
    }
}

impl<R> Future for AckFuture<R> {
    type Output = Result<R, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let decode = self.decode;
        match &mut self.state {
            AckState::Waiting(rx) => match Pin::new(rx).poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Ok(Ok(payload))) => Poll::Ready(decode(payload)),
                Poll::Ready(Ok(Err(e))) => Poll::Ready(Err(Error::Ack(e))),
                Poll::Ready(Err(_canceled)) => Poll::Ready(Err(Error::Closed)),
            },
            AckState::Failed(error) => Poll::Ready(Err(error.take().unwrap_or(Error::Closed))),
        }
    }
}

fn decode_typed<R: AckReply>(payload: Payload) -> Result<R, Error> {
    let shape = shape_of_type::<R>();
    Ok(payload::from_payload_shaped(&payload, shape)?)
}

fn decode_raw(payload: Payload) -> Result<Payload, Error> {
    Ok(payload)
}

/// Waits until the namespace connects (or fails to).
///
/// The connection was started when `connect()` was called; dropping this future does not
/// stop it.
pub struct ConnectFuture {
    state: Result<oneshot::Receiver<Result<Connected, Error>>, Option<Error>>,
}

impl std::fmt::Debug for ConnectFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectFuture").finish_non_exhaustive()
    }
}

impl ConnectFuture {
    pub(crate) fn start(shared: &Shared, ns: &str) -> Self {
        let (reply, rx) = oneshot::channel();
        let state = shared
            .send(Command::Connect {
                ns: ns.to_string(),
                reply: Some(reply),
            })
            .map(|()| rx)
            .map_err(Some);
        Self { state }
    }
}

impl Future for ConnectFuture {
    type Output = Result<Connected, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.state {
            Ok(rx) => Pin::new(rx)
                .poll(cx)
                .map(|r| r.unwrap_or(Err(Error::Closed))),
            Err(error) => Poll::Ready(Err(error.take().unwrap_or(Error::Closed))),
        }
    }
}

/// Emits with options: an ack timeout ([`Socket::timeout`](crate::Socket::timeout)) or
/// volatile delivery ([`Socket::volatile`](crate::Socket::volatile)).
#[derive(Clone)]
pub struct Emitter {
    pub(crate) shared: Arc<Shared>,
    pub(crate) namespace: Arc<str>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) volatile: bool,
}

impl std::fmt::Debug for Emitter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emitter")
            .field("namespace", &self.namespace)
            .field("timeout", &self.timeout)
            .field("volatile", &self.volatile)
            .finish()
    }
}

impl Emitter {
    /// Sets the ack timeout (socket.io-client `socket.timeout(ms)`).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Makes the packet volatile: dropped rather than buffered when it cannot be sent at once.
    pub fn volatile(mut self) -> Self {
        self.volatile = true;
        self
    }

    /// Emits `event` with `args` (a tuple for several arguments, `()` for none, any other
    /// value for one; bytes travel as binary attachments). Never blocks: while offline the
    /// packet waits in the send buffer (unless volatile).
    pub fn emit(&self, event: &str, args: impl Serialize) -> Result<(), Error> {
        let payload = prepare(event, &args)?;
        self.queue(event, payload, None)
    }

    /// Emits and returns a future for the acknowledgement, decoded as `R`. The packet is
    /// queued now. The wait ends after this emitter's timeout, else the client's
    /// `ack_timeout`, else [`DEFAULT_ACK_TIMEOUT`].
    pub fn emit_with_ack<R: AckReply>(&self, event: &str, args: impl Serialize) -> AckFuture<R> {
        match prepare(event, &args) {
            Ok(payload) => self.queue_with_ack(event, payload, decode_typed::<R>),
            Err(error) => AckFuture::failed(error, decode_typed::<R>),
        }
    }

    /// Emits an already-built payload (a JSON array text with binary placeholders), for
    /// proxies and tools that hold JSON rather than Rust types.
    pub fn emit_payload(&self, event: &str, args: Payload) -> Result<(), Error> {
        check_name(event)?;
        self.queue(event, args, None)
    }

    /// Like [`emit_payload`](Self::emit_payload), with a future for the acknowledgement's
    /// raw payload.
    pub fn emit_payload_with_ack(&self, event: &str, args: Payload) -> AckFuture<Payload> {
        match check_name(event) {
            Ok(()) => self.queue_with_ack(event, args, decode_raw),
            Err(error) => AckFuture::failed(error, decode_raw),
        }
    }

    fn queue_with_ack<R>(
        &self,
        event: &str,
        args: Payload,
        decode: fn(Payload) -> Result<R, Error>,
    ) -> AckFuture<R> {
        let (reply, rx) = oneshot::channel();
        match self.queue(event, args, Some(reply)) {
            Ok(()) => AckFuture {
                state: AckState::Waiting(rx),
                decode,
            },
            Err(error) => AckFuture::failed(error, decode),
        }
    }

    fn queue(
        &self,
        event: &str,
        args: Payload,
        reply: Option<crate::command::AckReply>,
    ) -> Result<(), Error> {
        let ack = reply.is_some();
        let timeout = ack.then(|| {
            self.timeout
                .or(self.shared.options.ack_timeout)
                .unwrap_or(DEFAULT_ACK_TIMEOUT)
        });
        self.shared.send(Command::Emit {
            ns: self.namespace.clone(),
            event: event.to_string(),
            args,
            opts: EmitOptions {
                ack,
                timeout,
                volatile: self.volatile,
            },
            reply,
        })
    }
}

fn check_name(event: &str) -> Result<(), Error> {
    if is_reserved(event) {
        Err(Error::ReservedEvent(event.to_string()))
    } else {
        Ok(())
    }
}

fn prepare(event: &str, args: &impl Serialize) -> Result<Payload, Error> {
    check_name(event)?;
    Ok(payload::to_payload(args)?)
}
