//! [`FrameReads`]: the byte stream under tungstenite, cut so that a WebSocket's read buffer can
//! be given back after a large frame.
//!
//! tungstenite 0.30 reads frames into one `BytesMut` per socket and reserves the whole payload
//! of a frame in it; that buffer keeps the capacity of the largest frame for the socket's
//! life (one 50 MB message, 50 MB resident until the socket closes). Its configuration cannot
//! shrink it, and it cannot be reached from outside. What can be done is to replace the
//! `WebSocketStream` around the same byte stream with a fresh one, whose buffer is small,
//! **when tungstenite holds no unread byte**: then nothing is lost.
//!
//! This type knows when that is. It sits between tungstenite and the connection (above TLS,
//! so it sees the frames), finds where the HTTP response head and each frame end (frame
//! headers are read with tungstenite's own `FrameHeader::parse`), and never hands tungstenite
//! bytes past a point it must not cross: the end of the response head, the end of a large
//! frame's header and payload, and, once a large frame was seen, the end of every frame.
//! Bytes read from the connection beyond that point wait here. So when tungstenite returns a
//! message and [`FrameReads::wants_renewal`] holds, tungstenite's buffer is empty, and the
//! stream may be renewed ([`super::websocket`] does it between messages).
//!
//! The same knowledge lets an idle socket drop its `WebSocketStream` altogether (its read
//! buffer is most of an idle connection's memory): when tungstenite waits for bytes and
//! everything handed on ends a complete message ([`FrameReads::at_rest`]), it holds nothing
//! but its buffer's capacity. While no `WebSocketStream` exists, [`FrameReads::poll_probe`]
//! waits for the connection's next bytes (or its end) and keeps them for the fresh one.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_tungstenite::tungstenite::protocol::frame::coding::OpCode;
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;

/// The most bytes one probe of an idle stream reads (from the stack, then kept in a buffer of
/// their size).
const PROBE_READ: usize = 4096;

/// Frames with a larger payload grow tungstenite's read buffer beyond its default capacity
/// and make the socket worth renewing.
pub(super) const LARGE_FRAME: u64 = 64 * 1024;

/// The longest WebSocket frame header.
const MAX_HEADER: usize = 14;

/// Where the byte stream is.
#[derive(Debug, Clone, Copy)]
enum Scan {
    /// In the HTTP response head: `newline` is 1 after a LF, 2 after LF CR (the head ends
    /// with an empty line, CRLF or bare LF as httparse accepts).
    Head { newline: u8 },
    /// At a frame header, of which `len` bytes were handed on (kept in `held`).
    Header { held: [u8; MAX_HEADER], len: usize },
    /// In a frame's payload, `left` bytes to go.
    Payload { left: u64, large: bool },
    /// Not a frame stream we understand: bytes pass as they come (tungstenite reports what
    /// is wrong) and the socket is never renewed.
    Opaque,
}

const AT_HEADER: Scan = Scan::Header {
    held: [0; MAX_HEADER],
    len: 0,
};

/// A byte stream that hands on reads cut at frame boundaries (see the module docs).
#[derive(Debug)]
pub(super) struct FrameReads<S> {
    inner: S,
    /// Bytes read from `inner` and not handed on yet (from `start`); unallocated when empty.
    pending: Vec<u8>,
    start: usize,
    scan: Scan,
    /// A large frame was handed on since the last renewal.
    large_seen: bool,
    /// A fragmented data message was started and its final frame not handed on yet.
    fragmented: bool,
    /// What a probe found after `pending`, handed on once `pending` is empty: the end of
    /// the stream (sticky) ...
    eof: bool,
    /// ... or a read error (handed on once).
    error: Option<io::Error>,
}

impl<S> FrameReads<S> {
    /// A stream whose first bytes are an HTTP response head, then frames.
    pub(super) fn new(inner: S) -> Self {
        FrameReads {
            inner,
            pending: Vec::new(),
            start: 0,
            scan: Scan::Head { newline: 0 },
            large_seen: false,
            fragmented: false,
            eof: false,
            error: None,
        }
    }

    /// Whether everything handed on so far ends a complete message (no frame and no
    /// fragmented message is half handed on). When tungstenite has just returned `Pending`
    /// on a read, it then holds no unread byte and no partial message: its stream can be
    /// dropped and a fresh one built later over this one, losing nothing.
    pub(super) fn at_rest(&self) -> bool {
        !self.fragmented && matches!(self.scan, Scan::Header { len: 0, .. })
    }

    /// Whether everything handed on so far ends at a frame's end, after a large frame: then,
    /// right after tungstenite returned a message, it holds no unread byte and its stream can
    /// be replaced by a fresh one over this one.
    pub(super) fn wants_renewal(&self) -> bool {
        self.large_seen && matches!(self.scan, Scan::Header { len: 0, .. })
    }

