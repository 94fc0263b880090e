//! Tests of the support code itself: a real server, a real proxy, real sockets.
//! Waits are for events, with generous deadlines; the only fixed waits check that
//! nothing arrives (blackhole).

#![allow(clippy::unwrap_used)]

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use serde_json::{json, Value};

use crate::{free_port, golden_vectors_path, FaultProxy, Mode, TestServer, TlsFiles};

const DEADLINE: Duration = Duration::from_secs(10);

/// One HTTP/1.0 request over a fresh connection; returns the whole response.
fn http_get(addr: SocketAddr, path: &str) -> io::Result<String> {
    let mut s = TcpStream::connect_timeout(&addr, DEADLINE)?;
    s.set_read_timeout(Some(DEADLINE))?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut response = String::new();
    s.read_to_string(&mut response)?;
    Ok(response)
}

/// One HTTP/1.0 POST with a text body over a fresh connection; returns the whole response.
fn http_post(addr: SocketAddr, path: &str, body: &str) -> io::Result<String> {
    let mut s = TcpStream::connect_timeout(&addr, DEADLINE)?;
    s.set_read_timeout(Some(DEADLINE))?;
    write!(
        s,
        "POST {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    s.read_to_string(&mut response)?;
    Ok(response)
}

fn body(response: &str) -> &str {
    response.split("\r\n\r\n").nth(1).unwrap_or("")
}

fn assert_refused(addr: SocketAddr) {
    match TcpStream::connect_timeout(&addr, DEADLINE) {
        Err(e) => assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused, "{e}"),
        Ok(_) => panic!("{addr} still accepts connections"),
    }
}

#[test]
fn server_listens_answers_and_goes_away_on_drop() {
    let server = TestServer::spawn().unwrap();
    assert_ne!(server.port(), 0);
    assert_eq!(server.url(), format!("http://127.0.0.1:{}", server.port()));
    let response = http_get(server.addr(), "/not-socket-io").unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("text/html"), "{response}");
    assert!(
        response.ends_with("<html>not socket.io</html>"),
        "{response}"
    );
    assert_eq!(server.client_count().unwrap(), 0);
    let addr = server.addr();
    drop(server);
    assert_refused(addr);
}

#[test]
fn engine_clients_are_counted_and_killed() {
    let server = TestServer::builder()
        .ping_interval(5000)
        .ping_timeout(5000)
        .spawn()
        .unwrap();
    // an Engine.IO polling handshake by hand
    let response = http_get(server.addr(), "/socket.io/?EIO=4&transport=polling").unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap();
    assert!(body.starts_with("0{"), "{response}");
    let open: Value = serde_json::from_str(&body[1..]).unwrap();
    assert_eq!(open["pingInterval"], 5000);
    assert_eq!(open["pingTimeout"], 5000);
    assert_eq!(open["maxPayload"], 1_000_000);
    assert!(open["sid"].is_string());
    assert_eq!(server.client_count().unwrap(), 1);
    assert_eq!(server.kill_transports().unwrap(), 1);
    assert_eq!(server.client_count().unwrap(), 0);
    // broadcasting to an empty room is fine; non-array args are refused
    server
        .broadcast("/", "room", "e", json!([1, "two"]))
        .unwrap();
    server.broadcast_all("/admin", "e", json!([])).unwrap();
    let err = server.broadcast("/", "room", "e", json!({})).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
}

#[test]
fn options_reach_the_handshake() {
    let server = TestServer::builder()
        .ping_interval(1234)
        .ping_timeout(567)
        .max_http_buffer_size(4321)
        .no_upgrades()
        .no_recovery()
        .connect_timeout(1000)
        .spawn()
        .unwrap();
    let response = http_get(server.addr(), "/socket.io/?EIO=4&transport=polling").unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap();
    let open: Value = serde_json::from_str(&body[1..]).unwrap();
    assert_eq!(open["pingInterval"], 1234);
    assert_eq!(open["pingTimeout"], 567);
    assert_eq!(open["maxPayload"], 4321);
    assert_eq!(open["upgrades"], json!([]));

    let ws_only = TestServer::builder()
        .transports(&["websocket"])
        .spawn()
        .unwrap();
    let response = http_get(ws_only.addr(), "/socket.io/?EIO=4&transport=polling").unwrap();
    assert!(response.starts_with("HTTP/1.1 400"), "{response}");
}

