//! A running `sio listen`: the namespaces, the merged event streams, the acks in flight, the
//! server's ack requests waiting for a reply, and what every event and command does.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use futures_util::stream::{BoxStream, FuturesUnordered, SelectAll, StreamExt};
use serde_json::{json, Value};
use sio_client::payload::{
    from_json_with_binary as json_to_payload, to_json_with_binary as payload_to_json,
};
use sio_client::{AckResponder, Client, ClientEvent, ConnectError, Payload, Socket, SocketEvent};

use super::command::{AckRef, Command, EmitCommand};
use super::input::{Input, Line};
use super::prompt::Vocabulary;
use super::replies::PendingReplies;
use crate::out::{lines, Context, Gone, Output};
use crate::{explain, Failure};

/// What the merged event stream carries.
pub(crate) enum Item {
    Socket(String, SocketEvent),
    Client(ClientEvent),
}

/// Whether listening goes on.
pub(crate) enum Flow {
    Continue,
    Stop(Result<(), Failure>),
}

impl From<Result<(), Gone>> for Flow {
    fn from(r: Result<(), Gone>) -> Self {
        match r {
            Ok(()) => Flow::Continue,
            // nobody reads stdout any more: stop quietly
            Err(Gone) => Flow::Stop(Ok(())),
        }
    }
}

/// The options that decide what events and commands do.
pub(crate) struct Settings {
    pub(crate) reconnection: bool,
    pub(crate) max_pending_replies: usize,
    /// Commands come from the interactive prompt (hints name the prompt's commands).
    pub(crate) interactive: bool,
}

/// One namespace of the session.
struct Namespace {
    socket: Socket,
    /// Connect was asked for and not undone (by `disconnect`, a rejection or a server
    /// disconnect): commands for it are sent, or buffered while it reconnects.
    wanted: bool,
    connected: bool,
}

/// An acked emit's outcome, with what the output shows about it.
struct AckDone {
    ns: String,
    reference: Value,
    event: String,
    elapsed: Duration,
    result: Result<Payload, sio_client::Error>,
}

/// The listener's state.
pub(crate) struct Session {
    client: Client,
    settings: Settings,
    namespaces: BTreeMap<String, Namespace>,
    /// The first namespace (the URL's path or the first `--ns`): commands without `ns` go
    /// there, and it must connect.
    default_ns: String,
    /// The prompt's namespace (`ns /admin`); the default one for JSON commands.
    current_ns: String,
    events: SelectAll<BoxStream<'static, Item>>,
    acks: FuturesUnordered<BoxFuture<'static, AckDone>>,
    next_ack: u64,
    /// Messages the client has dispatched (counted on its task, in arrival order)...
    dispatched: Arc<AtomicU64>,
    /// ...and the ones printed: an ack waits in `held` until every message that arrived
    /// before it is printed (ack futures resolve ahead of the bounded streams).
    printed: u64,
    held: VecDeque<(u64, AckDone)>,
    replies: PendingReplies<AckResponder>,
    out: Output,
    vocabulary: Option<Arc<Mutex<Vocabulary>>>,
    ever_connected: bool,
    /// Between a `reconnect_attempt` and the next connect.
    reconnecting: bool,
    /// `close` was asked for: stop once the acks in flight are printed.
    closing: bool,
    attempts: u32,
    last_error: Option<String>,
}

/// A namespace as the client names it (`admin` is `/admin`).
fn normalize(ns: &str) -> String {
    if ns.starts_with('/') {
        ns.to_string()
    } else {
        format!("/{ns}")
    }
}

