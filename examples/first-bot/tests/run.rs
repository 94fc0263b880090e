//! The guide's bot against the bundled server: every step must work.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use sio_test_support::TestServer;

#[test]
fn the_first_bot_runs_every_step_of_the_guide() {
    let server = TestServer::spawn().expect("start the bundled server");
    let out = Command::new(env!("CARGO_BIN_EXE_first-bot"))
        .arg(server.url())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("connected to /guarded as"), "{stdout}");
    assert!(stdout.contains("echoed \"a cat\" with 4 bytes"), "{stdout}");
    assert!(stdout.contains("answered 1 question(s)"), "{stdout}");
    assert!(stdout.contains("\"lobby\""), "{stdout}");
}
