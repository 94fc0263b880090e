//! The servers the transport tests talk to.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

/// A tokio-tungstenite server. It echoes text and binary, and obeys text commands:
/// `close` (normal close), `close-1011`, `ping` (sends a ping; says `pong-seen` when the
/// pong arrives), `big:N` (a text of N bytes), `burst:N` (texts "0".."N-1"), `drop` (hangs up
/// without a close frame).
pub(super) struct WsServer {
    pub(super) addr: SocketAddr,
    /// The `X-Test` header of each handshake.
    pub(super) headers: mpsc::UnboundedReceiver<Option<String>>,
    /// One message per close frame received from a client.
    pub(super) client_closes: mpsc::UnboundedReceiver<()>,
}

impl WsServer {
    pub(super) async fn start() -> WsServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (headers_tx, headers) = mpsc::unbounded_channel();
        let (closes_tx, client_closes) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let headers_tx = headers_tx.clone();
                let closes_tx = closes_tx.clone();
                tokio::spawn(serve_ws(tcp, headers_tx, closes_tx));
            }
        });
        WsServer {
            addr,
            headers,
            client_closes,
        }
    }

    pub(super) fn url(&self) -> String {
        format!("ws://{}/socket.io/?EIO=4&transport=websocket", self.addr)
    }
}

async fn serve_ws(
    tcp: TcpStream,
    headers: mpsc::UnboundedSender<Option<String>>,
    closes: mpsc::UnboundedSender<()>,
) {
    // the error type is tungstenite's, large by its design
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, response: Response| {
        let value = request
            .headers()
            .get("x-test")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let _ = headers.send(value);
        Ok(response)
    };
    let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(tcp, callback).await else {
        return;
    };
    while let Some(Ok(message)) = ws.next().await {
        let reply = match message {
            Message::Text(t) => match t.as_str() {
                "close" => {
                    let _ = ws.close(None).await;
                    continue;
                }
                "close-1011" => {
                    let frame = CloseFrame {
                        code: CloseCode::Error,
                        reason: "boom".into(),
                    };
                    let _ = ws.close(Some(frame)).await;
                    continue;
                }
                "ping" => Message::Ping(Bytes::from_static(b"xyz")),
                "drop" => return,
                cmd if cmd.starts_with("big:") => {
                    Message::Text("x".repeat(cmd[4..].parse().unwrap()).into())
                }
                cmd if cmd.starts_with("burst:") => {
                    for i in 0..cmd[6..].parse().unwrap() {
                        let _ = ws.feed(Message::Text(i.to_string().into())).await;
                    }
                    let _ = ws.flush().await;
                    continue;
                }
                _ => Message::Text(t),
            },
            Message::Binary(b) => Message::Binary(b),
            Message::Pong(p) if p == "xyz" => Message::Text("pong-seen".into()),
            Message::Close(_) => {
                let _ = closes.send(());
                continue;
            }
            _ => continue,
        };
        if ws.send(reply).await.is_err() {
            return;
        }
    }
}

/// What the test HTTP server saw.
#[derive(Debug, Clone)]
pub(super) struct Seen {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) x_test: Option<String>,
    pub(super) content_type: Option<String>,
    /// The `Cookie` header.
    pub(super) cookie: Option<String>,
    pub(super) body: Vec<u8>,
}

/// What the test HTTP server answers.
pub(super) enum Reply {
    Respond {
        status: u16,
        body: Vec<u8>,
        /// Send `Content-Length` (else the body ends with the connection).
        length: bool,
        delay: Duration,
    },
    /// Never answer (keep the connection open).
    Hang,
    /// `200 ok` with this `Set-Cookie` header.
    SetCookie(String),
}

impl Reply {
    pub(super) fn fixed(status: u16, body: &str) -> Reply {
        Reply::Respond {
            status,
            body: body.as_bytes().to_vec(),
            length: true,
            delay: Duration::ZERO,
        }
    }
}

/// A minimal HTTP/1.1 server: one request per connection, then `Connection: close`.
pub(super) struct HttpServer {
    pub(super) addr: SocketAddr,
    pub(super) seen: mpsc::UnboundedReceiver<Seen>,
    /// One message per connection the client closed before the reply was sent.
    pub(super) abandoned: mpsc::UnboundedReceiver<()>,
}

impl HttpServer {
    pub(super) async fn start(
        reply: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (seen_tx, seen) = mpsc::unbounded_channel();
        let (abandoned_tx, abandoned) = mpsc::unbounded_channel();
        let reply = Arc::new(reply);
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (reply, seen_tx, abandoned_tx) =
                    (reply.clone(), seen_tx.clone(), abandoned_tx.clone());
                tokio::spawn(async move {
                    let _ = serve_http(tcp, &*reply, seen_tx, abandoned_tx).await;
                });
            }
        });
        HttpServer {
            addr,
            seen,
            abandoned,
        }
    }

    pub(super) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

async fn serve_http(
    mut tcp: TcpStream,
    reply: &(dyn Fn(&Seen) -> Reply + Send + Sync),
    seen_tx: mpsc::UnboundedSender<Seen>,
    abandoned_tx: mpsc::UnboundedSender<()>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        let n = tcp.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut start = lines.next().unwrap_or("").split(' ');
    let (method, path) = (
        start.next().unwrap_or("").to_owned(),
        start.next().unwrap_or("").to_owned(),
    );
    let header = |name: &str| {
        head.split("\r\n").skip(1).find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = tcp.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let seen = Seen {
        method,
        path,
        x_test: header("x-test"),
        content_type: header("content-type"),
        cookie: header("cookie"),
        body,
    };
    let answer = reply(&seen);
    let _ = seen_tx.send(seen);
    match answer {
        Reply::Hang => {
            // wait for the client to give up
            while tcp.read(&mut chunk).await? > 0 {}
            let _ = abandoned_tx.send(());
        }
        Reply::SetCookie(cookie) => {
            let response = format!(
                "HTTP/1.1 200 OK\r\nConnection: close\r\nSet-Cookie: {cookie}\r\n\
                 Content-Length: 2\r\n\r\nok"
            );
            tcp.write_all(response.as_bytes()).await?;
            tcp.shutdown().await?;
        }
        Reply::Respond {
            status,
            body,
            length,
            delay,
        } => {
            tokio::time::sleep(delay).await;
            let mut response = format!("HTTP/1.1 {status} Whatever\r\nConnection: close\r\n");
            if length {
                response.push_str(&format!("Content-Length: {}\r\n", body.len()));
            }
            response.push_str("\r\n");
            tcp.write_all(response.as_bytes()).await?;
            tcp.write_all(&body).await?;
            tcp.shutdown().await?;
        }
    }
    Ok(())
}
