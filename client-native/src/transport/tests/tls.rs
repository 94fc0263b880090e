//! `wss://` and `https://`: certificate errors, extra roots, the accept-anything escape hatch.

use sio_core::engineio::Frame;
use sio_core::{RequestId, TransportCommand, TransportId, TransportInput};
use sio_test_support::{TestServer, TlsFiles};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::super::TlsOptions;
use super::*;

#[tokio::test]
async fn wss_to_a_plain_server_is_a_tls_error() {
    // one server answers the ClientHello with plain HTTP, the other hangs up at once
    let http = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hangup = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (http_addr, hangup_addr) = (http.local_addr().unwrap(), hangup.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = http.accept().await {
            let mut buf = [0u8; 1024];
            let _ = tcp.read(&mut buf).await;
            let _ = tcp.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        }
    });
    tokio::spawn(async move {
        while let Ok((tcp, _)) = hangup.accept().await {
            drop(tcp);
        }
    });
    let mut t = transports();
    t.execute(open(1, format!("wss://{http_addr}/socket.io/")));
    let error = closed_error(next(&mut t).await, 1);
    assert!(error.contains("TLS"), "{error}");
    t.execute(open(2, format!("wss://{hangup_addr}/socket.io/")));
    let error = closed_error(next(&mut t).await, 2);
    assert!(error.contains("TLS"), "{error}");
}

/// A TLS-enabled reference server and its certificate.
fn tls_server() -> (TlsFiles, TestServer) {
    let files = TlsFiles::generate().expect("certificate");
    let server = TestServer::builder()
        .tls(files.cert_path(), files.key_path())
        .spawn()
        .expect("start the TLS test server (npm ci --prefix tests/server)");
    (files, server)
}

fn extra_ca(files: &TlsFiles) -> TlsOptions {
    TlsOptions {
        extra_ca_pem: vec![files.cert_pem().as_bytes().to_vec()],
        ..TlsOptions::default()
    }
}

#[tokio::test]
async fn wss_to_a_self_signed_server() {
    let (files, server) = tls_server();
    let url = format!(
        "wss://127.0.0.1:{}/socket.io/?EIO=4&transport=websocket",
        server.port()
    );

    // not trusted: a certificate error that says so
    let mut t = transports();
    t.execute(open(1, url.clone()));
    let error = closed_error(next(&mut t).await, 1);
    assert!(error.contains("TLS certificate problem"), "{error}");
    assert!(error.contains("UnknownIssuer"), "{error}");

    // trusted through extra_ca_pem
    let mut t = with_options(TransportOptions {
        tls: extra_ca(&files),
        ..TransportOptions::default()
    });
    t.execute(open(1, url.clone()));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Opened { id: TransportId(1) }
    );
    match next(&mut t).await {
        TransportInput::Frame {
            frame: Frame::Text(open),
            ..
        } => assert!(open.starts_with("0{\"sid\""), "{open}"),
        other => panic!("{other:?}"),
    }
    t.execute(TransportCommand::Close { id: TransportId(1) });
    drive_until_idle(&mut t).await;

    // accepted blindly when asked to
    let mut t = with_options(TransportOptions {
        tls: TlsOptions {
            use_webpki_roots: false,
            danger_accept_invalid_certs: true,
            ..TlsOptions::default()
        },
        ..TransportOptions::default()
    });
    t.execute(open(1, url));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Opened { id: TransportId(1) }
    );
}

#[tokio::test]
async fn https_polling_to_a_self_signed_server() {
    let (files, server) = tls_server();
    let url = format!(
        "https://127.0.0.1:{}/socket.io/?EIO=4&transport=polling",
        server.port()
    );
    let mut t = transports();
    t.execute(get(1, 1, &url));
    match next(&mut t).await {
        TransportInput::HttpFailed { error, .. } => {
            assert!(error.contains("TLS certificate problem"), "{error}")
        }
        other => panic!("{other:?}"),
    }
    let mut t = with_options(TransportOptions {
        tls: extra_ca(&files),
        ..TransportOptions::default()
    });
    t.execute(get(1, 2, &url));
    match next(&mut t).await {
        TransportInput::HttpResponse {
            id,
            request,
            status,
            body,
        } => {
            assert_eq!((id, request, status), (TransportId(1), RequestId(2), 200));
            assert!(body.starts_with("0{\"sid\""), "{body}");
        }
        other => panic!("{other:?}"),
    }
}