impl Session {
    /// A session on `client` for `namespaces` (the first is the default); connects them all
    /// and joins `rooms` on the first.
    pub(crate) fn start(
        client: Client,
        namespaces: &[String],
        rooms: &[String],
        settings: Settings,
        out: Output,
        vocabulary: Option<Arc<Mutex<Vocabulary>>>,
    ) -> Session {
        let default_ns = normalize(namespaces.first().map_or("/", String::as_str));
        let mut session = Session {
            events: stream_of_client(&client),
            client,
            replies: PendingReplies::new(settings.max_pending_replies),
            settings,
            namespaces: BTreeMap::new(),
            current_ns: default_ns.clone(),
            default_ns,
            acks: FuturesUnordered::new(),
            next_ack: 1,
            dispatched: Arc::default(),
            printed: 0,
            held: VecDeque::new(),
            out,
            vocabulary,
            ever_connected: false,
            reconnecting: false,
            closing: false,
            attempts: 0,
            last_error: None,
        };
        for ns in namespaces {
            session.connect(&normalize(ns));
        }
        if let Some(first) = session.namespaces.get(&session.default_ns) {
            for room in rooms {
                let _ = first.socket.join(room);
            }
        }
        session
    }

    /// The prompt for the next line.
    pub(crate) fn prompt(&self) -> String {
        format!("{}> ", self.current_ns)
    }

    /// Stops: closes the client (for at most `close`), then lets the writer print what is
    /// queued (for at most `drain`; `None`: until it is written).
    pub(crate) async fn finish(self, close: Duration, drain: Option<Duration>) {
        let _ = tokio::time::timeout(close, self.client.close()).await;
        self.out.finish(drain).await;
    }

    /// Waits for the next event, ack or input line and handles it.
    pub(crate) async fn turn(&mut self, input: &mut Input) -> Flow {
        enum Next {
            Item(Option<Item>),
            Ack(AckDone),
            Input(Line),
        }
        if self.closing && self.acks.is_empty() && self.held.is_empty() {
            return Flow::Stop(Ok(()));
        }
        // a script's commands wait for the first connection (as they always did), the
        // prompt's do not (Ctrl-D must work while the server is down)
        let read = input.is_open() && !self.closing && (input.is_prompt() || self.ever_connected);
        let next = tokio::select! {
            item = self.events.next() => Next::Item(item),
            Some(done) = self.acks.next(), if !self.acks.is_empty() => Next::Ack(done),
            line = input.next(), if read => Next::Input(line),
        };
        match next {
            Next::Item(Some(item)) => self.on_item(item).await,
            Next::Item(None) => Flow::Stop(Ok(())),
            Next::Ack(done) => self.on_ack(done).await,
            Next::Input(line) => {
                let flow = self.on_line(line, input.is_prompt()).await;
                if !self.closing && matches!(flow, Flow::Continue) {
                    input.ready(self.prompt());
                }
                flow
            }
        }
    }

    async fn print(&self, line: Value) -> Result<(), Gone> {
        self.out.record(&line, &Context::default()).await
    }

    async fn error(&self, message: impl std::fmt::Display) -> Flow {
        self.print(lines::error(message)).await.into()
    }

    async fn on_line(&mut self, line: Line, prompt: bool) -> Flow {
        let text = match line {
            Line::Text(text) => text,
            Line::TooLong(limit) => {
                return self
                    .error(format!("stdin line longer than {limit} bytes: ignored"))
                    .await
            }
            // at a terminal, Ctrl-D (or Ctrl-C) ends the session; a script's end of input
            // does not (a listener fed from /dev/null is normal)
            Line::End if prompt => return Flow::Stop(Ok(())),
            Line::End => return Flow::Continue,
        };
        if text.trim().is_empty() {
            return Flow::Continue;
        }
        let parsed = if prompt {
            super::command::from_prompt(&text)
        } else {
            serde_json::from_str::<Value>(&text)
                .map_err(|e| format!("stdin line is not JSON: {e}"))
                .and_then(|v| super::command::from_json(&v).map(Some))
        };
        match parsed {
            Ok(Some(command)) => self.command(command).await,
            Ok(None) => Flow::Continue,
            Err(message) => self.error(message).await,
        }
    }

    // ----- events ---------------------------------------------------------------------------

