//! # first-bot: the guide's bot, whole
//!
//! Every step of the `sio_client::guide` in one program, against the bundled test server
//! (`tests/server/server.js`): connect to the guarded namespace with a token, join a room,
//! send and receive a typed event with a binary field, answer the server's acknowledgement
//! request from an async handler that itself awaits an ack, keep shared state behind `Arc`,
//! log with tracing (`RUST_LOG=sio_client=debug`), and watch reconnect events.
//!
//! ```text
//! first-bot [URL]          (default http://127.0.0.1:3000)
//! ```
//!
//! It prints what it does and exits 0 when every step worked.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sio_client::{Client, ClientEvent, Error};

/// A typed event with a binary field: `jpeg` travels as a Socket.IO attachment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Photo {
    caption: String,
    jpeg: Bytes,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:3000".into());
    match run(&url).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("first-bot: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(url: &str) -> Result<(), Error> {
    // 2. connect, with auth
    let client = Client::builder(url)
        .auth(json!({ "token": "secret" }))
        .ack_timeout(Duration::from_secs(5))
        .build()?;
    // 9. reconnect events live on the client
    client.on_event(|event| match event {
        ClientEvent::ReconnectAttempt(n) => println!("reconnecting (attempt {n})"),
        ClientEvent::Reconnect(n) => println!("reconnected after {n} attempt(s)"),
        _ => {}
    });
    let socket = client.socket("/guarded");

    // 7. shared state behind Arc: what the bot was asked
    let questions = Arc::new(Mutex::new(Vec::<(i64, i64)>::new()));

    // 5. + 7. answer the server's ack request from an async handler that awaits an ack itself
    let (me, log) = (socket.clone(), questions.clone());
    socket.on_async("question", move |(a, b): (i64, i64), ack| {
        let (socket, log) = (me.clone(), log.clone());
        async move {
            if let Ok(mut log) = log.lock() {
                log.push((a, b));
            }
            let who: Value = socket.emit_with_ack("whoami", ()).await.unwrap_or_default();
            if let Some(ack) = ack {
                let _ = ack.send((a + b, who["nsp"].clone()));
            }
        }
    });

    let connected = socket.connect().await?;
    println!("connected to /guarded as {}", connected.id);

    // 3. a room, re-joined by itself after reconnects
    socket.join("lobby")?;

    // 4. a typed event with a binary field, round-tripped by the server's echo
    let photo = Photo {
        caption: "a cat".into(),
        jpeg: Bytes::from_static(&[0xff, 0xd8, 0xff, 0xe0]),
    };
    // 6. an ack with a timeout and a named result type
    let echoed: Photo = socket
        .timeout(Duration::from_secs(2))
        .emit_with_ack("echo", &photo)
        .await?;
    println!(
        "echoed {:?} with {} bytes",
        echoed.caption,
        echoed.jpeg.len()
    );
    assert_same(&echoed, &photo, "the photo came back changed")?;

    // the server asks us: our async handler answers
    let answer: Value = socket
        .emit_with_ack(
            "ask",
            json!({ "event": "question", "args": [2, 3], "timeoutMs": 5000 }),
        )
        .await?;
    println!("the server asked 2 + 3 and got {}", answer["args"]);
    assert_same(
        &answer,
        &json!({"ok": true, "args": [5, "/guarded"]}),
        "wrong answer",
    )?;

    let rooms: Vec<String> = socket.emit_with_ack("rooms", ()).await?;
    println!("in rooms {rooms:?}");
    let asked = questions.lock().map(|q| q.len()).unwrap_or_default();
    println!("answered {asked} question(s)");
    client.close().await;
    Ok(())
}

/// An error unless `got == want`.
fn assert_same<T: PartialEq + std::fmt::Debug>(got: &T, want: &T, what: &str) -> Result<(), Error> {
    if got == want {
        Ok(())
    } else {
        Err(Error::Payload(
            sio_client::payload::PayloadError::Deserialize(format!("{what}: {got:?} != {want:?}")),
        ))
    }
}
