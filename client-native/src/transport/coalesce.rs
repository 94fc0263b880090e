//! [`Coalescing`]: gathers the writes made between two flushes into one buffer, so a burst of
//! WebSocket messages leaves in one system call instead of one per message, and gives the
//! buffer back once it is written, so an idle connection holds no write buffer.
//!
//! tungstenite is configured to write every message eagerly (`write_buffer_size(0)`), because
//! its own write buffer keeps the capacity of the largest burst for the connection's lifetime.
//! This wrapper sits under it (and under TLS for `wss://`): writes land here, `poll_flush`
//! sends them. Everything that writes also flushes: tungstenite's handshake and
//! `Sink::poll_flush`, tokio-rustls's handshake and `poll_flush`, the WebSocket pump after
//! each round of writes; as a safety net, reading also pushes out whatever is still buffered.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Above this many buffered bytes a write first tries to send them (backpressure).
const HIGH_WATER: usize = 64 * 1024;

/// An I/O stream whose writes are buffered until the next flush.
#[derive(Debug)]
pub(super) struct Coalescing<S> {
    inner: S,
    buf: Vec<u8>,
    /// Bytes of `buf` already written to `inner`.
    written: usize,
}

impl<S> Coalescing<S> {
    pub(super) fn new(inner: S) -> Self {
        Coalescing {
            inner,
            buf: Vec::new(),
            written: 0,
        }
    }
}

impl<S: AsyncWrite + Unpin> Coalescing<S> {
    /// Writes the buffer out; `Ready(Ok)` once it is empty.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.buf.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.buf[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.written = 0;
        // freed, not kept for the next burst: an idle connection holds no write buffer (one
        // allocation per flush is nothing next to the system call that comes with it)
        self.buf = Vec::new();
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Coalescing<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.written < this.buf.len() {
            // bytes written without a flush (none expected): do not let them wait
            if let Poll::Ready(Err(e)) = this.poll_drain(cx) {
                return Poll::Ready(Err(e));
            }
        }
        Pin::new(&mut this.inner).poll_read(cx, out)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Coalescing<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.buf.len() - this.written >= HIGH_WATER {
            ready!(this.poll_drain(cx))?;
        }
        this.buf.extend_from_slice(data);
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test]
    async fn writes_wait_for_the_flush_and_leave_together() {
        let (a, mut b) = tokio::io::duplex(1 << 20);
        let mut w = Coalescing::new(a);
        w.write_all(b"one ").await.unwrap();
        w.write_all(b"two").await.unwrap();
        let mut got = [0u8; 7];
        let nothing_yet =
            tokio::time::timeout(std::time::Duration::from_millis(20), b.read(&mut got)).await;
        assert!(nothing_yet.is_err(), "nothing is sent before the flush");
        w.flush().await.unwrap();
        b.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"one two");
        assert_eq!(w.buf.capacity(), 0, "the buffer is freed once written");
    }

    #[tokio::test]
    async fn a_big_burst_is_sent_and_its_buffer_given_back() {
        // a pipe smaller than the burst: writes past HIGH_WATER wait for the reader
        let (a, mut b) = tokio::io::duplex(8 * 1024);
        let reader = tokio::spawn(async move {
            let mut all = Vec::new();
            b.read_to_end(&mut all).await.unwrap();
            all
        });
        let mut w = Coalescing::new(a);
        let chunk = vec![7u8; 1000];
        for _ in 0..300 {
            w.write_all(&chunk).await.unwrap();
        }
        w.flush().await.unwrap();
        assert_eq!(w.buf.capacity(), 0, "the burst's buffer is freed");
        w.shutdown().await.unwrap();
        drop(w);
        assert_eq!(reader.await.unwrap().len(), 300_000);
    }
}
