//! The sio test-fixture server on socketioxide (pinned by this project's Cargo.lock), with the
//! contract of tests/server/server.js as far as socketioxide allows. Started by
//! sio-test-support (ServerKind::Socketioxide) as a plain process.
//!
//!   sio-interop-socketioxide [--port N] [--ping-interval MS] [--ping-timeout MS]
//!       [--transports polling,websocket] [--max-http-buffer-size N] [--connect-timeout MS]
//!       [--no-recovery] [--parser json|msgpack] [--no-stdin]
//!
//! stdout: exactly one `PORT <n>` line once listening, then one JSON object per line (answers
//! to stdin commands, `down`/`up` notices of a restart). Logs go to stderr. stdin: the JSON
//! commands of server.js (restart, broadcast, kill_transports, count); EOF exits.
//!
//! Differences, by socketioxide 0.18's design: no connection state recovery (`--no-recovery`
//! is the only mode), middleware errors carry only a message (no `data`), no `--no-upgrades`,
//! no TLS, `close-transport` does nothing (no API closes one engine.io connection), and
//! `count` counts connections that have a namespace socket.

mod args;
mod fixtures;

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value as Json};
use socketioxide::service::SocketIoService;
use socketioxide::{ParserConfig, SocketIo, TransportType};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use fixtures::RestartRequest;

/// Writes a log line to stderr.
pub fn log(line: &str) {
    eprintln!("[socketioxide-fixture] {line}");
}

fn out(v: Json) {
    println!("{v}");
}

fn usage(message: &str) -> ! {
    eprintln!("sio-interop-socketioxide: {message}");
    std::process::exit(2);
}

struct Opts {
    port: u16,
    ping_interval: u64,
    ping_timeout: u64,
    transports: Vec<TransportType>,
    max_payload: u64,
    connect_timeout: u64,
    msgpack: bool,
    stdin: bool,
}

fn parse_args() -> Opts {
    let mut o = Opts {
        port: 0,
        ping_interval: 25_000,
        ping_timeout: 20_000,
        transports: vec![TransportType::Polling, TransportType::Websocket],
        max_payload: 1_000_000,
        connect_timeout: 45_000,
        msgpack: false,
        stdin: true,
    };
    let mut args = std::env::args().skip(1);
    let num = |flag: &str, v: Option<String>| -> u64 {
        v.and_then(|v| v.parse().ok())
            .unwrap_or_else(|| usage(&format!("{flag} needs a non-negative integer")))
    };
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--port" => o.port = num(&flag, args.next()) as u16,
            "--ping-interval" => o.ping_interval = num(&flag, args.next()),
            "--ping-timeout" => o.ping_timeout = num(&flag, args.next()),
            "--max-http-buffer-size" => o.max_payload = num(&flag, args.next()),
            "--connect-timeout" => o.connect_timeout = num(&flag, args.next()),
            "--transports" => {
                let list = args.next().unwrap_or_default();
                o.transports = list
                    .split(',')
                    .map(|t| match t.trim() {
                        "polling" => TransportType::Polling,
                        "websocket" => TransportType::Websocket,
                        other => usage(&format!("unknown transport {other}")),
                    })
                    .collect();
            }
            "--parser" => match args.next().as_deref() {
                Some("json") => o.msgpack = false,
                Some("msgpack") => o.msgpack = true,
                _ => usage("--parser takes json or msgpack"),
            },
            "--no-recovery" => {}
            "--no-stdin" => o.stdin = false,
            "--no-upgrades" => usage("--no-upgrades: socketioxide has no allowUpgrades option"),
            "--tls-cert" | "--tls-key" => usage("TLS is not supported by this fixture"),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    o
}

/// The listener and the HTTP connections it accepted, so that a restart can drop them all.
#[derive(Default)]
struct Listening {
    accept: Option<JoinHandle<()>>,
    connections: Arc<Mutex<HashMap<u64, tokio::task::AbortHandle>>>,
}

/// Everything outside `/socket.io/` gets the page the Node fixture serves.
#[derive(Clone)]
struct NotSocketIo;

impl hyper::service::Service<hyper::Request<hyper::body::Incoming>> for NotSocketIo {
    type Response = hyper::Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn call(&self, _req: hyper::Request<hyper::body::Incoming>) -> Self::Future {
        let mut page =
            hyper::Response::new(Full::new(Bytes::from_static(b"<html>not socket.io</html>")));
        page.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/html"),
        );
        std::future::ready(Ok(page))
    }
}

type Svc = SocketIoService<NotSocketIo>;

/// The socketioxide service and its handle.
fn build(opts: &Opts) -> (Svc, SocketIo) {
    let mut b = SocketIo::builder()
        .ping_interval(Duration::from_millis(opts.ping_interval))
        .ping_timeout(Duration::from_millis(opts.ping_timeout))
        .max_payload(opts.max_payload)
        .connect_timeout(Duration::from_millis(opts.connect_timeout));
    b = match opts.transports.as_slice() {
        [TransportType::Polling] => b.transports([TransportType::Polling]),
        [TransportType::Websocket] => b.transports([TransportType::Websocket]),
        _ => b,
    };
    if opts.msgpack {
        b = b.with_parser(ParserConfig::msgpack());
    }
    b.build_with_inner_svc(NotSocketIo)
}

fn main() {
    let opts = parse_args();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| usage(&format!("cannot start tokio: {e}")));
    rt.block_on(run(opts));
}

