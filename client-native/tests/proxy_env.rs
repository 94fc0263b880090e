//! The proxy from the environment (`HTTP_PROXY`), and `.no_proxy()` overriding it. A test
//! binary of its own: the variables are process-wide and read when a client is built.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{builder, server, within, MODES};
use sio_test_support::HttpProxy;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_proxy_from_the_environment_and_no_proxy() {
    let srv = server();
    let proxy = HttpProxy::builder()
        .basic_auth("env", "pw")
        .spawn()
        .expect("start tinyproxy (make cluster-deps installs it)");
    // the only test of this binary: nothing else reads the environment meanwhile
    std::env::set_var("HTTP_PROXY", proxy.url_with_auth());
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    let port = srv.port();
    for mode in MODES {
        let client = builder(&srv.url(), mode).build().unwrap();
        let socket = client.socket("/");
        within(20, "connect through HTTP_PROXY", socket.connect())
            .await
            .unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        let echoed: String = socket.emit_with_ack("echo", "env").await.unwrap();
        assert_eq!(echoed, "env");
        client.close().await;
    }
    let log = proxy.log();
    assert!(
        log.contains(&format!("GET http://127.0.0.1:{port}/socket.io/")),
        "{log}"
    );
    assert!(log.contains(&format!("CONNECT 127.0.0.1:{port}")), "{log}");

    // .no_proxy() connects directly whatever the environment says
    let before = proxy.log().lines().count();
    for mode in MODES {
        let client = builder(&srv.url(), mode).no_proxy().build().unwrap();
        let socket = client.socket("/");
        within(20, "direct connect", socket.connect())
            .await
            .unwrap();
        let echoed: String = socket.emit_with_ack("echo", "direct").await.unwrap();
        assert_eq!(echoed, "direct");
        client.close().await;
    }
    let after: Vec<String> = proxy
        .log()
        .lines()
        .skip(before)
        .map(str::to_owned)
        .collect();
    assert!(
        !after
            .iter()
            .any(|l| l.contains(&format!("127.0.0.1:{port}"))),
        "{after:#?}"
    );
    std::env::remove_var("HTTP_PROXY");
}
