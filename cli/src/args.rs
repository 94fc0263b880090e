//! Command-line arguments (the `sio` contract of docs/cli.md).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use sio_client::{ClientBuilder, Parser as PacketParser, Transports};

use crate::Failure;

/// A Socket.IO v4 client for scripts, bots and load tests.
#[derive(Debug, Parser)]
#[command(name = "sio", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Connect and print every event (JSON lines, or readable lines on a terminal); take
    /// commands as JSON lines on stdin, or at a prompt when stdin is a terminal.
    #[command(after_long_help = crate::listen::help::LISTEN_AFTER_HELP)]
    Listen(ListenArgs),
    /// Connect, emit one event (optionally wait for its ack), and exit.
    #[command(after_long_help = EMIT_AFTER_HELP)]
    Emit(EmitArgs),
    /// Load test: N clients emitting with acks; connect time, events/s, ack round trip, RSS.
    Bench(BenchArgs),
}

/// Which transports to use.
#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub(crate) enum TransportArg {
    /// Long-polling, then upgrade to WebSocket.
    #[default]
    Auto,
    /// WebSocket only.
    Websocket,
    /// Long-polling only.
    Polling,
}

/// `sio emit --help`, after the options.
const EMIT_AFTER_HELP: &str = "\
Each ARG is a JSON value, or a string when it does not read as JSON (a word that starts
with {, [ or \" must be valid JSON). --args-file holds the arguments as JSON values one
after the other (whitespace between); `-` reads them from stdin.

Without --ack nothing confirms that the server handled the event (a socket.io server ignores
an event whose handler would run after the disconnect right behind it): sio waits until the
event is written, and 100 ms more, before it disconnects. Use --ack to be sure.

With --ack, the answer is printed as a JSON array on one line (pretty-printed on a
terminal, or with --pretty). Exit: 0 sent (and acknowledged), 1 connection failure or no
acknowledgement in time, 2 bad usage.

Examples:
  sio emit http://localhost:3000 echo hi '{\"a\":1}' --ack
  jq -c .message data.json | sio emit http://localhost:3000/admin notify --args-file -";

/// `--pretty` / `--json`: how results are printed.
#[derive(Debug, Args)]
pub(crate) struct FormatArgs {
    /// Readable output for people (the default when stdout is a terminal).
    #[arg(long, conflicts_with = "json")]
    pub(crate) pretty: bool,
    /// JSON lines, the contract of docs/cli.md (the default when stdout is not a terminal).
    #[arg(long)]
    pub(crate) json: bool,
}

/// The server's packet codec.
#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub(crate) enum ParserArg {
    /// socket.io-parser (JSON text, binary as attachments).
    #[default]
    Json,
    /// socket.io-msgpack-parser (one MessagePack message per packet).
    Msgpack,
}

/// Options every subcommand shares.
#[derive(Debug, Args)]
pub(crate) struct Common {
    /// Server URL, e.g. http://localhost:3000 (its path is the default namespace).
    pub(crate) url: String,
    /// Auth payload (a JSON object) sent when connecting.
    #[arg(long, value_name = "JSON")]
    pub(crate) auth: Option<String>,
    /// Query parameter sent with every request (repeatable).
    #[arg(long, value_name = "K=V")]
    pub(crate) query: Vec<String>,
    /// HTTP header sent with every request (repeatable).
    #[arg(long, value_name = "K:V")]
    pub(crate) header: Vec<String>,
    /// Transport selection.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) transport: TransportArg,
    /// The packet codec the server uses (python-socketio's serializer='msgpack', socketioxide's
    /// msgpack parser, socket.io with socket.io-msgpack-parser).
    #[arg(long, value_enum, default_value_t)]
    pub(crate) parser: ParserArg,
    /// Trust the certificates in this PEM file (private CA, self-signed server).
    #[arg(long, value_name = "PEM")]
    pub(crate) ca_file: Option<PathBuf>,
    /// Engine.IO path on the server.
    #[arg(long, default_value = "/socket.io/")]
    pub(crate) path: String,
    /// Connect timeout per attempt, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 20_000)]
    pub(crate) connect_timeout: u64,
}

/// `sio listen`.
#[derive(Debug, Args)]
pub(crate) struct ListenArgs {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Namespace to connect (repeatable; default: the URL's path, else `/`).
    #[arg(long = "ns", value_name = "NS")]
    pub(crate) namespaces: Vec<String>,
    /// Room to join on the first namespace (repeatable; re-joined after reconnects).
    #[arg(long, value_name = "ROOM")]
    pub(crate) join: Vec<String>,
    /// First reconnection delay, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub(crate) reconnection_delay: u64,
    /// Largest reconnection delay, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub(crate) reconnection_delay_max: u64,
    /// Give up after N reconnection attempts (default: never).
    #[arg(long, value_name = "N")]
    pub(crate) reconnection_attempts: Option<u32>,
    /// Do not reconnect after a lost connection (exit 1 instead).
    #[arg(long)]
    pub(crate) no_reconnect: bool,
    /// Default ack timeout for `{"emit":…,"ack":…}` commands, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub(crate) ack_timeout: u64,
    /// Server ack requests kept for a `reply`; beyond, the oldest is dropped (with an error
    /// line). A namespace's requests are forgotten when it disconnects.
    #[arg(long, value_name = "N", default_value_t = crate::listen::DEFAULT_MAX_PENDING_REPLIES)]
    pub(crate) max_pending_replies: usize,
    #[command(flatten)]
    pub(crate) format: FormatArgs,
}

/// `sio emit`.
#[derive(Debug, Args)]
pub(crate) struct EmitArgs {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Event name.
    pub(crate) event: String,
    /// Arguments: each a JSON value (`{"$binary":"<base64>"}` for bytes), or a string.
    #[arg(value_name = "ARG", allow_negative_numbers = true)]
    pub(crate) args: Vec<String>,
    /// Read the arguments from FILE (`-`: stdin): JSON values one after the other.
    #[arg(long, value_name = "FILE", conflicts_with = "args")]
    pub(crate) args_file: Option<PathBuf>,
    /// Namespace (default: the URL's path, else `/`).
    #[arg(long = "ns", value_name = "NS")]
    pub(crate) namespace: Option<String>,
    /// Wait for the server's acknowledgement and print its arguments as a JSON array.
    #[arg(long)]
    pub(crate) ack: bool,
    /// How long to wait for the acknowledgement, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub(crate) timeout: u64,
    #[command(flatten)]
    pub(crate) format: FormatArgs,
}

/// `sio bench`.
///
/// Each client is its own connection. With `--rate 0` (the default) every client runs a
/// closed loop: one event in flight, the next one as soon as its ack arrives. With
/// `--rate R` every client emits R events per second on a fixed schedule, whether or not the
/// previous acks came back.
#[derive(Debug, Args)]
pub(crate) struct BenchArgs {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Number of clients, each with its own connection.
    #[arg(long, value_name = "N")]
    pub(crate) clients: usize,
    /// Events per second per client; 0 = as fast as possible, one ack in flight per client.
    #[arg(long, value_name = "PER_S", default_value_t = 0.0)]
    pub(crate) rate: f64,
    /// How long the clients emit, in seconds, once all are connected (0: connect and measure
    /// memory only).
    #[arg(long, value_name = "S", default_value_t = 10.0)]
    pub(crate) duration: f64,
    /// Size of the string argument of each event, in bytes.
    #[arg(long, value_name = "B", default_value_t = 32)]
    pub(crate) payload_bytes: usize,
    /// Print one JSON object instead of the table (and no progress bar).
    #[arg(long)]
    pub(crate) json: bool,
    /// Namespace (default: the URL's path, else `/`).
    #[arg(long = "ns", value_name = "NS")]
    pub(crate) namespace: Option<String>,
    /// The event emitted; the server must acknowledge it (the bundled server's `echo` does).
    #[arg(long, value_name = "NAME", default_value = "echo")]
    pub(crate) event: String,
    /// Emit without acks: after every `--batch` events, one `--barrier-event` with an ack is
    /// awaited (the server has then read the batch: Socket.IO keeps order); events/s counts
    /// what the server has read, and no round trip is reported.
    #[arg(long)]
    pub(crate) fire_and_forget: bool,
    /// Events per batch in fire-and-forget mode.
    #[arg(long, value_name = "K", default_value_t = 500)]
    pub(crate) batch: usize,
    /// The acknowledged event that closes each fire-and-forget batch.
    #[arg(long, value_name = "NAME", default_value = "echo")]
    pub(crate) barrier_event: String,
    /// Clients connecting at the same time.
    #[arg(long, value_name = "C", default_value_t = 200)]
    pub(crate) connect_concurrency: usize,
    /// Ack timeout, in milliseconds (a timed-out ack is counted as an error).
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub(crate) ack_timeout: u64,
    /// For a cluster behind a load balancer: ask each client which server node it is on with
    /// this acknowledged event (the answer's `node` field; the bundled server's `whoami`) and
    /// report clients and events per node.
    #[arg(long, value_name = "NAME")]
    pub(crate) node_event: Option<String>,
}

impl Common {
    /// A client builder from the shared options; usage errors come back as `Failure`s.
    pub(crate) fn builder(&self) -> Result<ClientBuilder, Failure> {
        let mut b = sio_client::Client::builder(self.url.clone())
            .path(self.path.clone())
            .connect_timeout(Some(Duration::from_millis(self.connect_timeout)))
            .transports(match self.transport {
                TransportArg::Auto => Transports::PollingThenWebSocket,
                TransportArg::Websocket => Transports::WebSocketOnly,
                TransportArg::Polling => Transports::PollingOnly,
            })
            .parser(match self.parser {
                ParserArg::Json => PacketParser::Json,
                ParserArg::Msgpack => PacketParser::MessagePack,
            });
        if let Some(auth) = &self.auth {
            let value: serde_json::Value = serde_json::from_str(auth)
                .map_err(|e| Failure::usage(format!("--auth is not valid JSON: {e}")))?;
            if !value.is_object() {
                return Err(Failure::usage("--auth must be a JSON object"));
            }
            b = b.auth(value);
        }
        for q in &self.query {
            let (k, v) = q
                .split_once('=')
                .ok_or_else(|| Failure::usage(format!("--query {q:?}: expected K=V")))?;
            b = b.query(k, v);
        }
        for h in &self.header {
            let (k, v) = h
                .split_once(':')
                .ok_or_else(|| Failure::usage(format!("--header {h:?}: expected K:V")))?;
            b = b.header(k.trim(), v.trim());
        }
        if let Some(ca) = &self.ca_file {
            b = b.ca_file(ca);
        }
        Ok(b)
    }

    /// The namespace named by the URL's path, if any.
    pub(crate) fn url_namespace(&self) -> Result<String, Failure> {
        let url = sio_core::url::ServerUrl::parse(&self.url)
            .map_err(|e| Failure::usage(format!("bad URL {:?}: {e}", self.url)))?;
        Ok(url.namespace)
    }
}