    /// The stream is renewed: its reads may cross frame ends again.
    pub(super) fn renewed(&mut self) {
        self.large_seen = false;
    }

    /// How many bytes of `data` (the next ones to hand on) may go in this read; advances the
    /// scan over them. At least one, unless `data` is empty.
    fn allowed(&mut self, data: &[u8]) -> usize {
        let mut i = 0;
        while i < data.len() {
            match &mut self.scan {
                Scan::Opaque => return data.len(),
                Scan::Head { newline } => {
                    let byte = data[i];
                    i += 1;
                    *newline = match (byte, *newline) {
                        (b'\n', 1 | 2) => {
                            self.scan = AT_HEADER;
                            return i;
                        }
                        (b'\n', _) => 1,
                        (b'\r', 1) => 2,
                        _ => 0,
                    };
                }
                Scan::Header { held, len } => {
                    let take = (MAX_HEADER - *len).min(data.len() - i);
                    held[*len..*len + take].copy_from_slice(&data[i..i + take]);
                    let mut cursor = io::Cursor::new(&held[..*len + take]);
                    match FrameHeader::parse(&mut cursor) {
                        Ok(None) if *len + take < MAX_HEADER => {
                            *len += take;
                            i += take;
                        }
                        Ok(Some((header, payload))) => {
                            i += cursor.position() as usize - *len;
                            // control frames may come between the fragments of a message
                            if let OpCode::Data(_) = header.opcode {
                                self.fragmented = !header.is_final;
                            }
                            let large = payload > LARGE_FRAME;
                            self.large_seen |= large;
                            self.scan = if payload == 0 {
                                AT_HEADER
                            } else {
                                Scan::Payload {
                                    left: payload,
                                    large,
                                }
                            };
                            // a large frame's header goes alone, so that tungstenite reserves
                            // exactly its payload; once one was seen, every frame ends a read
                            if large || (payload == 0 && self.large_seen) {
                                return i;
                            }
                        }
                        Ok(None) | Err(_) => {
                            self.scan = Scan::Opaque;
                            return data.len();
                        }
                    }
                }
                Scan::Payload { left, large } => {
                    let n = (data.len() - i).min(usize::try_from(*left).unwrap_or(usize::MAX));
                    i += n;
                    *left -= n as u64;
                    if *left == 0 {
                        let stop = *large || self.large_seen;
                        self.scan = AT_HEADER;
                        if stop {
                            return i;
                        }
                    }
                }
            }
        }
        i
    }
}

