//! One Engine.IO v4 session: handshake, long-polling, the WebSocket upgrade, heartbeat.
//!
//! Driven by the [`Manager`](crate::Manager), which hands time down. The engine turns
//! [`TransportInput`]s into [`EngineEvent`]s and queues [`TransportCommand`]s. One `Engine`
//! value lives as long as its manager; every [`open`](Engine::open) starts a new session with
//! fresh transport ids, so reports from an older session are ignored.

use std::collections::VecDeque;
use std::time::Duration;

use crate::config::{Config, Transports};
use crate::engineio::{
    decode_payload, encode_payload, split_batch, Data, Frame, Handshake, Packet,
};
use crate::event::{DisconnectReason, OpenError};
use crate::timer::{deadline_after, Timer, TimerTable};
use crate::transport::{
    HttpRequest, Method, RequestId, TransportCommand, TransportId, TransportInput,
};
use crate::url::push_query_pair;
use crate::Instant;

/// What the engine tells the manager.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EngineEvent {
    /// Handshake done; the session is open.
    Open,
    /// A message packet (a Socket.IO packet, or one of its attachments).
    Message(Data),
    /// The server pinged.
    Ping,
    /// The WebSocket upgrade completed.
    Upgraded,
    /// The session could not be opened.
    OpenFailed(OpenError),
    /// The open session closed (not emitted for [`Engine::close`]), with the error that closed
    /// it (the manager reports it when the session never carried a Socket.IO packet).
    Closed(DisconnectReason, OpenError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed,
    Opening,
    Open,
}

#[derive(Debug, Clone)]
struct Polling {
    id: TransportId,
    get: Option<RequestId>,
    post: Option<RequestId>,
}

#[derive(Debug, Clone)]
enum Active {
    None,
    Polling(Polling),
    WebSocket(TransportId),
}

#[derive(Debug, Clone)]
struct Probe {
    id: TransportId,
    /// `3probe` received: polling is paused until its requests drain.
    answered: bool,
}

/// The Engine.IO session state machine.
#[derive(Debug)]
pub(crate) struct Engine {
    http_base: String,
    ws_base: String,
    base_query: String,
    headers: Vec<(String, String)>,
    transports: Transports,
    upgrade_timeout: Duration,
    max_inbound: usize,
    state: State,
    active: Active,
    probe: Option<Probe>,
    handshake: Option<Handshake>,
    write_queue: Vec<Packet>,
    /// The connection's one timer table (the manager arms its own slots in it too).
    pub(crate) timers: TimerTable,
    commands: VecDeque<TransportCommand>,
    events: Vec<EngineEvent>,
    next_id: u64,
    cache_buster: u64,
}

impl Engine {
    /// The engine for `config`; `seed` (the connection's own) seeds the cache-busters.
    pub(crate) fn new(config: &Config, seed: u64) -> Self {
        let path = config.engine_path();
        let mut base_query = String::new();
        for (k, v) in config.url.query.iter().chain(config.query.iter()) {
            push_query_pair(&mut base_query, k, v);
        }
        Self {
            http_base: config.url.origin(false) + &path,
            ws_base: config.url.origin(true) + &path,
            base_query,
            headers: config.headers.clone(),
            transports: config.transports,
            upgrade_timeout: config.upgrade_timeout,
            max_inbound: config.max_inbound_bytes,
            state: State::Closed,
            active: Active::None,
            probe: None,
            handshake: None,
            write_queue: Vec::new(),
            timers: TimerTable::default(),
            commands: VecDeque::new(),
            events: Vec::new(),
            next_id: 0,
            cache_buster: seed.rotate_left(17) & 0xffff_ffff,
        }
    }

    /// Whether the handshake completed and the session has not closed.
    pub(crate) fn is_open(&self) -> bool {
        self.state == State::Open
    }

