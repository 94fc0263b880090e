//! The long-polling side: the handshake GET, then one scripted response per GET; POSTs are
//! read and dropped. One client per server: every handshake starts the script over.

use std::io;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use http_body_util::{BodyExt, Empty, Full, StreamBody};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::{Method, Request, Response, StatusCode};

use super::script::{self, Behaviour, HugeText, CHUNK, ENDLESS_HEAD, FLOOD_BATCH, SEPARATOR};
use super::{Body, Query, Shared};

/// Where the script of the (one) polling session is.
#[derive(Debug, Default)]
pub(super) struct Sessions(Mutex<Progress>);

#[derive(Debug, Default, Clone, Copy)]
struct Progress {
    /// GETs answered since the handshake.
    gets: u64,
    /// The next flood event's number.
    next_tick: u64,
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, Progress> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A response with a fixed body.
pub(super) fn plain(status: u16, body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(
        Full::new(body.into())
            .map_err(|e| match e {})
            .boxed_unsync(),
    );
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    response
}

/// An empty body.
pub(super) fn empty() -> Body {
    Empty::new().map_err(|e| match e {}).boxed_unsync()
}

/// A GET or a POST of the polling transport.
pub(super) async fn handle(
    request: Request<Incoming>,
    query: &Query<'_>,
    shared: Arc<Shared>,
) -> Response<Body> {
    let method = request.method().clone();
    if method == Method::POST {
        // read and drop what the client says
        let mut body = request.into_body();
        while let Some(Ok(_)) = body.frame().await {}
        return plain(200, "ok");
    }
    if method != Method::GET {
        return plain(400, "hostile server: GET or POST");
    }
    if query.get("sid").is_none() {
        *shared.polling.lock() = Progress::default();
        shared.counters.sessions.fetch_add(1, Ordering::Relaxed);
        return plain(200, shared.open_packet());
    }
    let progress = {
        let mut progress = shared.polling.lock();
        progress.gets += 1;
        if progress.gets > 1 && matches!(shared.behaviour, Behaviour::Flood { .. }) {
            progress.next_tick += FLOOD_BATCH;
        }
        *progress
    };
    if progress.gets == 1 {
        return plain(200, script::connect_reply());
    }
    scripted(progress, shared).await
}

/// The answer to the `n`th GET after the CONNECT reply.
async fn scripted(progress: Progress, shared: Arc<Shared>) -> Response<Body> {
    let turn = progress.gets - 1;
    match (&shared.behaviour, turn) {
        (Behaviour::Flood { ack }, _) => {
            let first = progress.next_tick - FLOOD_BATCH;
            let mut body = Vec::new();
            let mut packet = Vec::new();
            for n in first..progress.next_tick {
                if n > first {
                    body.push(SEPARATOR);
                }
                packet.clear();
                script::tick(n, *ack, &mut packet);
                body.extend_from_slice(&packet);
            }
            shared.counters.sent(FLOOD_BATCH, body.len());
            plain(200, body)
        }
        (Behaviour::HugeMessage { bytes } | Behaviour::HugeFragmented { bytes }, 1) => {
            streamed(huge(*bytes, shared))
        }
        (Behaviour::HugeMessage { .. } | Behaviour::HugeFragmented { .. }, 2) => {
            shared.counters.sent(1, script::after().len());
            plain(200, script::after())
        }
        (Behaviour::Attachments { count, each }, 1) => {
            // one response: the header, then each attachment as a base64 packet
            let mut body = script::attachments_header(*count);
            let encoded = format!("b{}", base64_zeros(*each));
            for _ in 0..*count {
                body.push(SEPARATOR);
                body.extend_from_slice(encoded.as_bytes());
            }
            body.push(SEPARATOR);
            body.extend(script::after());
            shared.counters.sent(2, body.len());
            plain(200, body)
        }
        (Behaviour::Packets(packets), 1) => {
            let body = packets.join(&SEPARATOR);
            shared.counters.sent(packets.len() as u64, body.len());
            plain(200, body)
        }
        (Behaviour::Endless { trickle }, 1) => streamed(endless(*trickle, shared)),
        _ => {
            // nothing more to say: hold the GET until the server stops
            shared.stopped().await;
            plain(200, "6")
        }
    }
}

type Chunks = futures_util::stream::BoxStream<'static, Result<Frame<Bytes>, io::Error>>;

/// A chunked response made of `chunks`.
fn streamed(chunks: Chunks) -> Response<Body> {
    Response::new(StreamBody::new(chunks).boxed_unsync())
}

/// The huge message, chunk by chunk, counted as it goes.
fn huge(bytes: usize, shared: Arc<Shared>) -> Chunks {
    stream::unfold(
        (HugeText::new(bytes), shared),
        |(mut text, shared)| async move {
            match text.next_chunk() {
                Some(chunk) => {
                    shared.counters.sent(0, chunk.len());
                    Some((Ok(Frame::data(Bytes::from(chunk))), (text, shared)))
                }
                None => {
                    shared.counters.sent(1, 0);
                    None
                }
            }
        },
    )
    .boxed()
}

/// The endless message: its head, then `x`s forever.
fn endless(trickle: Option<Duration>, shared: Arc<Shared>) -> Chunks {
    let head = stream::once(async { Ok(Frame::data(Bytes::from_static(ENDLESS_HEAD))) });
    let size = if trickle.is_some() { 1 } else { CHUNK };
    let xs = Bytes::from(vec![b'x'; size]);
    let tail = stream::unfold((), move |()| {
        let shared = Arc::clone(&shared);
        let xs = xs.clone();
        async move {
            if let Some(pause) = trickle {
                tokio::time::sleep(pause).await;
            }
            shared.counters.sent(0, xs.len());
            Some((Ok(Frame::data(xs)), ()))
        }
    });
    head.chain(tail).boxed()
}

/// The base64 of `n` zero bytes (`A`s, padded).
fn base64_zeros(n: usize) -> String {
    let mut text = "A".repeat(n.div_ceil(3) * 4);
    let pad = (3 - n % 3) % 3;
    text.truncate(text.len() - pad);
    text.push_str(&"=".repeat(pad));
    text
}
