//! What `sio` prints: the contract's JSON lines ([`lines`]) or readable lines for people
//! ([`pretty`]), written by one thread through a bounded queue ([`Output`]).
//!
//! The queue is the only thing between the event streams and stdout, and it is bounded: when
//! stdout is not read, sending to the queue waits, so the listener stops pulling events, its
//! [`EventStream`](sio_client::EventStream)s fill up, and the client stops reading the
//! network. A flood costs a bounded amount of memory, never a growing one.

pub(crate) mod lines;
pub(crate) mod pretty;

use std::io::{IsTerminal, Write};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

/// Lines waiting for the writer thread (beyond them, the listener waits).
const QUEUE_LINES: usize = 256;

/// Largest batch the writer hands to the terminal or pipe in one write.
const BATCH_BYTES: usize = 64 * 1024;

/// How lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// The contract's JSON lines, byte for byte.
    Json,
    /// Readable lines: time, namespace, event, pretty arguments; `color` adds ANSI colours.
    Pretty { color: bool },
}

impl Format {
    /// `--pretty` / `--json`, else pretty on a terminal and JSON in a pipe. Colours follow
    /// the terminal, `NO_COLOR` and `CLICOLOR(_FORCE)`.
    pub(crate) fn choose(pretty: bool, json: bool) -> Format {
        let stdout = std::io::stdout();
        if json || (!pretty && !stdout.is_terminal()) {
            return Format::Json;
        }
        let color = anstream::AutoStream::choice(&stdout) != anstream::ColorChoice::Never;
        Format::Pretty { color }
    }
}

/// What the pretty format shows beyond the JSON line.
#[derive(Debug, Clone, Default)]
pub(crate) struct Context {
    /// For `ack` and `ack_error`: the namespace of the emit.
    pub(crate) ns: Option<String>,
    /// For `ack` and `ack_error`: the event that was emitted.
    pub(crate) emitted: Option<String>,
    /// For `ack` and `ack_error`: how long the answer took.
    pub(crate) elapsed: Option<Duration>,
}

/// Where the writer thread writes.
pub(crate) trait Sink: Send + 'static {
    /// Writes `text` (whole lines, each ending in `\n`) and flushes.
    fn write_text(&mut self, text: &str) -> std::io::Result<()>;
}

/// Standard output.
pub(crate) struct Stdout;

impl Sink for Stdout {
    fn write_text(&mut self, text: &str) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()
    }
}

/// The reader of stdout went away (a closed pipe): nothing more can be shown.
#[derive(Debug)]
pub(crate) struct Gone;

/// The listener's printer: renders records in its [`Format`] and queues them for the writer
/// thread (bounded: see the module docs).
pub(crate) struct Output {
    format: Format,
    tx: mpsc::Sender<String>,
    done: oneshot::Receiver<()>,
}

impl Output {
    /// Starts the writer thread on `sink`.
    pub(crate) fn start(format: Format, sink: impl Sink) -> std::io::Result<Output> {
        let (tx, rx) = mpsc::channel(QUEUE_LINES);
        let (done_tx, done) = oneshot::channel();
        std::thread::Builder::new()
            .name("sio-output".into())
            .spawn(move || {
                write_lines(rx, sink);
                let _ = done_tx.send(());
            })?;
        Ok(Output { format, tx, done })
    }

    /// Whether lines are for people (not the JSON contract).
    pub(crate) fn is_pretty(&self) -> bool {
        matches!(self.format, Format::Pretty { .. })
    }

    /// Prints one contract line (rendered for people in the pretty format).
    pub(crate) async fn record(&self, line: &Value, context: &Context) -> Result<(), Gone> {
        let text = match self.format {
            Format::Json => line.to_string(),
            Format::Pretty { color } => pretty::render(line, context, color),
        };
        self.text(text).await
    }

    /// Prints text as it is (help and listings at the prompt).
    pub(crate) async fn text(&self, text: String) -> Result<(), Gone> {
        self.tx.send(text).await.map_err(|_| Gone)
    }

    /// Stops taking lines and waits until the queued ones are written, for at most `wait`
    /// (`None`: as long as it takes).
    pub(crate) async fn finish(self, wait: Option<Duration>) {
        let Output { tx, done, .. } = self;
        drop(tx);
        match wait {
            Some(wait) => {
                let _ = tokio::time::timeout(wait, done).await;
            }
            None => {
                let _ = done.await;
            }
        }
    }
}

/// The writer thread: batches what is queued, writes, until the queue closes or the sink
/// fails (then the queue is closed, and the listener learns it is [`Gone`]).
fn write_lines(mut rx: mpsc::Receiver<String>, mut sink: impl Sink) {
    while let Some(first) = rx.blocking_recv() {
        let mut batch = first;
        batch.push('\n');
        while batch.len() < BATCH_BYTES {
            match rx.try_recv() {
                Ok(next) => {
                    batch.push_str(&next);
                    batch.push('\n');
                }
                Err(_) => break,
            }
        }
        if sink.write_text(&batch).is_err() {
            rx.close();
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::{Arc, Mutex};

    struct Collect(Arc<Mutex<String>>);

    impl Sink for Collect {
        fn write_text(&mut self, text: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(text);
            Ok(())
        }
    }

    struct Broken;

    impl Sink for Broken {
        fn write_text(&mut self, _: &str) -> std::io::Result<()> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
    }

    #[tokio::test]
    async fn json_lines_are_written_in_order_and_finish_waits_for_them() {
        let text = Arc::new(Mutex::new(String::new()));
        let out = Output::start(Format::Json, Collect(text.clone())).unwrap();
        for i in 0..1000 {
            out.record(
                &serde_json::json!({"type": "event", "n": i}),
                &Context::default(),
            )
            .await
            .unwrap();
        }
        out.finish(None).await;
        let text = text.lock().unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1000);
        assert_eq!(lines[0], r#"{"type":"event","n":0}"#);
        assert_eq!(lines[999], r#"{"type":"event","n":999}"#);
    }

    #[tokio::test]
    async fn a_closed_stdout_is_reported() {
        let out = Output::start(Format::Json, Broken).unwrap();
        let mut gone = false;
        for _ in 0..(QUEUE_LINES * 4) {
            if out.text("x".into()).await.is_err() {
                gone = true;
                break;
            }
        }
        assert!(gone);
    }
}