    /// Whether a packet written now goes out at once (for volatile emits).
    pub(crate) fn is_writable(&self) -> bool {
        if self.state != State::Open {
            return false;
        }
        match &self.active {
            Active::WebSocket(_) => true,
            Active::Polling(p) => p.post.is_none() && !self.is_paused(),
            Active::None => false,
        }
    }

    /// The name of the transport in use (`"polling"` / `"websocket"`), if any.
    pub(crate) fn transport_name(&self) -> Option<&'static str> {
        match self.active {
            Active::None => None,
            Active::Polling(_) => Some("polling"),
            Active::WebSocket(_) => Some("websocket"),
        }
    }

    /// Whether the ping deadline has passed at `now` (socket.io-client `_hasPingExpired`).
    pub(crate) fn ping_expired(&self, now: Instant) -> bool {
        matches!(self.timers.get(Timer::Heartbeat), Some(at) if at <= now)
    }

    fn fresh_id(&mut self) -> u64 {
        self.next_id = self.next_id.wrapping_add(1);
        self.next_id
    }

    fn url(&mut self, websocket: bool) -> String {
        let mut url = if websocket {
            self.ws_base.clone()
        } else {
            self.http_base.clone()
        };
        url.push('?');
        let mut q = String::from("EIO=4");
        push_query_pair(
            &mut q,
            "transport",
            if websocket { "websocket" } else { "polling" },
        );
        if !websocket {
            self.cache_buster = self.cache_buster.wrapping_add(1);
            push_query_pair(&mut q, "t", &base36(self.cache_buster));
        }
        if let Some(h) = &self.handshake {
            push_query_pair(&mut q, "sid", &h.sid);
        }
        url.push_str(&q);
        if !self.base_query.is_empty() {
            url.push('&');
            url.push_str(&self.base_query);
        }
        url
    }

    /// Starts a new session. A session already opening or open is left alone.
    pub(crate) fn open(&mut self, _now: Instant) {
        if self.state != State::Closed {
            return;
        }
        self.state = State::Opening;
        self.handshake = None;
        self.write_queue.clear();
        self.stop_own_timers();
        let id = TransportId(self.fresh_id());
        match self.transports {
            Transports::WebSocketOnly => {
                let url = self.url(true);
                self.active = Active::WebSocket(id);
                self.commands.push_back(TransportCommand::OpenWebSocket {
                    id,
                    url,
                    headers: self.headers.clone(),
                });
            }
            Transports::PollingOnly | Transports::PollingThenWebSocket => {
                self.active = Active::Polling(Polling {
                    id,
                    get: None,
                    post: None,
                });
                self.poll();
            }
        }
    }

    /// Ends the session from our side: polling sends a CLOSE packet first. Emits no event.
    pub(crate) fn close(&mut self) {
        if self.state == State::Closed {
            return;
        }
        if self.state == State::Open {
            if let Active::Polling(p) = &self.active {
                let id = p.id;
                let request = self.request(Method::Post, Some(encode_payload(&[Packet::Close])));
                self.commands
                    .push_back(TransportCommand::Http { id, request });
            }
        }
        self.teardown();
    }

    fn teardown(&mut self) {
        if let Some(probe) = self.probe.take() {
            self.commands
                .push_back(TransportCommand::Close { id: probe.id });
        }
        match std::mem::replace(&mut self.active, Active::None) {
            Active::None => {}
            Active::Polling(p) => self
                .commands
                .push_back(TransportCommand::Close { id: p.id }),
            Active::WebSocket(id) => self.commands.push_back(TransportCommand::Close { id }),
        }
        self.state = State::Closed;
        self.handshake = None;
        self.write_queue.clear();
        self.stop_own_timers();
    }

    fn fail(&mut self, reason: DisconnectReason, open_error: OpenError) {
        let was = self.state;
        self.teardown();
        self.events.push(match was {
            State::Open => EngineEvent::Closed(reason, open_error),
            _ => EngineEvent::OpenFailed(open_error),
        });
    }

    /// Queues a packet; it is written as soon as the transport allows.
    pub(crate) fn send(&mut self, packet: Packet) {
        self.send_all([packet]);
    }

    /// Queues packets that belong together (a Socket.IO packet's text header and its binary
    /// attachments) before writing, so that long-polling carries them in one POST payload (up
    /// to the server's `maxPayload`, like engine.io-client's `_getWritablePackets`) instead of
    /// sending the header alone and the attachments in a second request.
    pub(crate) fn send_all(&mut self, packets: impl IntoIterator<Item = Packet>) {
        if self.state == State::Closed {
            return;
        }
        self.write_queue.extend(packets);
        self.flush();
    }

    fn is_paused(&self) -> bool {
        matches!(self.probe, Some(Probe { answered: true, .. }))
    }

    fn request(&mut self, method: Method, body: Option<String>) -> HttpRequest {
        let id = RequestId(self.fresh_id());
        let url = self.url(false);
        let mut headers = self.headers.clone();
        if method == Method::Post {
            headers.push((
                "Content-Type".to_string(),
                "text/plain;charset=UTF-8".to_string(),
            ));
        }
        HttpRequest {
            id,
            method,
            url,
            headers,
            body,
        }
    }

    /// Starts the next long-poll GET if none is in flight.
    fn poll(&mut self) {
        if self.is_paused() {
            return;
        }
        let Active::Polling(p) = &self.active else {
            return;
        };
        if p.get.is_some() {
            return;
        }
        let id = p.id;
        let request = self.request(Method::Get, None);
        if let Active::Polling(p) = &mut self.active {
            p.get = Some(request.id);
        }
        self.commands
            .push_back(TransportCommand::Http { id, request });
    }

    fn flush(&mut self) {
        if self.state != State::Open || self.write_queue.is_empty() {
            return;
        }
        match &self.active {
            Active::None => {}
            Active::WebSocket(id) => {
                let id = *id;
                for packet in std::mem::take(&mut self.write_queue) {
                    self.commands.push_back(TransportCommand::Send {
                        id,
                        frame: packet.to_frame(),
                    });
                }
            }
            Active::Polling(p) => {
                if p.post.is_some() || self.is_paused() {
                    return;
                }
                let id = p.id;
                let max = self.handshake.as_ref().map_or(u64::MAX, |h| h.max_payload);
                let queued = &self.write_queue;
                let n = split_batch(queued, max).max(1).min(queued.len());
                let body = encode_payload(&queued[..n]);
                self.write_queue.drain(..n);
                let request = self.request(Method::Post, Some(body));
                if let Active::Polling(p) = &mut self.active {
                    p.post = Some(request.id);
                }
                self.commands
                    .push_back(TransportCommand::Http { id, request });
            }
        }
    }

    /// Feeds a report from the driver.
    pub(crate) fn handle_transport(&mut self, now: Instant, input: TransportInput) {
        let tid = input.transport();
        if self.probe.as_ref().is_some_and(|p| p.id == tid) {
            self.handle_probe(now, input);
            return;
        }
        match (&self.active, input) {
            (
                Active::Polling(p),
                TransportInput::HttpResponse {
                    request,
                    status,
                    body,
                    ..
                },
            ) if p.id == tid => self.handle_http_response(now, request, status, body),
            (Active::Polling(p), TransportInput::HttpFailed { request, error, .. })
                if p.id == tid && (p.get == Some(request) || p.post == Some(request)) =>
            {
                self.fail(
                    DisconnectReason::TransportError,
                    OpenError::Transport(error),
                );
            }
            (Active::WebSocket(id), TransportInput::Opened { .. }) if *id == tid => {}
            (Active::WebSocket(id), TransportInput::Frame { frame, .. }) if *id == tid => {
                if frame_len(&frame) > self.max_inbound {
                    self.fail(
                        DisconnectReason::ParseError,
                        OpenError::NotSocketIo("frame too large".into()),
                    );
                    return;
                }
                match Packet::from_frame(frame) {
                    Ok(packet) => self.handle_packet(now, packet),
                    Err(e) => self.fail(
                        DisconnectReason::ParseError,
                        OpenError::NotSocketIo(e.to_string()),
                    ),
                }
            }
            (Active::WebSocket(id), TransportInput::Closed { error, .. }) if *id == tid => {
                let open_error = OpenError::Transport(
                    error.unwrap_or_else(|| "websocket connection closed".to_string()),
                );
                self.fail(DisconnectReason::TransportClose, open_error);
            }
            _ => {} // stale transport, or an input that does not apply
        }
    }

    fn handle_http_response(
        &mut self,
        now: Instant,
        request: RequestId,
        status: u16,
        body: String,
    ) {
        let Active::Polling(p) = &mut self.active else {
            return;
        };
        if p.post == Some(request) {
            p.post = None;
            if status != 200 {
                self.fail(
                    DisconnectReason::TransportError,
                    OpenError::from_http(status, &body),
                );
                return;
            }
            self.after_request(now);
            return;
        }
        if p.get != Some(request) {
            return;
        }
        p.get = None;
        if status != 200 {
            self.fail(
                DisconnectReason::TransportError,
                OpenError::from_http(status, &body),
            );
            return;
        }
        if body.len() > self.max_inbound {
            self.fail(
                DisconnectReason::ParseError,
                OpenError::NotSocketIo("response too large".into()),
            );
            return;
        }
        let packets = match decode_payload(&body) {
            Ok(p) => p,
            Err(e) => {
                self.fail(
                    DisconnectReason::ParseError,
                    OpenError::NotSocketIo(e.to_string()),
                );
                return;
            }
        };
        for packet in packets {
            if self.state == State::Closed {
                return;
            }
            self.handle_packet(now, packet);
        }
        self.after_request(now);
    }

    /// After a polling request completed: continue polling, flush, or finish a paused upgrade.
    fn after_request(&mut self, now: Instant) {
        if self.state == State::Closed {
            return;
        }
        if self.is_paused() {
            if let Active::Polling(p) = &self.active {
                if p.get.is_none() && p.post.is_none() {
                    self.finish_upgrade(now);
                }
            }
            return;
        }
        if self.state == State::Open {
            self.poll();
            self.flush();
        }
    }

    fn handle_packet(&mut self, now: Instant, packet: Packet) {
        match packet {
            Packet::Open(handshake) => {
                if self.state != State::Opening {
                    return;
                }
                self.state = State::Open;
                self.timers.set(
                    Timer::Heartbeat,
                    deadline_after(
                        now,
                        handshake
                            .ping_interval
                            .saturating_add(handshake.ping_timeout),
                    ),
                );
                let offers_ws = handshake.upgrades.iter().any(|u| u == "websocket");
                self.handshake = Some(handshake);
                self.events.push(EngineEvent::Open);
                if self.transports == Transports::PollingThenWebSocket
                    && offers_ws
                    && matches!(self.active, Active::Polling(_))
                {
                    self.start_probe(now);
                }
                self.flush();
            }
            _ if self.state != State::Open => {
                // Anything before the handshake means this is not an Engine.IO v4 server.
                self.fail(
                    DisconnectReason::ParseError,
                    OpenError::NotSocketIo("expected an OPEN packet first".into()),
                );
            }
            Packet::Ping(_) => {
                if let Some(h) = &self.handshake {
                    let at = deadline_after(now, h.ping_interval.saturating_add(h.ping_timeout));
                    self.timers.set(Timer::Heartbeat, at);
                }
                self.events.push(EngineEvent::Ping);
                self.send(Packet::Pong(None));
            }
            Packet::Message(data) => self.events.push(EngineEvent::Message(data)),
            Packet::Close => self.fail(
                DisconnectReason::TransportClose,
                OpenError::Transport("closed by server".into()),
            ),
            Packet::Pong(_) | Packet::Upgrade | Packet::Noop => {}
        }
    }

    fn start_probe(&mut self, now: Instant) {
        let id = TransportId(self.fresh_id());
        let url = self.url(true);
        self.probe = Some(Probe {
            id,
            answered: false,
        });
        self.timers.set(
            Timer::UpgradeProbe,
            deadline_after(now, self.upgrade_timeout),
        );
        self.commands.push_back(TransportCommand::OpenWebSocket {
            id,
            url,
            headers: self.headers.clone(),
        });
    }

    fn handle_probe(&mut self, now: Instant, input: TransportInput) {
        let Some(probe) = &mut self.probe else {
            return;
        };
        let id = probe.id;
        match input {
            TransportInput::Opened { .. } if !probe.answered => {
                self.commands.push_back(TransportCommand::Send {
                    id,
                    frame: Packet::Ping(Some("probe".into())).to_frame(),
                });
            }
            TransportInput::Frame { frame, .. } if !probe.answered => {
                match Packet::from_frame(frame) {
                    Ok(Packet::Pong(Some(ref p))) if p == "probe" => {
                        probe.answered = true;
                        if let Active::Polling(p) = &self.active {
                            if p.get.is_none() && p.post.is_none() {
                                self.finish_upgrade(now);
                            }
                        }
                    }
                    _ => self.abandon_probe(),
                }
            }
            _ => self.abandon_probe(),
        }
    }

    /// The probe failed: close it and carry on with polling (engine.io-client `upgradeError`).
    fn abandon_probe(&mut self) {
        if let Some(probe) = self.probe.take() {
            self.commands
                .push_back(TransportCommand::Close { id: probe.id });
        }
        self.timers.stop(Timer::UpgradeProbe);
        if self.state == State::Open {
            self.poll();
            self.flush();
        }
    }

    fn finish_upgrade(&mut self, _now: Instant) {
        let Some(probe) = self.probe.take() else {
            return;
        };
        self.timers.stop(Timer::UpgradeProbe);
        if let Active::Polling(p) = &self.active {
            self.commands
                .push_back(TransportCommand::Close { id: p.id });
        }
        self.active = Active::WebSocket(probe.id);
        self.commands.push_back(TransportCommand::Send {
            id: probe.id,
            frame: Packet::Upgrade.to_frame(),
        });
        self.events.push(EngineEvent::Upgraded);
        self.flush();
    }

    /// Disarms the engine's timers (the manager's slots of the shared table are its own).
    fn stop_own_timers(&mut self) {
        self.timers.stop(Timer::Heartbeat);
        self.timers.stop(Timer::UpgradeProbe);
    }

    /// Fires expired engine timers.
    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        if self.timers.take_expired(Timer::Heartbeat, now) {
            self.fail(
                DisconnectReason::PingTimeout,
                OpenError::Transport("ping timeout".into()),
            );
            return;
        }
        if self.timers.take_expired(Timer::UpgradeProbe, now) {
            self.abandon_probe();
        }
    }

    pub(crate) fn poll_transport(&mut self) -> Option<TransportCommand> {
        let command = self.commands.pop_front();
        if command.is_none() && self.commands.capacity() > 0 {
            // an idle connection keeps no command queue
            self.commands = VecDeque::new();
        }
        command
    }

    /// The events reported since the last call, in order.
    pub(crate) fn take_events(&mut self) -> Vec<EngineEvent> {
        std::mem::take(&mut self.events)
    }

    /// Number of packets waiting for the transport (for state-growth checks in tests).
    #[cfg(test)]
    pub(crate) fn queued(&self) -> usize {
        self.write_queue.len() + self.commands.len() + self.events.len()
    }
}

fn frame_len(frame: &Frame) -> usize {
    match frame {
        Frame::Text(t) => t.len(),
        Frame::Binary(b) => b.len(),
    }
}

fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut buf = [0u8; 13];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = DIGITS[(n % 36) as usize];
        n /= 36;
        if n == 0 {
            break;
        }
    }
    buf[i..].iter().map(|&b| b as char).collect()
}