#[test]
fn restart_goes_down_and_comes_back_on_the_same_port() {
    let server = TestServer::spawn().unwrap();
    let port = server.port();
    server.restart(Duration::from_millis(100), true).unwrap();
    assert_eq!(server.port(), port);
    assert!(http_get(server.addr(), "/")
        .unwrap()
        .ends_with("not socket.io</html>"));

    server
        .restart_begin(Duration::from_millis(300), false)
        .unwrap();
    assert_refused(server.addr());
    assert!(server.restart_begin(Duration::ZERO, false).is_err());
    server.wait_up().unwrap();
    let response = http_get(server.addr(), "/socket.io/?EIO=4&transport=polling").unwrap();
    assert!(response.contains("\"sid\""), "{response}");
    assert_eq!(server.client_count().unwrap(), 1);
    assert!(server.wait_up().is_err(), "no restart pending");
}

#[test]
fn fixture_restart_event_is_seen_as_unsolicited_lines() {
    let server = TestServer::spawn().unwrap();
    let addr = server.addr();
    // Engine.IO handshake, Socket.IO CONNECT to "/", then the `restart` fixture event
    let open = http_get(addr, "/socket.io/?EIO=4&transport=polling").unwrap();
    let open: Value = serde_json::from_str(&body(&open)[1..]).unwrap();
    let path = format!(
        "/socket.io/?EIO=4&transport=polling&sid={}",
        open["sid"].as_str().unwrap()
    );
    assert_eq!(body(&http_post(addr, &path, "40").unwrap()), "ok");
    let connected = http_get(addr, &path).unwrap();
    assert!(body(&connected).starts_with("40{\"sid\":"), "{connected}");
    let event = r#"42["restart",{"downMs":100,"forgetSessions":true}]"#;
    assert_eq!(body(&http_post(addr, &path, event).unwrap()), "ok");
    let down = server.wait_event("down", DEADLINE).unwrap();
    assert_eq!(down, json!({"event": "down"}));
    server.wait_event("up", DEADLINE).unwrap();
    assert_eq!(server.client_count().unwrap(), 0);
    assert!(http_get(addr, "/")
        .unwrap()
        .ends_with("not socket.io</html>"));
}

#[test]
fn fixed_port_and_free_port() {
    let port = free_port().unwrap();
    let server = TestServer::builder().port(port).spawn().unwrap();
    assert_eq!(server.port(), port);
    // a second server on the same port fails, with the log in the error
    let err = TestServer::builder().port(port).spawn().unwrap_err();
    let message = err.to_string();
    assert!(message.contains("server log"), "{message}");
    assert!(message.contains("cannot listen"), "{message}");
}

#[test]
fn tls_server_starts() {
    let tls = TlsFiles::generate().unwrap();
    assert!(tls.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    let server = TestServer::builder()
        .tls(tls.cert_path(), tls.key_path())
        .spawn()
        .unwrap();
    assert!(server.url().starts_with("https://127.0.0.1:"));
    // plaintext HTTP gets no "not socket.io" page from a TLS server
    let plain = http_get(server.addr(), "/").unwrap_or_default();
    assert!(!plain.contains("not socket.io"), "{plain}");
    let dir = tls.dir().to_owned();
    drop(server);
    drop(tls);
    assert!(!dir.exists());
}

#[test]
fn golden_vectors_are_present() {
    let text = std::fs::read_to_string(golden_vectors_path()).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert!(doc["generator"]
        .as_str()
        .unwrap()
        .starts_with("socket.io-parser "));
    assert!(!doc["socketio"]["packets"].as_array().unwrap().is_empty());
}

/// A TCP echo server on a free port; runs until the test process ends.
fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            thread::spawn(move || {
                let mut buf = [0u8; 4096];
                loop {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if stream.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                    }
                }
            });
        }
    });
    addr
}

fn connect(proxy: &FaultProxy) -> TcpStream {
    let s = TcpStream::connect_timeout(&proxy.addr(), DEADLINE).unwrap();
    // A connection the proxy resets right after accepting may already refuse socket options
    // (ECONNRESET); reading from it then fails at once, which is what the tests check.
    let _ = s.set_read_timeout(Some(DEADLINE));
    s
}

