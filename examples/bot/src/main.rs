//! # sio-bot: the demo's chat bot
//!
//! A Rust client of the chat in `examples/react-chat`, on [`sio_client`]. It joins a room of
//! the bundled test server (`tests/server/server.js`), keeps track of who is online there,
//! and answers chat messages that start with `!` or mention it by name, showing a typing
//! indicator first:
//!
//! ```text
//! sio-bot [URL] [--room general] [--name bot]        (URL defaults to $SIO_URL, then http://127.0.0.1:3000)
//! ```
//!
//! Reconnecting, and re-joining the room after a reconnect that did not recover the session,
//! is the SDK's job: the bot only calls [`Socket::join`] once. After every fresh (not
//! recovered) connection it announces itself again, so that the others answer with their
//! own presence. Ctrl-C (or SIGTERM) says goodbye to the room and closes the connection.
//!
//! The wire format is in [`protocol`]; what the bot says is in [`replies`].

mod protocol;
mod replies;

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use clap::Parser;
use sio_client::{Client, ClientEvent, Message, Socket, SocketEvent};

use crate::protocol::{Broadcast, Chat, Presence, PresenceState, Typing, HEARTBEAT, PRESENCE_TTL};

/// Prints one log line to stdout, prefixed with the bot's name (`[bot] connected as …`).
/// A closed stdout (the terminal went away) is not worth a panic: the line is dropped.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::log_line(format_args!($($arg)*))
    };
}

/// The prefix of every log line: the bot's name, set once at startup.
static LOG_PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Writes `[name] line` to stdout, ignoring write errors (see [`say!`]).
fn log_line(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let prefix = LOG_PREFIX.get().map_or("bot", String::as_str);
    let _ = writeln!(std::io::stdout().lock(), "[{prefix}] {line}");
}

/// How long the bot "types" before it answers.
const TYPING_DELAY: Duration = Duration::from_millis(700);

/// How long the bot waits for the server to acknowledge a broadcast.
const ACK_TIMEOUT: Duration = Duration::from_secs(5);

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "sio-bot",
    about = "Chat bot for the sio demo: joins a room of the bundled Socket.IO server and answers messages"
)]
struct Args {
    /// The server's URL.
    #[arg(env = "SIO_URL", default_value = "http://127.0.0.1:3000")]
    url: String,
    /// The room to join.
    #[arg(long, default_value = "general")]
    room: String,
    /// The bot's display name (messages that mention it get an answer).
    #[arg(long, default_value = "bot")]
    name: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let _ = LOG_PREFIX.set(args.name.clone());
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sio-bot: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Connects, then handles events until Ctrl-C or SIGTERM.
async fn run(args: Args) -> Result<(), sio_client::Error> {
    let client = Client::builder(args.url.as_str()).build()?;
    let socket = client.socket("/");
    let mut socket_events = socket.events();
    let mut client_events = client.events();

    // Joined once: the join is sent on connect and again after every reconnect that did not
    // recover the session, by the SDK.
    socket.join(&args.room)?;
    // connecting starts now; the outcome arrives as socket events
    let _connecting = socket.connect();
    say!(
        "connecting to {} as {:?}, room #{}",
        args.url,
        args.name,
        args.room
    );

    let mut bot = Bot::new(socket.clone(), args.name, args.room);
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    let mut heartbeat = tokio::time::interval_at(Instant::now() + HEARTBEAT, HEARTBEAT);
    loop {
        tokio::select! {
            event = socket_events.next() => match event {
                Some(event) => bot.on_socket_event(event),
                None => break,
            },
            Some(event) = client_events.next() => on_client_event(&event),
            _ = heartbeat.tick() => bot.heartbeat(),
            () = &mut shutdown => break,
        }
    }

    bot.say_goodbye().await;
    client.close().await;
    say!("bye");
    Ok(())
}

/// Resolves on Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Logs what happens to the connection (reconnection is the SDK's; the bot only watches).
fn on_client_event(event: &ClientEvent) {
    match event {
        ClientEvent::ReconnectAttempt(attempt) => say!("reconnecting (attempt {attempt})"),
        ClientEvent::Reconnect(attempts) => say!("reconnected after {attempts} attempt(s)"),
        ClientEvent::ReconnectFailed => say!("gave up reconnecting"),
        // Failed attempts are reported once, as the socket's connect error; the close is
        // reported as the socket's disconnect.
        ClientEvent::Error(_)
        | ClientEvent::ReconnectError(_)
        | ClientEvent::Close(_)
        | ClientEvent::Open
        | ClientEvent::Ping
        | ClientEvent::Upgrade => {}
        other => say!("{other:?}"),
    }
}

/// The bot's state: its socket, its room, who is there.
struct Bot {
    /// The namespace socket (cheap to clone into reply tasks).
    socket: Socket,
    /// The display name.
    name: String,
    /// The one room the bot is in.
    room: String,
    /// Who else is in the room, and when we last heard from them.
    others: BTreeMap<String, Instant>,
    /// Everyone greeted once (a page that reconnects is not greeted again).
    greeted: BTreeSet<String>,
    /// Makes message ids unique: the start time, then a counter.
    id_prefix: String,
    /// Messages sent so far.
    sent: u64,
}

impl Bot {
    /// A bot named `name` for `room`, talking through `socket`.
    fn new(socket: Socket, name: String, room: String) -> Self {
        let id_prefix = format!("{name}-{}", now_ms() as u64);
        Bot {
            socket,
            name,
            room,
            others: BTreeMap::new(),
            greeted: BTreeSet::new(),
            id_prefix,
            sent: 0,
        }
    }

