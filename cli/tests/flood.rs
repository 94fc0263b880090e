//! `sio listen` under a flood (issue 13): a blocked stdout holds the client (bounded memory,
//! nothing lost, order kept), and Ctrl-C (SIGINT) stops it promptly, stdout read or not.
//! The real binary against the bundled server's `emit-n` fixture.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use common::{interrupt, rss_kib, sio};
use serde_json::json;
use sio_test_support::TestServer;

/// Events of the flood: far more than the pipe (64 KiB ≈ 1,300 lines), the output queue
/// (256 lines) and the event stream (1,024 events) hold together.
const FLOOD: u64 = 300_000;

/// Largest resident set accepted while stdout is not read. Unbounded buffering of the flood
/// needs well over 100 MB (each event is a decoded message and a rendered line).
const RSS_LIMIT_KIB: u64 = 64 * 1024;

/// A `sio listen` whose stdout is read only when the test says so.
struct Flooded {
    child: Child,
    stdin: ChildStdin,
    stdout: Option<BufReader<ChildStdout>>,
}

impl Flooded {
    fn start(url: &str) -> Flooded {
        let mut child = sio()
            // the ack comes behind the flood: give the test time to read it all
            .args([
                "listen",
                url,
                "--transport",
                "websocket",
                "--ack-timeout",
                "600000",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().map(BufReader::new);
        Flooded {
            child,
            stdin,
            stdout,
        }
    }

    fn send(&mut self, cmd: serde_json::Value) {
        writeln!(self.stdin, "{cmd}").unwrap();
        self.stdin.flush().unwrap();
    }

    fn flood(&mut self, count: u64, ack: &str) {
        self.send(json!({"emit": "emit-n", "args": [{"event": "n", "count": count}], "ack": ack}));
    }

    fn next_line(&mut self) -> String {
        let mut line = String::new();
        let n = self.stdout.as_mut().unwrap().read_line(&mut line).unwrap();
        assert!(n > 0, "stdout ended early");
        line.trim_end().to_string()
    }

    /// Waits (≤ 20 s) for the process to exit.
    fn exit_within_20s(&mut self) -> Option<i32> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("sio listen did not exit within 20 s of SIGINT");
    }
}

impl Drop for Flooded {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_blocked_stdout_holds_the_flood_in_bounded_memory_and_loses_nothing() {
    let srv = TestServer::builder().no_recovery().spawn().unwrap();
    let mut l = Flooded::start(&srv.url());
    l.flood(FLOOD, "flood");
    // stdout is not read for 3 s: the flood arrives, the client must hold it back
    let pid = l.child.id();
    let mut peak = 0;
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        peak = peak.max(rss_kib(pid).unwrap_or(0));
        std::thread::sleep(Duration::from_millis(50));
    }
    let written = written_bytes(pid);
    eprintln!("peak RSS with stdout unread: {peak} KiB; {written} bytes written");
    assert!(peak > 0);
    // the listener was held: it wrote about a pipe's worth, not the flood
    assert!(
        written < 1024 * 1024,
        "{written} bytes written: stdout was not full"
    );
    assert!(peak < RSS_LIMIT_KIB, "RSS grew to {peak} KiB");

    // now read: everything, in order, byte for byte the contract's lines
    let connect = l.next_line();
    assert!(
        connect.starts_with(r#"{"type":"connect","ns":"/","id":"#),
        "{connect}"
    );
    for i in 0..FLOOD {
        let line = l.next_line();
        assert_eq!(
            line,
            format!(r#"{{"type":"event","ns":"/","event":"n","args":[{i}]}}"#)
        );
    }
    assert_eq!(
        l.next_line(),
        r#"{"type":"ack","ref":"flood","args":[300000]}"#
    );
    let after = rss_kib(pid).unwrap_or(0);
    eprintln!("RSS after printing everything: {after} KiB");
}

#[test]
fn sigint_under_a_flood_stops_the_listener_promptly() {
    let srv = TestServer::builder().no_recovery().spawn().unwrap();

    // stdout read: the listener is busy printing when the signal lands
    let mut l = Flooded::start(&srv.url());
    for i in 0..5 {
        l.flood(50_000, &format!("f{i}"));
    }
    for _ in 0..20_000 {
        l.next_line();
    }
    let mut reader = l.stdout.take().unwrap();
    let drain = std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = std::io::copy(&mut reader, &mut sink);
    });
    let t = Instant::now();
    interrupt(l.child.id());
    assert_eq!(l.exit_within_20s(), Some(0));
    eprintln!("exited {:?} after SIGINT (stdout read)", t.elapsed());
    drain.join().unwrap();

    // stdout not read at all: the listener waits on a full pipe when the signal lands
    let mut l = Flooded::start(&srv.url());
    l.flood(200_000, "f");
    let pid = l.child.id();
    let t = Instant::now();
    // the pipe is full once the process stops writing: its write count stays put (1 s)
    let mut last = written_bytes(pid);
    let mut still = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    while still < 5 {
        assert!(Instant::now() < deadline, "the pipe never filled");
        std::thread::sleep(Duration::from_millis(200));
        let now = written_bytes(pid);
        still = if now == last && now > 10_000 {
            still + 1
        } else {
            0
        };
        last = now;
    }
    eprintln!("pipe full after {:?}", t.elapsed());
    let t = Instant::now();
    interrupt(pid);
    assert_eq!(l.exit_within_20s(), Some(0));
    eprintln!("exited {:?} after SIGINT (stdout full)", t.elapsed());
}

/// Bytes the process wrote (`wchar` of /proc/PID/io).
fn written_bytes(pid: u32) -> u64 {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap_or_default();
    io.lines()
        .find_map(|l| l.strip_prefix("wchar: "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}
