//! [`EventStream`]: a `futures::Stream` of client or socket events.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::mpsc;

/// Events from the moment the stream was created; dropping it unsubscribes.
#[derive(Debug)]
pub struct EventStream<T> {
    rx: mpsc::UnboundedReceiver<T>,
}

impl<T> EventStream<T> {
    pub(crate) fn new(rx: mpsc::UnboundedReceiver<T>) -> Self {
        Self { rx }
    }

    /// The next event; `None` once the client is closed.
    pub async fn next(&mut self) -> Option<T> {
        self.rx.recv().await
    }
}

impl<T> futures_util::Stream for EventStream<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }
}
