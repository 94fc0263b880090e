//! [`EventStream`]: a bounded `Stream` of client or socket events, with backpressure.
//!
//! Each stream has room for a fixed number of events (the builder's
//! [`inbound_buffer`](crate::ClientBuilder::inbound_buffer)). When a stream is full the
//! driver keeps the next events for it aside and **stops reading the network** until the
//! stream's reader catches up, so a slow reader slows the server down (TCP backpressure)
//! instead of growing memory. Nothing is dropped. Dropping the stream unsubscribes it.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_channel::mpsc;
use futures_core::Stream;

/// Events from the moment the stream was created, in order; `None` once the client is closed.
#[derive(Debug)]
#[must_use = "a stream does nothing unless polled, and holds the driver back once full"]
pub struct EventStream<T> {
    rx: mpsc::Receiver<T>,
}

impl<T> EventStream<T> {
    /// A stream and the driver's end of it, with room for `capacity` events.
    pub(crate) fn new(capacity: usize) -> (Self, StreamSlot<T>) {
        // futures' channel holds `buffer + 1` messages for one sender
        let (tx, rx) = mpsc::channel(capacity.saturating_sub(1));
        (
            Self { rx },
            StreamSlot {
                tx,
                backlog: VecDeque::new(),
            },
        )
    }

    /// The next event; `None` once the client is closed.
    pub async fn next(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| Pin::new(&mut self.rx).poll_next(cx)).await
    }

    /// The next event if one is already waiting (never waits).
    pub fn try_next(&mut self) -> Option<T> {
        self.rx.try_recv().ok()
    }
}

impl<T> Stream for EventStream<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        Pin::new(&mut self.rx).poll_next(cx)
    }
}

/// The driver's end of an [`EventStream`]: the channel, and the events it had no room for.
pub(crate) struct StreamSlot<T> {
    tx: mpsc::Sender<T>,
    backlog: VecDeque<T>,
}

/// What became of an event offered to a stream.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Offer {
    /// Handed over, or kept in the backlog.
    Kept,
    /// The stream was dropped: remove the slot.
    Gone,
}

impl<T> StreamSlot<T> {
    /// Hands `event` over, behind any backlog (order is kept).
    pub(crate) fn offer(&mut self, event: T) -> Offer {
        if self.tx.is_closed() {
            return Offer::Gone;
        }
        if !self.backlog.is_empty() {
            self.backlog.push_back(event);
            return Offer::Kept;
        }
        match self.tx.try_send(event) {
            Ok(()) => Offer::Kept,
            Err(e) if e.is_full() => {
                self.backlog.push_back(e.into_inner());
                Offer::Kept
            }
            Err(_) => Offer::Gone,
        }
    }

    /// Whether events wait for room.
    pub(crate) fn has_backlog(&self) -> bool {
        !self.backlog.is_empty()
    }

    /// Moves backlog into the channel while it has room. `Ready(Kept)` when the backlog is
    /// empty, `Pending` (with `cx` woken when room appears) otherwise, `Ready(Gone)` when the
    /// stream was dropped.
    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Offer> {
        while !self.backlog.is_empty() {
            match self.tx.poll_ready(cx) {
                Poll::Ready(Ok(())) => {
                    if let Some(event) = self.backlog.pop_front() {
                        if self.tx.start_send(event).is_err() {
                            return Poll::Ready(Offer::Gone);
                        }
                    }
                }
                Poll::Ready(Err(_)) => return Poll::Ready(Offer::Gone),
                Poll::Pending => return Poll::Pending,
            }
        }
        if self.backlog.capacity() > 0 {
            // an idle stream keeps no backlog memory
            self.backlog = VecDeque::new();
        }
        Poll::Ready(Offer::Kept)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::task::Waker;

    #[test]
    fn a_full_stream_keeps_the_rest_in_order_and_flushes_when_read() {
        let (mut stream, mut slot) = EventStream::new(2);
        for i in 0..5 {
            assert_eq!(slot.offer(i), Offer::Kept);
        }
        assert!(slot.has_backlog());
        let mut cx = Context::from_waker(Waker::noop());
        assert!(slot.poll_flush(&mut cx).is_pending());
        let mut got = vec![];
        while let Some(v) = stream.try_next() {
            got.push(v);
            let _ = slot.poll_flush(&mut cx);
        }
        assert_eq!(got, [0, 1, 2, 3, 4]);
        assert!(!slot.has_backlog());
    }

    #[test]
    fn a_dropped_stream_is_gone() {
        let (stream, mut slot) = EventStream::new(2);
        drop(stream);
        assert_eq!(slot.offer(1), Offer::Gone);
    }
}
