//! `sio listen URL`: print every event (JSON lines for scripts, readable lines on a
//! terminal), take commands as JSON lines on stdin or at an interactive prompt.
//!
//! One task runs the whole listener: it waits for the next event, ack or command
//! ([`Session::turn`]), handles it, and prints through the bounded [`Output`]. When stdout is
//! not read, printing waits, so the event streams fill and the client stops reading the
//! network (backpressure, bounded memory). Ctrl-C is one signal stream for the whole run,
//! raced against every turn, so it is never lost, even while a print waits.

mod command;
pub(crate) mod help;
mod input;
mod prompt;
mod replies;

pub(crate) use replies::DEFAULT_MAX_PENDING_REPLIES;
mod session;

use std::io::IsTerminal;
use std::time::Duration;

use crate::args::ListenArgs;
use crate::out::{Format, Output, Stdout};
use crate::{explain, Failure};
use input::Input;
use session::{Flow, Session, Settings};

/// After Ctrl-C, how long closing the connection and writing the lines already queued may
/// take (each).
const INTERRUPT_GRACE: Duration = Duration::from_millis(500);

/// How long closing the connection may take otherwise.
const CLOSE_GRACE: Duration = Duration::from_secs(5);

pub(crate) async fn run(args: ListenArgs) -> Result<(), Failure> {
    let mut namespaces = args.namespaces.clone();
    if namespaces.is_empty() {
        namespaces.push(args.common.url_namespace()?);
    }
    let builder = args
        .common
        .builder()?
        .reconnection(!args.no_reconnect)
        .reconnection_attempts(args.reconnection_attempts)
        .reconnection_delay(Duration::from_millis(args.reconnection_delay))
        .reconnection_delay_max(Duration::from_millis(
            args.reconnection_delay_max.max(args.reconnection_delay),
        ))
        .ack_timeout(Duration::from_millis(args.ack_timeout));
    let client = builder.build().map_err(|e| explain(&e))?;
    let mut interrupts =
        Interrupts::new().map_err(|e| Failure::failed(format!("cannot watch for Ctrl-C: {e}")))?;

    let format = Format::choose(args.format.pretty, args.format.json);
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let first = namespaces.first().cloned().unwrap_or_else(|| "/".into());
    let (mut input, out, vocabulary, terminal) = if interactive {
        let p = prompt::start(format!("{first}> "), format).map_err(Failure::failed)?;
        (p.input, p.out, Some(p.vocabulary), Some(p.terminal))
    } else {
        let out = Output::start(format, Stdout)
            .map_err(|e| Failure::failed(format!("cannot start the output: {e}")))?;
        (Input::script(), out, None, None)
    };
    let settings = Settings {
        reconnection: !args.no_reconnect,
        max_pending_replies: args.max_pending_replies,
        interactive,
    };
    let mut session = Session::start(client, &namespaces, &args.join, settings, out, vocabulary);

    let (outcome, interrupted) = loop {
        tokio::select! {
            biased;
            () = interrupts.recv() => break (Ok(()), true),
            flow = session.turn(&mut input) => if let Flow::Stop(outcome) = flow {
                break (outcome, false);
            },
        }
    };
    if interrupted {
        session.finish(INTERRUPT_GRACE, Some(INTERRUPT_GRACE)).await;
    } else {
        session.finish(CLOSE_GRACE, None).await;
    }
    // the terminal's own settings again, even if the editor thread is still reading
    drop(terminal);
    outcome
}

/// SIGINT (Ctrl-C) for the whole run: one stream, so a signal that arrives while the
/// listener is busy is delivered at its next turn.
struct Interrupts {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
    #[cfg(windows)]
    signal: tokio::signal::windows::CtrlC,
}

impl Interrupts {
    fn new() -> std::io::Result<Interrupts> {
        #[cfg(unix)]
        let signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
        #[cfg(windows)]
        let signal = tokio::signal::windows::ctrl_c()?;
        Ok(Interrupts { signal })
    }

    async fn recv(&mut self) {
        if self.signal.recv().await.is_none() {
            std::future::pending::<()>().await;
        }
    }
}
