//! Long-polling HTTP requests against a minimal HTTP/1.1 server.

use std::time::Duration;

use sio_core::{RequestId, TransportCommand, TransportId, TransportInput};

use super::servers::{HttpServer, Reply};
use super::*;

#[tokio::test]
async fn get_and_post_report_status_and_body() {
    let mut server = HttpServer::start(|seen| {
        let body = format!(
            "{} {} {}",
            seen.method,
            seen.path,
            String::from_utf8_lossy(&seen.body)
        );
        Reply::fixed(if seen.method == "GET" { 200 } else { 201 }, &body)
    })
    .await;
    let mut t = transports();
    t.execute(get(
        4,
        1,
        &server.url("/socket.io/?EIO=4&transport=polling"),
    ));
    t.execute(post(4, 2, &server.url("/socket.io/?sid=x"), "4hello"));
    let mut inputs = vec![next(&mut t).await, next(&mut t).await];
    inputs.sort_by_key(|i| match i {
        TransportInput::HttpResponse { request, .. } => request.0,
        _ => 0,
    });
    assert_eq!(
        inputs,
        vec![
            TransportInput::HttpResponse {
                id: TransportId(4),
                request: RequestId(1),
                status: 200,
                body: "GET /socket.io/?EIO=4&transport=polling ".into(),
            },
            TransportInput::HttpResponse {
                id: TransportId(4),
                request: RequestId(2),
                status: 201,
                body: "POST /socket.io/?sid=x 4hello".into(),
            },
        ]
    );
    let mut seen = [
        server.seen.recv().await.unwrap(),
        server.seen.recv().await.unwrap(),
    ];
    seen.sort_by(|a, b| a.method.cmp(&b.method));
    assert_eq!(seen[0].x_test.as_deref(), Some("yes"));
    assert_eq!(
        seen[1].content_type.as_deref(),
        Some("text/plain;charset=UTF-8")
    );
    assert!(t.is_idle());
}

#[tokio::test]
async fn error_statuses_are_responses() {
    let server = HttpServer::start(|_| Reply::fixed(400, "{\"code\":1}")).await;
    let mut t = transports();
    t.execute(get(1, 9, &server.url("/socket.io/")));
    assert_eq!(
        next(&mut t).await,
        TransportInput::HttpResponse {
            id: TransportId(1),
            request: RequestId(9),
            status: 400,
            body: "{\"code\":1}".into(),
        }
    );
}

#[tokio::test]
async fn refused_request_fails() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut t = transports();
    t.execute(get(
        1,
        1,
        &format!("http://127.0.0.1:{port}/socket.io/?sid=secret"),
    ));
    let error = failed_error(next(&mut t).await, 1, 1);
    assert!(error.to_lowercase().contains("refused"), "{error}");
    assert!(
        !error.contains("secret"),
        "the URL (session id) leaks: {error}"
    );
}

#[tokio::test]
async fn response_bodies_are_capped_and_must_be_utf8() {
    let server = HttpServer::start(|seen| match seen.path.as_str() {
        "/declared" => Reply::fixed(200, &"x".repeat(2000)),
        "/streamed" => Reply::Respond {
            status: 200,
            body: vec![b'y'; 2000],
            length: false,
            delay: Duration::ZERO,
        },
        "/exact" => Reply::fixed(200, &"z".repeat(1000)),
        _ => Reply::Respond {
            status: 200,
            body: vec![b'o', b'k', 0xff],
            length: true,
            delay: Duration::ZERO,
        },
    })
    .await;
    let mut t = with_options(TransportOptions {
        max_message_size: 1000,
        ..TransportOptions::default()
    });
    t.execute(get(1, 1, &server.url("/declared")));
    let error = failed_error(next(&mut t).await, 1, 1);
    assert!(error.contains("exceeds the limit of 1000 bytes"), "{error}");
    t.execute(get(1, 2, &server.url("/streamed")));
    let error = failed_error(next(&mut t).await, 1, 2);
    assert!(error.contains("exceeds the limit of 1000 bytes"), "{error}");
    t.execute(get(1, 3, &server.url("/exact")));
    match next(&mut t).await {
        TransportInput::HttpResponse { body, .. } => assert_eq!(body.len(), 1000),
        other => panic!("{other:?}"),
    }
    t.execute(get(1, 4, &server.url("/binary")));
    let error = failed_error(next(&mut t).await, 1, 4);
    assert!(error.contains("not UTF-8"), "{error}");
}

#[tokio::test]
async fn close_abandons_gets_and_silences_posts() {
    let mut server = HttpServer::start(|seen| {
        if seen.method == "GET" {
            Reply::Hang
        } else {
            Reply::Respond {
                status: 200,
                body: b"ok".to_vec(),
                length: true,
                delay: Duration::from_millis(200),
            }
        }
    })
    .await;
    let mut t = transports();
    t.execute(get(5, 1, &server.url("/poll")));
    t.execute(post(5, 2, &server.url("/send"), "1"));
    // both requests reach the server
    for _ in 0..2 {
        drive_until(&mut t, server.seen.recv()).await.unwrap();
    }
    t.execute(TransportCommand::Close { id: TransportId(5) });
    assert!(!t.is_idle(), "the POST may finish");
    // the abandoned GET's connection is closed; the POST's answer is not reported
    drive_until(&mut t, server.abandoned.recv()).await.unwrap();
    drive_until_idle(&mut t).await;
}

#[tokio::test]
async fn requests_time_out_when_asked_to() {
    let server = HttpServer::start(|_| Reply::Hang).await;
    let mut t = with_options(TransportOptions {
        http_timeout: Some(Duration::from_millis(100)),
        ..TransportOptions::default()
    });
    t.execute(get(1, 1, &server.url("/poll")));
    let error = failed_error(next(&mut t).await, 1, 1);
    assert!(error.contains("timed out after 100ms"), "{error}");
}

#[tokio::test]
async fn close_also_drops_reports_already_queued() {
    let mut t = transports();
    t.ready.push_back(text(1, "queued before the close"));
    t.ready.push_back(text(2, "another transport"));
    t.execute(TransportCommand::Close { id: TransportId(1) });
    assert_eq!(next(&mut t).await, text(2, "another transport"));
    assert!(t.is_idle());
}