impl<S: AsyncRead + Unpin> FrameReads<S> {
    /// While no `WebSocketStream` reads this stream: `Ready` once bytes came (kept for the
    /// next reads), the stream ended or failed (told to the next read). Registers the task
    /// for the next bytes while `Pending`.
    pub(super) fn poll_probe(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if !self.pending.is_empty() || self.eof || self.error.is_some() {
            return Poll::Ready(());
        }
        let mut space = [0u8; PROBE_READ];
        let mut buf = ReadBuf::new(&mut space);
        match Pin::new(&mut self.inner).poll_read(cx, &mut buf) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Ok(())) if buf.filled().is_empty() => self.eof = true,
            Poll::Ready(Ok(())) => {
                self.pending = buf.filled().to_vec();
                self.start = 0;
            }
            Poll::Ready(Err(error)) => self.error = Some(error),
        }
        Poll::Ready(())
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for FrameReads<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.pending.is_empty() {
            // what a probe found after its bytes: an error once, then the end for good
            if let Some(error) = this.error.take() {
                return Poll::Ready(Err(error));
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
        }
        if !this.pending.is_empty() {
            // what was read before and held back goes first
            let pending = std::mem::take(&mut this.pending);
            let room = (pending.len() - this.start).min(buf.remaining());
            let n = this.allowed(&pending[this.start..this.start + room]);
            buf.put_slice(&pending[this.start..this.start + n]);
            this.start += n;
            if this.start < pending.len() {
                this.pending = pending;
            } else {
                this.start = 0;
            }
            return Poll::Ready(Ok(()));
        }
        // read straight into the caller's buffer, then hold back what may not go yet
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {}
            other => return other,
        }
        let read = buf.filled().len() - before;
        let n = this.allowed(&buf.filled()[before..]);
        if n < read {
            this.pending = buf.filled()[before + n..].to_vec();
            this.start = 0;
            buf.set_filled(before + n);
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for FrameReads<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

    fn frame(len: usize, is_final: bool) -> Vec<u8> {
        frame_of(OpCode::Data(Data::Text), len, is_final)
    }

    fn frame_of(opcode: OpCode, len: usize, is_final: bool) -> Vec<u8> {
        let header = FrameHeader {
            is_final,
            opcode,
            ..FrameHeader::default()
        };
        let mut out = Vec::new();
        header.format(len as u64, &mut out).unwrap();
        out.resize(out.len() + len, b'x');
        out
    }

    /// The reads `data` is handed on in, when each read may take up to `chunk` bytes.
    fn cuts(reads: &mut FrameReads<()>, data: &[u8], chunk: usize) -> Vec<usize> {
        let mut at = 0;
        let mut out = Vec::new();
        while at < data.len() {
            let end = (at + chunk).min(data.len());
            let n = reads.allowed(&data[at..end]);
            assert!(n >= 1);
            out.push(n);
            at += n;
        }
        out
    }

    #[test]
    fn the_response_head_ends_a_read_with_crlf_or_bare_lf() {
        for head in [
            &b"HTTP/1.1 101 OK\r\nA: b\r\n\r\n"[..],
            b"HTTP/1.1 101 OK\nA: b\n\n",
        ] {
            let mut reads = FrameReads::new(());
            let mut data = head.to_vec();
            data.extend(frame(3, true));
            assert_eq!(cuts(&mut reads, &data, 4096)[0], head.len());
        }
    }

    #[test]
    fn small_frames_pass_together_and_a_large_frame_is_cut_out() {
        let mut reads = FrameReads::new(());
        reads.scan = AT_HEADER;
        let small = frame(10, true);
        let large = frame(100_000, true);
        let mut data = small.repeat(3);
        data.extend(&large);
        data.extend(small.repeat(2));
        let cuts = cuts(&mut reads, &data, 1 << 20);
        // the small frames and the large header, the large payload, then frame by frame
        assert_eq!(cuts, [3 * 12 + 10, 100_000, 12, 12]);
        assert!(reads.wants_renewal());
        reads.renewed();
        assert!(!reads.wants_renewal());
        assert_eq!(reads.allowed(&small.repeat(2)), 24);
    }

    #[test]
    fn a_header_split_over_reads_is_followed() {
        let mut reads = FrameReads::new(());
        reads.scan = AT_HEADER;
        let data = [frame(70_000, false), frame(5, true)].concat();
        let cuts = cuts(&mut reads, &data, 3);
        // the 10-byte header in four reads (the last one ends with it), the payload 3 at a
        // time, then the next frame (2 + 5 bytes) on its own
        assert_eq!(cuts.iter().sum::<usize>(), data.len());
        assert_eq!(&cuts[..4], [3, 3, 3, 1]);
        assert_eq!(&cuts[cuts.len() - 3..], [3, 3, 1]);
        assert!(reads.wants_renewal());
    }

    #[test]
    fn bytes_that_are_no_frame_pass_as_they_come() {
        let mut reads = FrameReads::new(());
        reads.scan = AT_HEADER;
        // reserved opcode 3
        let data = [0x83u8, 0x00, 1, 2, 3];
        assert_eq!(reads.allowed(&data), data.len());
        assert!(!reads.wants_renewal());
    }

    #[test]
    fn at_rest_only_between_whole_messages() {
        use tokio_tungstenite::tungstenite::protocol::frame::coding::Control;
        let mut reads = FrameReads::new(());
        reads.scan = AT_HEADER;
        assert!(reads.at_rest());
        let whole = frame(5, true);
        reads.allowed(&whole[..3]);
        assert!(!reads.at_rest(), "in a frame");
        reads.allowed(&whole[3..]);
        assert!(reads.at_rest());
        reads.allowed(&frame(5, false));
        assert!(!reads.at_rest(), "in a fragmented message");
        reads.allowed(&frame_of(OpCode::Control(Control::Ping), 1, true));
        assert!(!reads.at_rest(), "a ping between fragments");
        reads.allowed(&frame_of(OpCode::Data(Data::Continue), 5, false));
        assert!(!reads.at_rest());
        reads.allowed(&frame_of(OpCode::Data(Data::Continue), 5, true));
        assert!(reads.at_rest(), "the final fragment");
    }

    #[tokio::test]
    async fn a_probe_keeps_the_bytes_then_the_end_for_the_next_reads() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (near, mut far) = tokio::io::duplex(1024);
        let mut reads = FrameReads::new(near);
        reads.scan = AT_HEADER;
        let mut cx = Context::from_waker(futures_util::task::noop_waker_ref());
        assert!(reads.poll_probe(&mut cx).is_pending());
        let data = [frame(3, true), frame(4, true)].concat();
        far.write_all(&data).await.unwrap();
        drop(far);
        std::future::poll_fn(|cx| reads.poll_probe(cx)).await;
        let mut got = Vec::new();
        reads.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, data);
        assert!(reads.at_rest());
        assert!(reads.poll_probe(&mut cx).is_ready(), "the end stays");
    }
}
