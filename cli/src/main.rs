//! `sio`: a Socket.IO v4 client for scripts, bots and load tests.
//!
//! The command-line contract (subcommands, JSON lines in and out, exit codes) is documented in
//! docs/cli.md and in `sio --help`.

mod args;
mod bench;
mod bench_nodes;
mod emit;
mod listen;
mod out;
mod words;

use std::process::ExitCode;

use clap::Parser;

/// Exit code for a connection or protocol failure.
pub(crate) const EXIT_FAILURE: u8 = 1;
/// Exit code for bad usage (unknown flag, malformed URL or JSON argument).
pub(crate) const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sio: cannot start the runtime: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let result = runtime.block_on(async move {
        match cli.command {
            args::Command::Listen(a) => listen::run(a).await,
            args::Command::Emit(a) => emit::run(a).await,
            args::Command::Bench(a) => bench::run(a).await,
        }
    });
    // A blocking read of stdin may still be parked in the runtime's thread pool: do not wait
    // for it (the process is exiting anyway).
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("sio: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// Why the command stops unsuccessfully: a one-line message and the exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }

    pub(crate) fn failed(message: impl Into<String>) -> Self {
        Self {
            code: EXIT_FAILURE,
            message: message.into(),
        }
    }
}

/// Turns a client error into a failure with a message a person can act on.
pub(crate) fn explain(error: &sio_client::Error) -> Failure {
    use sio_client::{ConnectError, Error, OpenError};
    match error {
        Error::Config(e) => Failure::usage(e.to_string()),
        Error::CaFile { .. } | Error::TransportSetup(_) => Failure::usage(error.to_string()),
        Error::Connect(ConnectError::Rejected { message, data }) => Failure::failed(match data {
            Some(d) => format!("the server refused the connection: {message} ({d})"),
            None => format!("the server refused the connection: {message}"),
        }),
        Error::Connect(ConnectError::V2Server) => {
            Failure::failed("the server speaks Socket.IO v2, which this client does not support")
        }
        Error::Connect(ConnectError::Open(OpenError::NotSocketIo(detail))) => Failure::failed(
            format!("the server is not a Socket.IO v4 server ({detail})"),
        ),
        Error::Connect(ConnectError::Open(OpenError::HttpStatus { status, message })) => {
            Failure::failed(match message {
                Some(message) => format!("the server answered HTTP {status}: {message}"),
                None => format!(
                    "the server answered HTTP {status}: is this a Socket.IO server and path?"
                ),
            })
        }
        Error::Connect(ConnectError::Open(OpenError::Timeout)) => {
            Failure::failed("connection timed out")
        }
        Error::Connect(ConnectError::Open(OpenError::Transport(detail))) => {
            Failure::failed(format!("cannot connect: {detail}"))
        }
        other => Failure::failed(other.to_string()),
    }
}