    /// Reacts to one event of the namespace socket: (re)connections, messages.
    fn on_socket_event(&mut self, event: SocketEvent) {
        match event {
            SocketEvent::Connect(connected) => {
                if connected.recovered {
                    // Same session: the server kept the room and replayed what we missed.
                    say!("reconnected as {} (session recovered)", connected.id);
                } else {
                    say!("connected as {}", connected.id);
                    self.others.clear();
                    self.announce(PresenceState::Join);
                }
            }
            SocketEvent::Disconnect(reason) if reason.reconnects() => {
                say!("disconnected ({reason}); the client reconnects by itself");
            }
            SocketEvent::Disconnect(reason) => say!("disconnected ({reason})"),
            SocketEvent::ConnectError(error) => say!("connect error: {error}"),
            SocketEvent::Joined(room) => say!("in room #{room}"),
            SocketEvent::Message(message) => self.on_message(&message),
            SocketEvent::ListenerError(error) => say!("{error}"),
            _ => {}
        }
    }

    /// Dispatches a server event by name (`chat`, `presence`; `typing` is ignored).
    fn on_message(&mut self, message: &Message) {
        // A non-tuple type is the first argument: the recovery offset the server appends as
        // a last argument is ignored.
        match message.event() {
            "chat" => match message.args::<Chat>() {
                Ok(chat) => self.on_chat(chat),
                Err(error) => say!("ignored a malformed chat message: {error}"),
            },
            "presence" => match message.args::<Presence>() {
                Ok(presence) => self.on_presence(presence),
                Err(error) => say!("ignored a malformed presence message: {error}"),
            },
            _ => {}
        }
    }

    /// Answers a chat message from someone else in our room, if it is for the bot.
    fn on_chat(&mut self, chat: Chat) {
        if chat.user == self.name || !self.in_my_room(&chat.room) {
            return;
        }
        say!("{}: {}", chat.user, chat.text);
        self.others.insert(chat.user.clone(), Instant::now());
        let online = self.online();
        let ctx = replies::Context {
            bot: &self.name,
            room: &self.room,
            online: &online,
            now: SystemTime::now(),
        };
        if let Some(text) = replies::answer(&chat.user, &chat.text, &ctx) {
            self.say(text);
        }
    }