async fn run(opts: Opts) {
    let (svc, io) = build(&opts);
    let (restarts_tx, mut restarts) = mpsc::unbounded_channel::<RestartRequest>();
    fixtures::register(&io, &restarts_tx);
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], opts.port)))
        .await
        .unwrap_or_else(|e| usage(&format!("cannot listen on port {}: {e}", opts.port)));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(opts.port);
    let mut listening = Listening::default();
    listening.accept = Some(accept_loop(
        listener,
        svc.clone(),
        listening.connections.clone(),
    ));
    println!("PORT {port}");
    log(&format!(
        "listening on http://127.0.0.1:{port} parser={}",
        if opts.msgpack { "msgpack" } else { "json" }
    ));
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut server = Server {
        io,
        svc,
        port,
        listening,
        restarts: restarts_tx,
    };
    loop {
        tokio::select! {
            line = lines.next_line(), if opts.stdin => match line {
                Ok(Some(line)) if !line.trim().is_empty() => server.command(&line).await,
                Ok(Some(_)) => {}
                _ => {
                    log("exiting: stdin closed");
                    std::process::exit(0);
                }
            },
            Some(req) = restarts.recv() => server.restart(req.down, None).await,
        }
    }
}

struct Server {
    io: SocketIo,
    svc: Svc,
    port: u16,
    listening: Listening,
    restarts: mpsc::UnboundedSender<RestartRequest>,
}

fn accept_loop(
    listener: TcpListener,
    svc: Svc,
    conns: Arc<Mutex<HashMap<u64, tokio::task::AbortHandle>>>,
) -> JoinHandle<()> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let id = NEXT.fetch_add(1, Ordering::Relaxed);
            let svc = svc.clone();
            let conns2 = conns.clone();
            let task = tokio::spawn(async move {
                let conn = http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), svc)
                    .with_upgrades();
                let _ = conn.await;
                if let Ok(mut c) = conns2.lock() {
                    c.remove(&id);
                }
            });
            if let Ok(mut c) = conns.lock() {
                c.insert(id, task.abort_handle());
            }
        }
    })
}

impl Server {
    /// Closes every engine.io connection (clients see a transport close), then registers the
    /// namespaces again (`io.close()` drops them). Returns how many connections there were.
    async fn kill_transports(&self) -> usize {
        let count = fixtures::client_count(&self.io);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.io.close()).await;
        fixtures::register(&self.io, &self.restarts);
        count
    }

    async fn restart(&mut self, down: Duration, id: Option<Json>) {
        let tag = |mut v: Json| {
            if let (Some(id), Some(o)) = (&id, v.as_object_mut()) {
                o.insert("id".into(), id.clone());
            }
            v
        };
        log(&format!("restart: down for {down:?}"));
        if let Some(accept) = self.listening.accept.take() {
            accept.abort();
            let _ = accept.await;
        }
        self.kill_transports().await;
        if let Ok(mut conns) = self.listening.connections.lock() {
            for (_, task) in conns.drain() {
                task.abort();
            }
        }
        out(tag(json!({"event": "down"})));
        tokio::time::sleep(down).await;
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        for _ in 0..50 {
            match TcpListener::bind(addr).await {
                Ok(listener) => {
                    self.listening.accept = Some(accept_loop(
                        listener,
                        self.svc.clone(),
                        self.listening.connections.clone(),
                    ));
                    log(&format!("restart: up again on port {}", self.port));
                    out(tag(json!({"event": "up"})));
                    return;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        out(tag(
            json!({"event": "error", "message": "restart failed: cannot listen again"}),
        ));
    }

    async fn command(&mut self, line: &str) {
        let cmd: Json = match serde_json::from_str(line) {
            Ok(v @ Json::Object(_)) => v,
            Ok(_) => {
                return out(json!({"event": "error", "message": "a command is a JSON object"}))
            }
            Err(e) => {
                return out(json!({"event": "error", "message": format!("invalid JSON: {e}")}))
            }
        };
        let id = cmd.get("id").cloned();
        let tagged = |mut v: Json| {
            if let (Some(id), Some(o)) = (&id, v.as_object_mut()) {
                o.insert("id".into(), id.clone());
            }
            out(v)
        };
        match cmd.get("cmd").and_then(Json::as_str) {
            Some("restart") => {
                let down = cmd.get("down_ms").and_then(Json::as_u64).unwrap_or(500);
                self.restart(Duration::from_millis(down), id).await;
            }
            Some("broadcast") => {
                let nsp = cmd.get("nsp").and_then(Json::as_str).unwrap_or("/");
                let event = cmd.get("event").and_then(Json::as_str).unwrap_or_default();
                let args = match cmd.get("args") {
                    Some(Json::Array(items)) => {
                        args::Args(items.iter().map(args::from_json).collect())
                    }
                    _ => args::Args::default(),
                };
                if let Some(ops) = self.io.of(nsp) {
                    let _ = match cmd.get("room").and_then(Json::as_str) {
                        Some(room) => ops.to(room.to_owned()).emit(event.to_owned(), &args).await,
                        None => ops.emit(event.to_owned(), &args).await,
                    };
                }
                tagged(json!({"event": "broadcast-done"}));
            }
            Some("kill_transports") => {
                let count = self.kill_transports().await;
                tagged(json!({"event": "killed", "count": count}));
            }
            Some("count") => {
                let count = fixtures::client_count(&self.io);
                tagged(json!({"event": "count", "clients": count}));
            }
            other => {
                tagged(json!({"event": "error", "message": format!("unknown command {other:?}")}))
            }
        }
    }
}
