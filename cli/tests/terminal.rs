//! `sio listen` for people (issue 14): readable coloured lines on a terminal, and the
//! interactive prompt, driven through a real pseudo-terminal (portable-pty) against the
//! bundled server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, PtySize};
use serde_json::json;
use sio_test_support::TestServer;

/// A program on a pseudo-terminal; what it prints is searched with colours stripped.
struct Terminal {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<Vec<u8>>>,
    /// How much of the stripped output earlier expectations consumed.
    consumed: usize,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Terminal {
    /// Runs `sh -c script` (with `$0` the `sio` binary) on a 120×40 terminal.
    fn spawn(script: &str, envs: &[(&str, &str)]) -> Terminal {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new("sh");
        cmd.args(["-c", script, env!("CARGO_BIN_EXE_sio")]);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let screen = Arc::new(Mutex::new(Vec::new()));
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Terminal {
            child,
            writer,
            screen,
            consumed: 0,
            _master: pair.master,
        }
    }

    fn raw(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).to_string()
    }

    fn text(&self) -> String {
        anstream::adapter::strip_str(&self.raw()).to_string()
    }

    /// Waits (≤ 15 s) for `needle` after what earlier expectations matched.
    fn expect(&mut self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = self.text();
            if let Some(i) = text.get(self.consumed..).and_then(|t| t.find(needle)) {
                self.consumed += i + needle.len();
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no {needle:?} on the terminal; it shows:\n{}",
                &text[self.consumed.min(text.len())..]
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn type_line(&mut self, line: &str) {
        self.type_keys(line);
        self.type_keys("\r");
    }

    fn type_keys(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Waits (≤ 15 s) for the exit code.
    fn exit_code(&mut self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("still running; the terminal shows:\n{}", self.text());
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn on_a_terminal_listen_prints_readable_coloured_lines() {
    let srv = TestServer::builder().no_recovery().spawn().unwrap();
    let script = format!(
        "exec \"$0\" listen {} --join lobby --transport websocket --reconnection-delay 100 < /dev/null",
        srv.url()
    );
    let mut t = Terminal::spawn(&script, &[]);
    t.expect("/       ● connected as ");
    t.expect("/       ✓ joined room lobby");
    srv.broadcast("/", "lobby", "news", json!(["hi", {"a": 1}]))
        .unwrap();
    t.expect("/       ← news  \"hi\", {\"a\":1}");
    let long = json!({"text": "a message long enough to be printed on lines of its own", "n": 1});
    srv.broadcast("/", "lobby", "long", json!([long])).unwrap();
    t.expect("← long\r\n    {\r\n      \"text\": \"a message long enough");
    srv.restart(Duration::from_millis(300), true).unwrap();
    t.expect("○ disconnected: transport close");
    t.expect("↻ reconnecting, attempt 1");
    t.expect("● reconnected at attempt");
    // colours: green for connected, yellow for the disconnect, bold cyan event names
    let raw = t.raw();
    assert!(
        raw.contains("\u{1b}[32m● \u{1b}[0m") || raw.contains("\u{1b}[32m●"),
        "{raw:?}"
    );
    assert!(
        raw.contains("\u{1b}[33mdisconnected: transport close"),
        "{raw:?}"
    );
    assert!(raw.contains("\u{1b}[1m\u{1b}[36mnews"), "{raw:?}");
    // a time column first: HH:MM:SS.mmm
    let first = t.text();
    let time = first.split_whitespace().next().unwrap();
    assert_eq!(time.len(), 12, "{first}");
    assert_eq!(&time[2..3], ":");
    assert_eq!(&time[8..9], ".");

    // NO_COLOR: the same lines, no colour; --json: the contract's lines on the terminal too
    let mut t = Terminal::spawn(&script, &[("NO_COLOR", "1")]);
    t.expect("● connected as ");
    assert!(!t.raw().contains("\u{1b}["), "{:?}", t.raw());
    let mut t = Terminal::spawn(&script.replace("< /dev/null", "--json < /dev/null"), &[]);
    t.expect(r#"{"type":"connect","ns":"/","id":"#);
}

#[test]
fn pretty_in_a_pipe_has_no_colour_and_json_is_the_default() {
    let srv = TestServer::spawn().unwrap();
    for (flag, want) in [
        ("--pretty", "● connected as "),
        ("--json", r#"{"type":"connect""#),
    ] {
        let mut child = common::sio()
            .args(["listen", &srv.url(), flag])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        writeln!(
            stdin,
            "{}",
            json!({"emit": "echo", "args": ["x"], "ack": 7})
        )
        .unwrap();
        writeln!(stdin, "{}", json!({"close": true})).unwrap();
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(want), "{flag}: {text}");
        assert!(!text.contains('\u{1b}'), "{flag}: {text:?}");
        if flag == "--pretty" {
            assert!(text.contains("⇠ ack #7 of echo ("), "{text}");
        } else {
            assert!(
                text.contains(r#"{"type":"ack","ref":7,"args":["x"]}"#),
                "{text}"
            );
        }
    }
}

#[test]
fn the_interactive_mode_at_a_terminal() {
    let srv = TestServer::spawn().unwrap();
    let history = std::env::temp_dir().join(format!("sio-history-{}", std::process::id()));
    let _ = std::fs::remove_file(&history);
    let script = format!("exec \"$0\" listen {} --transport websocket", srv.url());
    let mut t = Terminal::spawn(&script, &[("SIO_HISTORY", history.to_str().unwrap())]);
    t.expect("● connected as ");
    t.expect("/> ");

    // bare words and JSON; the ack is matched to its emit
    t.type_line(r#"emit --ack echo hi {"a": 1} 2"#);
    t.expect(r#"⇠ ack #1 of echo ("#);
    t.expect(r#""hi", {"a":1}, 2"#);

    // the server asks, `reply` answers the newest request
    t.type_line(r#"emit ask {"event":"q","args":["ok?"],"timeoutMs":10000}"#);
    t.expect("← q  [wants an ack: reply #0 ...]  \"ok?\"");
    t.type_line("reply yes");
    t.expect(r#"← answer  {"ok":true,"args":["yes"]}"#);

    // Tab completes commands and the event names seen so far
    t.type_keys("em\t--ack ans\t");
    t.expect("emit --ack answer");
    t.type_keys("\x15"); // Ctrl-U: clear the line
    t.type_keys("emit --ack ec\tbye\r");
    t.expect("⇠ ack #2 of echo (");
    t.expect("\"bye\"");

    // another namespace: the prompt follows, commands go there
    t.type_line("ns /admin");
    t.expect("/admin  ● connected as ");
    t.expect("/admin> ");
    t.type_line("emit --ack whoami");
    t.expect(r#""nsp": "/admin""#);
    t.type_line("join lobby");
    t.expect("/admin  ✓ joined room lobby");

    // errors at once, help, and a JSON command
    t.type_line("frobnicate");
    t.expect("error: unknown command \"frobnicate\" (try `help`)");
    t.type_line("disconnect /guarded");
    t.expect("error: namespace /guarded is not connected");
    t.type_line("help");
    t.expect("reply [#ID] [ARG]...");
    t.type_line(r#"{"emit": "echo", "args": [3], "ack": "j"}"#);
    t.expect("⇠ ack #j of echo (");

    t.type_line("quit");
    assert_eq!(t.exit_code(), 0);
    let saved = std::fs::read_to_string(&history).unwrap();
    assert!(saved.contains("emit --ack echo hi"), "{saved}");
    assert!(saved.contains("ns /admin"), "{saved}");
    let _ = std::fs::remove_file(&history);

    // Ctrl-D leaves too
    let mut t = Terminal::spawn(&script, &[("SIO_HISTORY", "")]);
    t.expect("/> ");
    t.type_keys("\x04");
    assert_eq!(t.exit_code(), 0);
}