    async fn on_item(&mut self, item: Item) -> Flow {
        match item {
            Item::Socket(ns, event) => self.on_socket_event(ns, event).await,
            Item::Client(event) => {
                let flow = match lines::client_event(&event) {
                    Some(line) => self.print(line).await.into(),
                    None => Flow::Continue,
                };
                match (flow, self.on_client_event(event)) {
                    (Flow::Continue, stop @ Flow::Stop(_)) => stop,
                    (flow, _) => flow,
                }
            }
        }
    }

    fn on_client_event(&mut self, event: ClientEvent) -> Flow {
        match event {
            ClientEvent::ReconnectAttempt(n) => {
                self.attempts = n;
                self.reconnecting = true;
            }
            ClientEvent::Reconnect(_) => self.reconnecting = false,
            ClientEvent::ReconnectError(e) => self.last_error = Some(e.to_string()),
            ClientEvent::ReconnectFailed => {
                let last = self.last_error.as_deref().unwrap_or("no answer");
                let n = self.attempts;
                return Flow::Stop(Err(Failure::failed(if self.ever_connected {
                    format!("gave up reconnecting after {n} attempts: {last}")
                } else {
                    format!("cannot connect: {last} (gave up after {n} reconnection attempts)")
                })));
            }
            _ => {}
        }
        Flow::Continue
    }

    async fn on_socket_event(&mut self, ns: String, event: SocketEvent) -> Flow {
        let mut line = lines::socket_event(&ns, &event);
        let mut dropped = None;
        if let SocketEvent::Message(m) = &event {
            self.learn(|v| v.event(m.event()));
            if let Some(ack) = m.ack_responder() {
                dropped = self.replies.insert((ns.clone(), ack.id()), ack.clone());
            }
        } else if matches!(&event, SocketEvent::Disconnect(_)) {
            // the server forgot them with the connection: they can no longer be answered
            self.replies.forget_namespace(&ns);
        }
        // for people, a failed retry is one line (reconnect_error), not one per namespace
        let repeated = self.reconnecting
            && self.out.is_pretty()
            && matches!(&event, SocketEvent::ConnectError(ConnectError::Open(_)));
        if !repeated {
            if let Err(Gone) = self.print(std::mem::take(&mut line)).await {
                return Flow::Stop(Ok(()));
            }
        }
        if matches!(&event, SocketEvent::Message(_)) {
            self.printed += 1;
            if let Flow::Stop(r) = self.release_acks().await {
                return Flow::Stop(r);
            }
        }
        if let Some((dns, id)) = dropped {
            let limit = self.settings.max_pending_replies;
            let message = format!(
                "ack request {id} on {dns} dropped unanswered: more than {limit} wait \
                 (--max-pending-replies)"
            );
            if let Flow::Stop(r) = self.error(message).await {
                return Flow::Stop(r);
            }
        }
        self.on_status(&ns, event)
    }

    /// Namespace state changes, and whether they end the session.
    fn on_status(&mut self, ns: &str, event: SocketEvent) -> Flow {
        let is_default = ns == self.default_ns;
        let Some(entry) = self.namespaces.get_mut(ns) else {
            return Flow::Continue;
        };
        match event {
            SocketEvent::Connect(_) => {
                entry.connected = true;
                self.ever_connected |= is_default;
            }
            SocketEvent::ConnectError(error) => {
                let rejected = !matches!(error, ConnectError::Open(_));
                if rejected {
                    entry.wanted = false;
                } else {
                    self.last_error = Some(error.to_string());
                }
                // the first namespace must connect: a refusal ends it, and so does a failed
                // attempt when there is no reconnection to wait for
                if is_default && (rejected || !self.settings.reconnection) {
                    return Flow::Stop(Err(explain(&sio_client::Error::Connect(error))));
                }
            }
            SocketEvent::Disconnect(reason) => {
                entry.connected = false;
                if !reason.reconnects() {
                    entry.wanted = false;
                } else if !self.settings.reconnection {
                    return Flow::Stop(Err(Failure::failed(format!("connection lost: {reason}"))));
                }
            }
            SocketEvent::Joined(room) => self.learn(|v| v.room(&room)),
            _ => {}
        }
        Flow::Continue
    }