    /// Keeps the online list; answers a newcomer's "join" with "here" and a welcome.
    fn on_presence(&mut self, presence: Presence) {
        if presence.user == self.name || !self.in_my_room(&presence.room) {
            return;
        }
        match presence.state {
            PresenceState::Join => {
                say!("{} joined #{}", presence.user, self.room);
                self.others.insert(presence.user.clone(), Instant::now());
                // Tell the newcomer that we are here.
                self.announce(PresenceState::Here);
                if self.greeted.insert(presence.user.clone()) {
                    self.say(format!(
                        "welcome, {}! I'm a Rust bot — type !help to see what I can do.",
                        presence.user
                    ));
                }
            }
            PresenceState::Here => {
                self.others.insert(presence.user, Instant::now());
            }
            PresenceState::Leave => {
                say!("{} left #{}", presence.user, self.room);
                self.others.remove(&presence.user);
            }
        }
    }

    /// Who is in the room: the bot, and everyone heard from within [`PRESENCE_TTL`].
    fn online(&mut self) -> BTreeSet<String> {
        self.others.retain(|_, seen| seen.elapsed() < PRESENCE_TTL);
        self.others
            .keys()
            .cloned()
            .chain([self.name.clone()])
            .collect()
    }

    /// Every [`HEARTBEAT`]: "here" to the room, so that the pages keep us in their lists.
    fn heartbeat(&self) {
        if self.socket.connected() {
            self.announce(PresenceState::Here);
        }
    }

    /// Whether an event for `room` concerns us (an empty room counts as ours).
    fn in_my_room(&self, room: &str) -> bool {
        room.is_empty() || room == self.room
    }

    /// Broadcasts our presence to the room (no ack needed: the next join asks again).
    fn announce(&self, state: PresenceState) {
        let presence = Presence {
            user: self.name.clone(),
            room: self.room.clone(),
            state,
        };
        if let Err(error) = self.socket.emit(
            "broadcast",
            Broadcast::new(&self.room, "presence", &presence),
        ) {
            say!("could not announce presence: {error}");
        }
    }

    /// Shows "typing…" in the room, then sends `text` and waits for the server's ack.
    fn say(&mut self, text: String) {
        self.sent += 1;
        let id = format!("{}-{}", self.id_prefix, self.sent);
        let socket = self.socket.clone();
        let (user, room) = (self.name.clone(), self.room.clone());
        tokio::spawn(async move {
            let typing = Typing {
                user: user.clone(),
                room: room.clone(),
            };
            // Volatile: a typing indicator that cannot be sent now is worthless later.
            let _ = socket
                .volatile()
                .emit("broadcast", Broadcast::new(&room, "typing", &typing));
            tokio::time::sleep(TYPING_DELAY).await;
            let chat = Chat {
                id,
                user,
                text,
                ts: now_ms(),
                room: room.clone(),
            };
            let sent: Result<serde_json::Value, _> = socket
                .timeout(ACK_TIMEOUT)
                .emit_with_ack("broadcast", Broadcast::new(&room, "chat", &chat))
                .await;
            match sent {
                Ok(_) => say!("→ {}", chat.text),
                Err(error) => say!("answer not delivered ({error}): {}", chat.text),
            }
        });
    }

    /// Tells the room we leave, waiting briefly for the server to take it.
    async fn say_goodbye(&self) {
        if !self.socket.connected() {
            return;
        }
        let presence = Presence {
            user: self.name.clone(),
            room: self.room.clone(),
            state: PresenceState::Leave,
        };
        let _: Result<serde_json::Value, _> = self
            .socket
            .timeout(Duration::from_secs(1))
            .emit_with_ack(
                "broadcast",
                Broadcast::new(&self.room, "presence", &presence),
            )
            .await;
    }
}

/// Milliseconds since the Unix epoch (the `ts` of a chat message).
fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        .floor()
}