fn round_trip(s: &mut TcpStream, msg: &[u8]) {
    s.write_all(msg).unwrap();
    let mut got = vec![0u8; msg.len()];
    s.read_exact(&mut got).unwrap();
    assert_eq!(got, msg);
}

/// After a reset, the next read fails with a reset (or, at worst, sees EOF).
fn assert_dead(s: &mut TcpStream) {
    let mut buf = [0u8; 16];
    match s.read(&mut buf) {
        Ok(0) => {}
        Ok(n) => panic!("read {n} bytes from a reset connection"),
        Err(e) => assert!(
            matches!(
                e.kind(),
                io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
            ),
            "{e}"
        ),
    }
}

#[test]
fn proxy_passes_bytes_and_half_closes() {
    let proxy = FaultProxy::start(echo_server()).unwrap();
    assert_eq!(proxy.mode(), Mode::Pass);
    let mut a = connect(&proxy);
    let mut b = connect(&proxy);
    round_trip(&mut a, b"hello");
    round_trip(&mut b, &[0u8, 1, 2, 255]);
    round_trip(&mut a, &vec![7u8; 100_000]);
    assert_eq!(proxy.active_connections(), 2);
    // a half-close travels through: the echo server closes, so we read EOF
    a.shutdown(std::net::Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    a.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
}

#[test]
fn proxy_blackhole_drops_bytes_and_keeps_connections() {
    let proxy = FaultProxy::start(echo_server()).unwrap();
    let mut s = connect(&proxy);
    round_trip(&mut s, b"before");
    proxy.set_mode(Mode::Blackhole);
    s.write_all(b"lost").unwrap();
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 16];
    let err = s.read(&mut buf).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ),
        "{err}"
    );
    // a new connection is accepted but silent too
    let mut fresh = connect(&proxy);
    fresh.write_all(b"x").unwrap();
    fresh
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    assert!(fresh.read(&mut buf).is_err());
    // back to pass: the same connections work again (the dropped bytes stay lost)
    proxy.set_mode(Mode::Pass);
    s.set_read_timeout(Some(DEADLINE)).unwrap();
    round_trip(&mut s, b"after");
    fresh.set_read_timeout(Some(DEADLINE)).unwrap();
    round_trip(&mut fresh, b"y");
}

#[test]
fn proxy_reset_kills_connections_and_refuses_new_ones() {
    let proxy = FaultProxy::start(echo_server()).unwrap();
    let mut a = connect(&proxy);
    let mut b = connect(&proxy);
    round_trip(&mut a, b"a");
    round_trip(&mut b, b"b");
    proxy.set_mode(Mode::Reset);
    assert_eq!(proxy.active_connections(), 0);
    assert_dead(&mut a);
    assert_dead(&mut b);
    // new connections are accepted and reset at once
    let accepted = proxy.accepted_connections();
    let mut c = connect(&proxy);
    assert_dead(&mut c);
    assert_eq!(proxy.accepted_connections(), accepted + 1);
    // pass again: new connections work
    proxy.set_mode(Mode::Pass);
    let mut d = connect(&proxy);
    round_trip(&mut d, b"d");
}

#[test]
fn proxy_delay_still_delivers() {
    let proxy = FaultProxy::start(echo_server()).unwrap();
    proxy.set_mode(Mode::Delay(Duration::from_millis(20)));
    let mut s = connect(&proxy);
    let start = std::time::Instant::now();
    round_trip(&mut s, b"slow");
    assert!(start.elapsed() >= Duration::from_millis(40));
}

#[test]
fn proxy_resets_clients_when_the_target_is_down() {
    let port = free_port().unwrap();
    let proxy = FaultProxy::start(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).unwrap();
    let mut s = connect(&proxy);
    assert_dead(&mut s);
    assert_eq!(proxy.active_connections(), 0);
}

#[test]
fn proxy_in_front_of_the_test_server() {
    let server = TestServer::spawn().unwrap();
    let proxy = FaultProxy::start(server.addr()).unwrap();
    let response = http_get(proxy.addr(), "/socket.io/?EIO=4&transport=polling").unwrap();
    assert!(response.contains("\"sid\""), "{response}");
    assert_eq!(server.client_count().unwrap(), 1);
    let addr = proxy.addr();
    drop(proxy);
    assert_refused(addr);
}
