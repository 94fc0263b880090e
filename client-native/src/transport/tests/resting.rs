//! An idle open WebSocket drops its `WebSocketStream` (and its read buffer) and builds a fresh
//! one when bytes come or a frame is sent, losing nothing: not in the middle of a fragmented
//! message, not a ping's pong, not the end of the stream.

use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use sio_core::{TransportId, TransportInput};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame as WsFrame;
use tokio_tungstenite::tungstenite::Message;

use super::*;

/// Drives the transports (nothing may be reported) until `done` holds.
async fn drive_while(t: &mut Transports, what: &str, busy: impl Fn(&Transports) -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while busy(t) {
        assert!(tokio::time::Instant::now() < deadline, "{what}: {t:?}");
        assert_quiet(t, Duration::from_millis(10)).await;
    }
}

fn fragment(data: &'static [u8], opcode: OpCode, last: bool) -> Message {
    Message::Frame(WsFrame::message(Bytes::from_static(data), opcode, last))
}

#[tokio::test]
async fn an_idle_socket_rests_and_wakes_for_fragments_pings_sends_and_the_end() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let (go, mut go_rx) = mpsc::unbounded_channel::<()>();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        go_rx.recv().await.unwrap();
        // a message's first fragment, then a ping in the middle of it
        ws.send(fragment(b"frag", OpCode::Data(Data::Text), false))
            .await
            .unwrap();
        ws.send(Message::Ping(Bytes::from_static(b"p")))
            .await
            .unwrap();
        go_rx.recv().await.unwrap();
        ws.send(fragment(b"ment", OpCode::Data(Data::Continue), true))
            .await
            .unwrap();
        let mut pong = false;
        // echo the client's text, then hang up without a close frame
        loop {
            match ws.next().await.unwrap().unwrap() {
                Message::Pong(p) => pong = p == "p",
                Message::Text(text) => {
                    ws.send(Message::Text(text)).await.unwrap();
                    break;
                }
                other => panic!("{other:?}"),
            }
        }
        go_rx.recv().await.unwrap();
        pong
    });

    let mut t = transports();
    t.execute(open(1, url));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Opened { id: TransportId(1) }
    );
    drive_while(&mut t, "rests once open", |t| t.resting_websockets() == 0).await;

    go.send(()).unwrap();
    drive_while(&mut t, "wakes for the fragment", |t| {
        t.resting_websockets() == 1
    })
    .await;
    // half a message is held by tungstenite: the socket stays awake, and answers the ping
    assert_quiet(&mut t, Duration::from_millis(100)).await;
    assert_eq!(t.resting_websockets(), 0);

    go.send(()).unwrap();
    assert_eq!(next(&mut t).await, text(1, "fragment"));
    drive_while(&mut t, "rests after the message", |t| {
        t.resting_websockets() == 0
    })
    .await;

    // a send wakes it
    t.execute(send_text(1, "hi"));
    assert_eq!(next(&mut t).await, text(1, "hi"));
    drive_while(&mut t, "rests after the echo", |t| {
        t.resting_websockets() == 0
    })
    .await;

    // the end of the stream, seen while resting, is reported like any other
    go.send(()).unwrap();
    assert_eq!(
        next(&mut t).await,
        TransportInput::Closed {
            id: TransportId(1),
            error: None
        }
    );
    assert!(t.is_idle());
    assert!(server.await.unwrap(), "the ping was answered");
}