    /// An ack's outcome: printed once the messages that arrived before it are.
    async fn on_ack(&mut self, done: AckDone) -> Flow {
        let before = self.dispatched.load(Ordering::SeqCst);
        if self.printed >= before && self.held.is_empty() {
            return self.print_ack(done).await;
        }
        self.held.push_back((before, done));
        Flow::Continue
    }

    async fn release_acks(&mut self) -> Flow {
        while self.held.front().is_some_and(|(n, _)| *n <= self.printed) {
            if let Some((_, done)) = self.held.pop_front() {
                if let Flow::Stop(r) = self.print_ack(done).await {
                    return Flow::Stop(r);
                }
            }
        }
        Flow::Continue
    }

    async fn print_ack(&mut self, done: AckDone) -> Flow {
        let line = match done.result {
            Ok(answer) => lines::typed(
                "ack",
                json!({"ref": done.reference, "args": payload_to_json(&answer).unwrap_or(Value::Null)}),
            ),
            Err(sio_client::Error::Ack(e)) => lines::typed(
                "ack_error",
                json!({"ref": done.reference, "message": e.to_string()}),
            ),
            Err(e) => lines::typed(
                "ack_error",
                json!({"ref": done.reference, "message": e.to_string()}),
            ),
        };
        let context = Context {
            ns: Some(done.ns),
            emitted: Some(done.event),
            elapsed: Some(done.elapsed),
        };
        self.out.record(&line, &context).await.into()
    }

    fn learn(&self, f: impl FnOnce(&mut Vocabulary)) {
        if let Some(v) = &self.vocabulary {
            if let Ok(mut v) = v.lock() {
                f(&mut v);
            }
        }
    }

    // ----- commands -------------------------------------------------------------------------

    async fn command(&mut self, command: Command) -> Flow {
        let result = match command {
            Command::Emit(emit) => self.emit(emit),
            Command::Reply { ns, id, args } => self.reply(ns, id, args),
            Command::Join { ns, room } => self.usable(ns).and_then(|s| {
                self.learn(|v| v.room(&room));
                s.join(&room).map_err(|e| e.to_string())
            }),
            Command::Leave { ns, room } => self
                .usable(ns)
                .and_then(|s| s.leave(&room).map_err(|e| e.to_string())),
            Command::Connect(ns) => {
                self.connect(&normalize(&ns));
                Ok(())
            }
            Command::Disconnect(ns) => self.disconnect(ns),
            Command::Close => {
                self.closing = true;
                Ok(())
            }
            Command::UseNamespace(ns) => {
                let ns = normalize(&ns);
                if !self.namespaces.get(&ns).is_some_and(|n| n.wanted) {
                    self.connect(&ns);
                }
                self.current_ns = ns;
                Ok(())
            }
            Command::Namespaces => return self.out.text(self.listing()).await.into(),
            Command::Help => return self.out.text(super::help::prompt_help()).await.into(),
        };
        match result {
            Ok(()) => Flow::Continue,
            Err(message) => self.error(message).await,
        }
    }

    /// The namespace a command without `ns` means.
    fn resolve(&self, ns: Option<String>) -> String {
        ns.map_or_else(|| self.current_ns.clone(), |ns| normalize(&ns))
    }

    /// The socket of a namespace that is connected or on its way (else the error line).
    fn usable(&self, ns: Option<String>) -> Result<Socket, String> {
        let ns = self.resolve(ns);
        match self.namespaces.get(&ns) {
            Some(n) if n.wanted => Ok(n.socket.clone()),
            _ if self.settings.interactive => Err(format!(
                "namespace {ns} is not connected: `connect {ns}` or `ns {ns}` first"
            )),
            _ => Err(format!(
                "namespace {ns} is not connected: send {} first",
                json!({ "connect": ns })
            )),
        }
    }

