//! The WebSocket side: the upgrade answered by hyper, then raw frames written by the script
//! (tungstenite's `FrameHeader` formats each header). What the client sends is read and
//! dropped, except that its close frame ends the connection: the script never waits for the
//! client.

use std::io::{self, Cursor};
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::{CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, UPGRADE};
use hyper::upgrade::Upgraded;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, WriteHalf};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Control, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;

use super::polling::{empty, plain};
use super::script::{self, Behaviour, HugeText, CHUNK, ENDLESS_HEAD};
use super::{Body, Shared};

/// Flood messages written per `write_all`.
const FLOOD_BATCH: u64 = 256;

type Writer = WriteHalf<TokioIo<Upgraded>>;

/// Answers the upgrade request and runs the session on the upgraded connection.
pub(super) fn upgrade(mut request: Request<Incoming>, shared: Arc<Shared>) -> Response<Body> {
    let Some(key) = request.headers().get(SEC_WEBSOCKET_KEY) else {
        return plain(400, "hostile server: not a websocket request");
    };
    let accept = derive_accept_key(key.as_bytes());
    let upgrade = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        let Ok(upgraded) = upgrade.await else { return };
        tokio::select! {
            () = session(TokioIo::new(upgraded), &shared) => {}
            () = shared.stopped() => {}
        }
    });
    let mut response = Response::new(empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(CONNECTION, "Upgrade".parse().expect("static header"));
    headers.insert(UPGRADE, "websocket".parse().expect("static header"));
    if let Ok(accept) = accept.parse() {
        headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

/// Runs the script until the client goes away (or a write fails).
async fn session(io: TokioIo<Upgraded>, shared: &Shared) {
    let (reader, mut writer) = tokio::io::split(io);
    tokio::select! {
        () = until_close(reader) => {}
        _ = script(&mut writer, shared) => {}
    }
}

/// Reads the client's frames (dropping them) until its close frame, EOF or an error.
async fn until_close(mut reader: impl AsyncRead + Unpin) {
    let mut buffer = Vec::new();
    let mut chunk = vec![0u8; 4096];
    loop {
        loop {
            let mut cursor = Cursor::new(&buffer[..]);
            let Ok(Some((header, len))) = FrameHeader::parse(&mut cursor) else {
                break;
            };
            let end = cursor.position() as usize + len as usize;
            if buffer.len() < end {
                break;
            }
            if header.opcode == OpCode::Control(Control::Close) {
                return;
            }
            buffer.drain(..end);
        }
        match reader.read(&mut chunk).await {
            Ok(n) if n > 0 => buffer.extend_from_slice(&chunk[..n]),
            _ => return,
        }
    }
}

/// Handshake, CONNECT reply, then the behaviour; pends forever once the behaviour is done.
async fn script(out: &mut Writer, shared: &Shared) -> io::Result<()> {
    shared
        .counters
        .sessions
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    text(out, &shared.open_packet()).await?;
    text(out, &script::connect_reply()).await?;
    match &shared.behaviour {
        Behaviour::Flood { ack } => return flood(out, *ack, shared).await,
        Behaviour::HugeMessage { bytes } => {
            huge(out, *bytes, false, shared).await?;
            text(out, &script::after()).await?;
            shared.counters.sent(1, script::after().len());
        }
        Behaviour::HugeFragmented { bytes } => {
            huge(out, *bytes, true, shared).await?;
            text(out, &script::after()).await?;
            shared.counters.sent(1, script::after().len());
        }
        Behaviour::Attachments { count, each } => {
            text(out, &script::attachments_header(*count)).await?;
            let chunk = vec![0u8; CHUNK.min(*each)];
            for _ in 0..*count {
                let mut head = Vec::new();
                header(OpCode::Data(Data::Binary), true, *each, &mut head);
                out.write_all(&head).await?;
                let mut left = *each;
                while left > 0 {
                    let n = left.min(chunk.len());
                    out.write_all(&chunk[..n]).await?;
                    shared.counters.sent(0, n);
                    left -= n;
                }
            }
            shared.counters.sent(1, 0);
            text(out, &script::after()).await?;
        }
        Behaviour::Packets(packets) => {
            for packet in packets {
                text(out, packet).await?;
                shared.counters.sent(1, packet.len());
            }
        }
        Behaviour::Endless { trickle } => return endless(out, *trickle, shared).await,
        Behaviour::Idle | Behaviour::Silent => {}
    }
    out.flush().await?;
    std::future::pending().await
}

/// The header of a frame carrying `len` bytes.
fn header(opcode: OpCode, is_final: bool, len: usize, out: &mut Vec<u8>) {
    let header = FrameHeader {
        is_final,
        opcode,
        ..FrameHeader::default()
    };
    // (formatting into a Vec cannot fail)
    let _ = header.format(len as u64, out);
}

/// One final text frame with `payload` (which need not be UTF-8).
async fn text(out: &mut (impl AsyncWrite + Unpin), payload: &[u8]) -> io::Result<()> {
    let mut frame = Vec::with_capacity(payload.len() + 10);
    header(OpCode::Data(Data::Text), true, payload.len(), &mut frame);
    frame.extend_from_slice(payload);
    out.write_all(&frame).await
}

async fn flood(out: &mut Writer, ack: bool, shared: &Shared) -> io::Result<()> {
    let mut n = 0u64;
    let mut batch = Vec::new();
    let mut packet = Vec::new();
    loop {
        batch.clear();
        for _ in 0..FLOOD_BATCH {
            packet.clear();
            script::tick(n, ack, &mut packet);
            header(OpCode::Data(Data::Text), true, packet.len(), &mut batch);
            batch.extend_from_slice(&packet);
            n += 1;
        }
        out.write_all(&batch).await?;
        shared.counters.sent(FLOOD_BATCH, batch.len());
    }
}

/// A message of `bytes` bytes, written in chunks: one frame, or (`fragmented`) a frame with
/// all but the last two bytes and a continuation frame with those.
async fn huge(out: &mut Writer, bytes: usize, fragmented: bool, shared: &Shared) -> io::Result<()> {
    const LAST: usize = 2;
    let len = HugeText::len(bytes);
    let first = if fragmented { len - LAST } else { len };
    let mut head = Vec::new();
    header(OpCode::Data(Data::Text), !fragmented, first, &mut head);
    out.write_all(&head).await?;
    let mut text = HugeText::new(bytes);
    let mut at = 0;
    while let Some(chunk) = text.next_chunk() {
        let cut = first.saturating_sub(at).min(chunk.len());
        out.write_all(&chunk[..cut]).await?;
        if cut < chunk.len() {
            // the rest starts the continuation frame
            let mut head = Vec::new();
            header(OpCode::Data(Data::Continue), true, len - first, &mut head);
            out.write_all(&head).await?;
            out.write_all(&chunk[cut..]).await?;
        }
        at += chunk.len();
        shared.counters.sent(0, chunk.len());
    }
    shared.counters.sent(1, 0);
    Ok(())
}

/// A text message whose continuation frames never stop.
async fn endless(
    out: &mut Writer,
    trickle: Option<std::time::Duration>,
    shared: &Shared,
) -> io::Result<()> {
    let mut frame = Vec::new();
    header(
        OpCode::Data(Data::Text),
        false,
        ENDLESS_HEAD.len(),
        &mut frame,
    );
    frame.extend_from_slice(ENDLESS_HEAD);
    out.write_all(&frame).await?;
    let size = if trickle.is_some() { 1 } else { CHUNK };
    frame.clear();
    header(OpCode::Data(Data::Continue), false, size, &mut frame);
    frame.resize(frame.len() + size, b'x');
    loop {
        out.write_all(&frame).await?;
        out.flush().await?;
        shared.counters.sent(0, size);
        if let Some(pause) = trickle {
            tokio::time::sleep(pause).await;
        }
    }
}
