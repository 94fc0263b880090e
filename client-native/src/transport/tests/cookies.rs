//! The connection's cookie jar across polling requests and WebSocket handshakes, against
//! real local servers (cookies ignore ports: both servers are the site 127.0.0.1).

use futures_util::StreamExt;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::http::HeaderValue;

use super::servers::{HttpServer, Reply};
use super::*;

/// A WebSocket server that reports each handshake's `Cookie` header and answers the upgrade
/// with `Set-Cookie: <set_cookie>`.
async fn cookie_ws_server(
    set_cookie: &'static str,
) -> (String, mpsc::UnboundedReceiver<Option<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                #[allow(clippy::result_large_err)]
                let callback = |request: &Request, mut response: Response| {
                    let cookie = request
                        .headers()
                        .get("cookie")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let _ = tx.send(cookie);
                    response
                        .headers_mut()
                        .insert("set-cookie", HeaderValue::from_static(set_cookie));
                    Ok(response)
                };
                if let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await {
                    while let Some(Ok(_)) = ws.next().await {}
                }
            });
        }
    });
    (
        format!("ws://{addr}/socket.io/?EIO=4&transport=websocket"),
        rx,
    )
}

#[tokio::test]
async fn polling_and_websocket_share_one_jar() {
    let mut http = HttpServer::start(|seen| match seen.path.as_str() {
        p if p.starts_with("/first") => Reply::SetCookie("SERVERID=a; path=/".into()),
        p if p.starts_with("/moved") => Reply::SetCookie("SERVERID=b; path=/".into()),
        _ => Reply::fixed(200, "ok"),
    })
    .await;
    let (ws_url, mut ws_cookies) = cookie_ws_server("io=xyz; Path=/; HttpOnly").await;
    let mut t = transports();

    t.execute(get(1, 1, &http.url("/first")));
    assert!(matches!(
        next(&mut t).await,
        TransportInput::HttpResponse { status: 200, .. }
    ));
    assert_eq!(http.seen.recv().await.unwrap().cookie, None);

    // the upgrade carries the polling cookie, and its own Set-Cookie is kept
    t.execute(open(2, ws_url.clone()));
    assert_eq!(
        next(&mut t).await,
        TransportInput::Opened { id: TransportId(2) }
    );
    assert_eq!(
        ws_cookies.recv().await.unwrap().as_deref(),
        Some("SERVERID=a")
    );

    // every response updates the jar: a re-dispatch replaces the stickiness cookie
    t.execute(get(1, 2, &http.url("/moved")));
    assert!(matches!(
        next(&mut t).await,
        TransportInput::HttpResponse { .. }
    ));
    let seen = http.seen.recv().await.unwrap().cookie.unwrap();
    assert!(
        seen.contains("SERVERID=a") && seen.contains("io=xyz"),
        "{seen}"
    );
    t.execute(get(1, 3, &http.url("/again")));
    assert!(matches!(
        next(&mut t).await,
        TransportInput::HttpResponse { .. }
    ));
    let seen = http.seen.recv().await.unwrap().cookie.unwrap();
    assert!(
        seen.contains("SERVERID=b") && !seen.contains("SERVERID=a"),
        "{seen}"
    );

    // another connection has its own jar
    let mut other = transports();
    other.execute(get(1, 1, &http.url("/again")));
    assert!(matches!(
        next(&mut other).await,
        TransportInput::HttpResponse { .. }
    ));
    assert_eq!(http.seen.recv().await.unwrap().cookie, None);
}

#[tokio::test]
async fn cookies_off_sends_none_and_user_cookies_stay() {
    let mut http = HttpServer::start(|_| Reply::SetCookie("SERVERID=a; path=/".into())).await;
    let mut t = with_options(TransportOptions {
        cookies: false,
        ..TransportOptions::default()
    });
    for request in 1..=2 {
        t.execute(get(1, request, &http.url("/x")));
        assert!(matches!(
            next(&mut t).await,
            TransportInput::HttpResponse { .. }
        ));
        assert_eq!(http.seen.recv().await.unwrap().cookie, None);
    }

    // with the jar on, a Cookie header given by the user is kept, the jar's cookies follow
    let mut t = transports();
    let url = http.url("/x");
    let with_user_cookie = |request: u64| TransportCommand::Http {
        id: TransportId(1),
        request: HttpRequest {
            id: RequestId(request),
            method: Method::Get,
            url: url.clone(),
            headers: vec![("Cookie".into(), "token=t".into())],
            body: None,
        },
    };
    t.execute(with_user_cookie(1));
    assert!(matches!(
        next(&mut t).await,
        TransportInput::HttpResponse { .. }
    ));
    assert_eq!(
        http.seen.recv().await.unwrap().cookie.as_deref(),
        Some("token=t")
    );
    t.execute(with_user_cookie(2));
    assert!(matches!(
        next(&mut t).await,
        TransportInput::HttpResponse { .. }
    ));
    assert_eq!(
        http.seen.recv().await.unwrap().cookie.as_deref(),
        Some("token=t; SERVERID=a")
    );
}