    fn emit(&mut self, emit: EmitCommand) -> Result<(), String> {
        let socket = self.usable(emit.ns)?;
        self.learn(|v| v.event(&emit.event));
        let payload = json_to_payload(&emit.args);
        let mut emitter = socket.emitter();
        if emit.volatile {
            emitter = emitter.volatile();
        }
        if let Some(timeout) = emit.timeout {
            emitter = emitter.timeout(timeout);
        }
        let Some(reference) = emit.ack else {
            return emitter
                .emit_payload(&emit.event, payload)
                .map_err(|e| e.to_string());
        };
        let reference = match reference {
            AckRef::Given(v) => v,
            AckRef::Numbered => {
                self.next_ack += 1;
                json!(self.next_ack - 1)
            }
        };
        let started = Instant::now();
        let answer = emitter.emit_payload_with_ack(&emit.event, payload);
        let event = emit.event;
        let ns = socket.namespace().to_string();
        self.acks.push(Box::pin(async move {
            let result = answer.await;
            AckDone {
                ns,
                reference,
                event,
                elapsed: started.elapsed(),
                result,
            }
        }));
        Ok(())
    }

    fn reply(
        &mut self,
        ns: Option<String>,
        id: Option<u64>,
        args: Vec<Value>,
    ) -> Result<(), String> {
        let ns = self.resolve(ns);
        let id = match id {
            Some(id) => id,
            None => self
                .replies
                .newest(&ns)
                .ok_or_else(|| format!("no ack request is waiting on {ns}"))?,
        };
        let responder = self.replies.take(&ns, id).ok_or_else(|| {
            format!(
                "no pending ack request {id} on {ns} (answered already, never asked, or \
                 forgotten at a disconnect)"
            )
        })?;
        responder
            .send_payload(json_to_payload(&args))
            .map_err(|e| e.to_string())
    }

    /// Connects `ns` (normalized), subscribing its events the first time.
    fn connect(&mut self, ns: &str) {
        let entry = self.namespaces.entry(ns.to_string()).or_insert_with(|| {
            let socket = self.client.socket(ns);
            let name = ns.to_string();
            self.events.push(
                socket
                    .events()
                    .map(move |e| Item::Socket(name.clone(), e))
                    .boxed(),
            );
            let dispatched = self.dispatched.clone();
            socket.on_any(move |_| {
                dispatched.fetch_add(1, Ordering::SeqCst);
            });
            Namespace {
                socket,
                wanted: false,
                connected: false,
            }
        });
        entry.wanted = true;
        drop(entry.socket.connect());
        self.learn(|v| v.namespace(ns));
    }

    fn disconnect(&mut self, ns: Option<String>) -> Result<(), String> {
        let ns = self.resolve(ns);
        let entry = self
            .namespaces
            .get_mut(&ns)
            .filter(|n| n.wanted)
            .ok_or_else(|| format!("namespace {ns} is not connected"))?;
        entry.wanted = false;
        self.replies.forget_namespace(&ns);
        entry.socket.disconnect().map_err(|e| e.to_string())
    }

    /// `ns` at the prompt: every namespace and its state.
    fn listing(&self) -> String {
        let mut text = String::new();
        for (ns, n) in &self.namespaces {
            let state = match (n.connected, n.wanted) {
                (true, _) => "connected",
                (false, true) => "connecting",
                (false, false) => "not connected",
            };
            let mark = if *ns == self.current_ns { "*" } else { " " };
            text.push_str(&format!("{mark} {ns:<12} {state}\n"));
        }
        text.pop();
        text
    }
}

fn stream_of_client(client: &Client) -> SelectAll<BoxStream<'static, Item>> {
    let mut all = SelectAll::new();
    all.push(client.events().map(Item::Client).boxed());
    all
}
