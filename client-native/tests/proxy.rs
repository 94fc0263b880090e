//! The native client through a real HTTP proxy (tinyproxy from Debian, started per test on a
//! free port): long-polling as proxied HTTP requests, WebSocket through a CONNECT tunnel,
//! Basic authentication from the proxy URL, and the errors when the proxy says no.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{builder, server, within, MODES};
use serde_json::Value;
use sio_client::{ConnectError, Error, OpenError, Transports};
use sio_test_support::{free_port, HttpProxy};

fn tinyproxy(auth: Option<(&str, &str)>) -> HttpProxy {
    let builder = HttpProxy::builder();
    let builder = match auth {
        Some((user, password)) => builder.basic_auth(user, password),
        None => builder,
    };
    builder
        .spawn()
        .expect("start tinyproxy (make cluster-deps installs it)")
}

/// The transport error text of a failed connect.
fn open_error(error: Error) -> String {
    match error {
        Error::Connect(ConnectError::Open(OpenError::Transport(text))) => text,
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mode_goes_through_the_proxy_with_credentials() {
    let srv = server();
    let proxy = tinyproxy(Some(("sio", "s3cret")));
    for mode in MODES {
        let client = builder(&srv.url(), mode)
            .proxy(proxy.url_with_auth())
            .build()
            .unwrap();
        let socket = client.socket("/");
        within(20, "connect through the proxy", socket.connect())
            .await
            .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        let echoed: String = within(10, "echo", socket.emit_with_ack("echo", "via proxy"))
            .await
            .unwrap();
        assert_eq!(echoed, "via proxy");
        let me: Value = socket.emit_with_ack("whoami", ()).await.unwrap();
        if mode == Transports::WebSocketOnly {
            assert_eq!(me["transport"], "websocket");
        }
        client.close().await;
    }
    let log = proxy.log();
    let port = srv.port();
    // polling: proxied requests; websocket (and the upgrade): CONNECT tunnels
    assert!(
        log.contains(&format!("GET http://127.0.0.1:{port}/socket.io/")),
        "{log}"
    );
    assert!(log.contains(&format!("CONNECT 127.0.0.1:{port}")), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_or_missing_credentials_are_named_errors() {
    let srv = server();
    let proxy = tinyproxy(Some(("sio", "s3cret")));
    let connect_error = |mode: Transports, url: String| {
        let client = builder(&srv.url(), mode)
            .proxy(url)
            .reconnection(false)
            .build()
            .unwrap();
        async move {
            let error = within(20, "proxy refusal", client.socket("/").connect())
                .await
                .unwrap_err();
            client.close().await;
            error
        }
    };
    // no credentials: 407, named as such for both transports
    for mode in [Transports::WebSocketOnly, Transports::PollingOnly] {
        let text = open_error(connect_error(mode, proxy.url()).await);
        assert!(
            text.contains("requires authentication") && text.contains(&proxy.url()),
            "{mode:?}: {text}"
        );
    }
    // wrong credentials: tinyproxy answers 401 (not 407)
    let wrong = format!("http://sio:wrong@{}", proxy.addr());
    let text = open_error(connect_error(Transports::WebSocketOnly, wrong.clone()).await);
    assert!(
        text.contains("refused to open a tunnel")
            && text.contains("wrong credentials")
            && text.contains(&proxy.url())
            && !text.contains("sio:wrong"),
        "{text}"
    );
    // for polling the proxy's answer is the response: its status and page text
    match connect_error(Transports::PollingOnly, wrong).await {
        Error::Connect(ConnectError::Open(OpenError::HttpStatus {
            status: 401,
            message: Some(message),
        })) => assert!(message.contains("proxy"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_proxy_or_a_refused_tunnel_is_a_clear_error() {
    let srv = server();
    let dead = format!("http://127.0.0.1:{}", free_port().unwrap());
    for mode in [Transports::WebSocketOnly, Transports::PollingOnly] {
        let client = builder(&srv.url(), mode)
            .proxy(dead.as_str())
            .reconnection(false)
            .build()
            .unwrap();
        let text = open_error(
            within(20, "dead proxy", client.socket("/").connect())
                .await
                .unwrap_err(),
        );
        assert!(
            text.contains(&dead) && text.contains("proxy"),
            "{mode:?}: {text}"
        );
        client.close().await;
    }

    // the proxy answers CONNECT with an error when the destination does not listen
    let proxy = tinyproxy(None);
    let nowhere = format!("http://127.0.0.1:{}", free_port().unwrap());
    let client = builder(&nowhere, Transports::WebSocketOnly)
        .proxy(proxy.url())
        .reconnection(false)
        .build()
        .unwrap();
    let text = open_error(
        within(20, "refused tunnel", client.socket("/").connect())
            .await
            .unwrap_err(),
    );
    assert!(
        text.contains("refused to open a tunnel") && text.contains(&proxy.url()),
        "{text}"
    );
    client.close().await;

    // a proxy URL that cannot work is refused when building
    let err = builder(&srv.url(), Transports::WebSocketOnly)
        .proxy("socks5://127.0.0.1:1080")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::TransportSetup(_)), "{err}");
}
