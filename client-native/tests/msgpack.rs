//! The MessagePack parser against the bundled Node server started with
//! socket.io-msgpack-parser (`--parser msgpack`): value fidelity, and what a parser mismatch
//! does (a typed connect error, not a hang). The interop matrix (tests/interop.rs) runs the
//! common scenarios with msgpack on every server kind.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{builder, within, MODES};
use serde_json::{json, Value};
use sio_client::{Error, Parser, Transports};
use sio_test_support::TestServer;

fn msgpack_server() -> TestServer {
    common::init_tracing();
    TestServer::builder()
        .parser_msgpack()
        .no_recovery()
        .spawn()
        .expect("start the bundled socket.io server with the msgpack parser")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_survive_the_round_trip_through_socket_io_msgpack_parser() {
    let srv = msgpack_server();
    for mode in MODES {
        let client = builder(&srv.url(), mode)
            .parser(Parser::MessagePack)
            .build()
            .unwrap();
        let socket = client.socket("/");
        within(10, "connect", socket.connect()).await.unwrap();
        // Integers of every msgpack width, doubles, strings of every length class, nesting.
        // (No whole doubles beyond 2^63: notepack.io writes those as broken int64s.)
        let sent = json!({
            "ints": [0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295u64, 4294967296u64,
                     9007199254740991u64, -1, -32, -33, -128, -129, -32768, -32769,
                     -2147483648i64, -2147483649i64, -9007199254740991i64],
            "floats": [0.5, -0.25, 1.2345678901234567, 1e-7, 2.5e-300],
            "strings": ["", "x", "y".repeat(31), "z".repeat(32), "é".repeat(200), "😀".repeat(20000)],
            "nested": {"a": [[[{"b": null, "c": true, "d": false}]]]},
            "keys": (0..20).map(|i| (format!("k{i}"), json!(i))).collect::<serde_json::Map<_, _>>(),
        });
        let back: Value = within(10, "echo", socket.emit_with_ack::<Value>("echo", &sent))
            .await
            .unwrap();
        assert!(back == sent, "{mode:?}: the echo differs");
        // Binary next to text, several attachments, empty ones, 100 KB.
        let blobs = (
            serde_bytes::ByteBuf::from(vec![]),
            serde_bytes::ByteBuf::from(vec![0u8; 100_000]),
            vec![serde_bytes::ByteBuf::from(b"a".to_vec()); 7],
        );
        let back: (
            serde_bytes::ByteBuf,
            serde_bytes::ByteBuf,
            Vec<serde_bytes::ByteBuf>,
        ) = within(10, "binary echo", socket.emit_with_ack("echo", &blobs))
            .await
            .unwrap();
        assert!(back == blobs, "{mode:?}: the binary echo differs");
        client.close().await;
    }
}

/// The client and the server disagree on the parser: connecting fails with a typed error.
async fn mismatch(server: TestServer, client_parser: Parser) -> Error {
    let client = builder(&server.url(), Transports::WebSocketOnly)
        .parser(client_parser)
        .reconnection(false)
        .build()
        .unwrap();
    let err = within(15, "the mismatch to surface", client.socket("/").connect())
        .await
        .expect_err("a parser mismatch cannot connect");
    client.close().await;
    err
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parser_mismatch_is_a_connect_error_not_a_hang() {
    let json_server = TestServer::builder().no_recovery().spawn().unwrap();
    let err = mismatch(json_server, Parser::MessagePack).await;
    assert!(matches!(err, Error::Connect(_)), "{err:?}");
    let err = mismatch(msgpack_server(), Parser::Json).await;
    assert!(matches!(err, Error::Connect(_)), "{err:?}");
}
