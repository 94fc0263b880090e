//! The manager: one Engine.IO connection, its namespace sockets, and reconnection.
//!
//! Behaviour follows socket.io-client's `Manager` (docs/protocol.md §2): the same events in the same
//! order, the same rules for which disconnects reconnect, with the deviations listed in the
//! crate documentation.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::backoff::Backoff;
use crate::config::{Auth, Config, ConfigError};
use crate::engine::{Engine, EngineEvent};
use crate::engineio::Data;
use crate::error::{is_reserved, EmitError};
use crate::event::{AckHandle, ConnectError, DisconnectReason, Event, OpenError};
use crate::socket::{EmitOptions, Io, Outcome, Socket, SocketOptions};
use crate::socketio::{Decoder, DecoderLimits};
use crate::timer::{deadline_after, Timer};
use crate::transport::{TransportCommand, TransportInput};
use crate::value::Payload;
use crate::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed,
    Opening,
    Open,
}

/// A session opened by the current attempt that has not carried a Socket.IO packet yet. If it
/// closes in that state (a load balancer sent the next request to a node that does not know
/// the session, a proxy cut the stream), the attempt failed: its namespaces get a
/// `ConnectError` and it counts toward `reconnection_attempts` (a deliberate difference from
/// socket.io-client, which counts the handshake as success and loops forever).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Unconfirmed {
    /// The attempt number when this session is a reconnection (its `Reconnect` event waits
    /// for the confirmation).
    reconnect_attempt: Option<u32>,
}

/// A Socket.IO client connection: the whole client, minus sockets and clocks.
///
/// # Driving it
///
/// The driver owns the `Manager` and calls, in a loop:
///
/// 1. **Commands** whenever the user asks: [`connect`](Self::connect), [`emit`](Self::emit),
///    [`ack`](Self::ack), [`join`](Self::join), [`disconnect`](Self::disconnect), … Each takes
///    the current time.
/// 2. **Inputs** as they happen: [`handle_transport`](Self::handle_transport) for every network
///    report, [`handle_timeout`](Self::handle_timeout) when the deadline from
///    [`poll_timeout`](Self::poll_timeout) has passed (calling it early is harmless).
/// 3. **Outputs** after every command or input, until each returns `None`:
///    [`poll_transport`](Self::poll_transport) (perform the I/O), then
///    [`poll_event`](Self::poll_event) (tell the user), then [`poll_timeout`](Self::poll_timeout)
///    (sleep until then, or until the next input or command).
///
/// Time is never read inside; an earlier `now` than a previous call is treated as the previous.
#[derive(Debug)]
pub struct Manager {
    /// Shared by the connections built from equal configurations (see
    /// [`with_shared_config`](Self::with_shared_config)); copied on write.
    config: Arc<Config>,
    engine: Engine,
    state: State,
    sockets: Vec<Socket>,
    decoder: Decoder,
    backoff: Backoff,
    reconnecting: bool,
    skip_reconnect: bool,
    unconfirmed: Option<Unconfirmed>,
    events: VecDeque<Event>,
    next_handle: u64,
    last_now: Option<Instant>,
}

impl Manager {
    /// A manager for `config`; nothing happens until a socket connects.
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        let seed = config.seed;
        Self::with_shared_config(Arc::new(config), seed)
    }

    /// A manager for a configuration shared with other connections (many clients of one
    /// server need one copy, not one each), with this connection's own `seed` in place of
    /// `config.seed`, so that connections sharing a configuration do not share their backoff
    /// jitter or cache-busters. Nothing happens until a socket connects.
    pub fn with_shared_config(config: Arc<Config>, seed: u64) -> Result<Self, ConfigError> {
        config.validate()?;
        let backoff = Backoff::new(
            config.reconnection_delay,
            config.reconnection_delay_max,
            config.randomization_factor,
            seed,
        );
        Ok(Self {
            engine: Engine::new(&config, seed),
            decoder: new_decoder(&config),
            state: State::Closed,
            sockets: Vec::new(),
            backoff,
            reconnecting: false,
            skip_reconnect: false,
            unconfirmed: None,
            events: VecDeque::new(),
            next_handle: 0,
            last_now: None,
            config,
        })
    }

    /// The configuration in use (its `seed` is not this connection's when the manager was
    /// made by [`with_shared_config`](Self::with_shared_config)).
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn clock(&mut self, now: Instant) -> Instant {
        let now = match self.last_now {
            Some(last) if last > now => last,
            _ => now,
        };
        self.last_now = Some(now);
        now
    }

    fn socket_index(&mut self, ns: &str) -> usize {
        if let Some(i) = self.sockets.iter().position(|s| s.ns() == ns) {
            return i;
        }
        let options = SocketOptions {
            ack_timeout: self.config.ack_timeout,
            retries: self.config.retries,
            join_event: self.config.room_events.join.clone(),
            leave_event: self.config.room_events.leave.clone(),
            max_server_acks: self.config.max_pending_server_acks,
        };
        // most connections carry one namespace: no spare slots (a socket is ~400 bytes)
        self.sockets.reserve_exact(1);
        self.sockets.push(Socket::new(ns.to_string(), options));
        self.sockets.len() - 1
    }

    fn io(&mut self) -> (Io<'_>, &mut Vec<Socket>) {
        (
            Io {
                engine: &mut self.engine,
                events: &mut self.events,
                report_outgoing: self.config.report_outgoing,
                parser: self.config.parser,
            },
            &mut self.sockets,
        )
    }

    // ----- commands -------------------------------------------------------------------------

    /// Connects namespace `ns` (socket.io-client `socket.connect()`), opening the connection if
    /// needed. A no-op if it is already connected or connecting.
    pub fn connect(&mut self, ns: &str, now: Instant) {
        let now = self.clock(now);
        let i = self.socket_index(ns);
        if self.sockets[i].is_active() {
            return;
        }
        self.sockets[i].activate();
        if !self.reconnecting {
            self.open(now);
        }
        if self.state == State::Open {
            self.socket_on_open(i);
        }
    }

    fn socket_on_open(&mut self, i: usize) {
        let (auth, provider) = match &self.config.auth {
            Auth::None => (None, false),
            Auth::Static(a) => (Some(a.clone()), false),
            Auth::Provider => (None, true),
        };
        let (mut io, sockets) = self.io();
        sockets[i].on_open(&mut io, auth.as_deref(), provider);
    }

    /// Answers an [`Event::AuthRequest`]: `auth` is the JSON object text for the CONNECT
    /// packet (or `None` for no payload). Ignored if no request is pending for `ns`.
    pub fn provide_auth(&mut self, ns: &str, auth: Option<&str>, now: Instant) {
        let _ = self.clock(now);
        let Some(i) = self.sockets.iter().position(|s| s.ns() == ns) else {
            return;
        };
        let auth = auth.filter(|a| crate::wire::is_object(a));
        let (mut io, sockets) = self.io();
        sockets[i].provide_auth(&mut io, auth);
    }

    /// Disconnects namespace `ns` (sends DISCONNECT if connected). When no other namespace is
    /// active, the connection is closed too. No automatic reconnection follows.
    pub fn disconnect(&mut self, ns: &str, now: Instant) {
        let now = self.clock(now);
        let Some(i) = self.sockets.iter().position(|s| s.ns() == ns) else {
            return;
        };
        {
            let (mut io, sockets) = self.io();
            sockets[i].disconnect(&mut io, now);
        }
        self.maybe_close_after_destroy(now);
    }

    /// Closes the connection and every namespace; pending acks fail with
    /// [`AckError::Closed`](crate::AckError::Closed). No automatic reconnection follows.
    pub fn close(&mut self, now: Instant) {
        let now = self.clock(now);
        for i in 0..self.sockets.len() {
            let (mut io, sockets) = self.io();
            sockets[i].disconnect(&mut io, now);
            sockets[i].discard_buffers(&mut io);
        }
        self.force_close(now);
    }

    /// Emits `event` with `args` (a JSON array text with binary placeholders, plus attachments)
    /// on `ns`. Buffered while the namespace is not connected, unless `opts.volatile`.
    /// Returns the handle of the expected ack when `opts.ack` is set.
    pub fn emit(
        &mut self,
        ns: &str,
        event: &str,
        args: Payload,
        opts: EmitOptions,
        now: Instant,
    ) -> Result<Option<AckHandle>, EmitError> {
        if is_reserved(event) {
            return Err(EmitError::ReservedName(event.to_string()));
        }
        if !crate::wire::is_array(&args.json) {
            return Err(EmitError::InvalidArgs);
        }
        // Deadlines that passed while the caller was away fire first (a throttled timer must not
        // let an emit go to a dead connection: socket.io-client `_hasPingExpired`).
        self.handle_timeout(now);
        let now = self.clock(now);
        let handle = AckHandle(self.next_handle);
        self.next_handle = self.next_handle.wrapping_add(1);
        let i = self.socket_index(ns);
        let (mut io, sockets) = self.io();
        Ok(sockets[i].emit(&mut io, now, event, args, opts, handle))
    }

    /// Answers the server's ack request `id` (from [`Event::Message::ack`]) on `ns`, once.
    pub fn ack(&mut self, ns: &str, id: u64, args: Payload, now: Instant) -> Result<(), EmitError> {
        let _ = self.clock(now);
        if !crate::wire::is_array(&args.json) {
            return Err(EmitError::InvalidArgs);
        }
        let Some(i) = self.sockets.iter().position(|s| s.ns() == ns) else {
            return Err(EmitError::UnknownAck(id));
        };
        let (mut io, sockets) = self.io();
        if sockets[i].reply(&mut io, id, args) {
            Ok(())
        } else {
            Err(EmitError::UnknownAck(id))
        }
    }

    /// Joins `room` on `ns` with the rooms convention; it is re-joined after every reconnect
    /// that did not recover the session.
    pub fn join(&mut self, ns: &str, room: &str, now: Instant) {
        let now = self.clock(now);
        let i = self.socket_index(ns);
        let (mut io, sockets) = self.io();
        sockets[i].join(&mut io, now, room);
    }

    /// Leaves `room` on `ns` and stops re-joining it.
    pub fn leave(&mut self, ns: &str, room: &str, now: Instant) {
        let now = self.clock(now);
        let i = self.socket_index(ns);
        let (mut io, sockets) = self.io();
        sockets[i].leave(&mut io, now, room);
    }

    /// Reconnects now and restarts the backoff schedule (socket.io-client has no equivalent:
    /// its `connect()` waits for the running delay). A no-op while open or opening.
    pub fn reconnect_now(&mut self, now: Instant) {
        let now = self.clock(now);
        self.backoff.reset();
        if self.state != State::Closed {
            return;
        }
        self.skip_reconnect = false;
        if !self.sockets.iter().any(Socket::is_active) {
            return;
        }
        self.engine.timers.stop(Timer::Reconnect);
        self.reconnecting = true;
        self.attempt(now);
    }

    /// Turns [`Event::Outgoing`] reports on or off (for `onAnyOutgoing` listeners).
    pub fn set_report_outgoing(&mut self, on: bool) {
        Arc::make_mut(&mut self.config).report_outgoing = on;
    }

    // ----- state ----------------------------------------------------------------------------

    /// The namespaces this manager has a socket for (every one that was ever connected,
    /// emitted on or joined), in creation order.
    pub fn namespaces(&self) -> impl Iterator<Item = &str> + '_ {
        self.sockets.iter().map(|s| s.ns())
    }

    /// Whether `ns` is connected.
    pub fn is_connected(&self, ns: &str) -> bool {
        self.sockets
            .iter()
            .any(|s| s.ns() == ns && s.is_connected())
    }

    /// Whether `ns` wants to be connected and will reconnect by itself (socket.io-client
    /// `socket.active`).
    pub fn is_active(&self, ns: &str) -> bool {
        self.sockets.iter().any(|s| s.ns() == ns && s.is_active())
    }

    /// The namespace socket id of `ns`, while connected.
    pub fn id(&self, ns: &str) -> Option<&str> {
        self.sockets
            .iter()
            .find(|s| s.ns() == ns)
            .and_then(Socket::id)
    }

    /// Whether the last connection of `ns` was recovered.
    pub fn recovered(&self, ns: &str) -> bool {
        self.sockets.iter().any(|s| s.ns() == ns && s.recovered())
    }

    /// The rooms `ns` is in (or will re-join).
    pub fn rooms(&self, ns: &str) -> &[String] {
        self.sockets
            .iter()
            .find(|s| s.ns() == ns)
            .map_or(&[], Socket::rooms)
    }

    /// How many ack requests of the server were forgotten on `ns` because more than
    /// `Config::max_pending_server_acks` were unanswered (see there).
    pub fn dropped_ack_requests(&self, ns: &str) -> u64 {
        self.sockets
            .iter()
            .find(|s| s.ns() == ns)
            .map_or(0, Socket::dropped_ack_requests)
    }

    /// Whether a reconnection loop is running.
    pub fn is_reconnecting(&self) -> bool {
        self.reconnecting
    }

    /// The transport in use: `"polling"` or `"websocket"`.
    pub fn transport_name(&self) -> Option<&'static str> {
        self.engine.transport_name()
    }

    // ----- inputs ---------------------------------------------------------------------------

    /// Feeds a network report from the driver.
    pub fn handle_transport(&mut self, now: Instant, input: TransportInput) {
        let now = self.clock(now);
        self.engine.handle_transport(now, input);
        self.process_engine(now);
    }

    /// Fires every deadline at or before `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        let now = self.clock(now);
        self.engine.handle_timeout(now);
        self.process_engine(now);
        if self.engine.timers.take_expired(Timer::Connect, now) {
            self.engine.close();
            self.on_open_error(now, OpenError::Timeout);
        }
        if self.engine.timers.take_expired(Timer::Reconnect, now) {
            self.attempt(now);
        }
        for i in 0..self.sockets.len() {
            let (mut io, sockets) = self.io();
            sockets[i].handle_timeout(&mut io, now);
        }
    }

    // ----- outputs --------------------------------------------------------------------------

    /// The next I/O to perform.
    #[must_use]
    pub fn poll_transport(&mut self) -> Option<TransportCommand> {
        self.engine.poll_transport()
    }

    /// The next event for the user.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        let event = self.events.pop_front();
        if event.is_none() && self.events.capacity() > 0 {
            // an idle connection keeps no event queue
            self.events = VecDeque::new();
        }
        event
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.next_timeout().map(|(at, _)| at)
    }

    /// The soonest deadline and why: a connection timer of the one [`TimerTable`](crate::timer::TimerTable), or the
    /// earliest ack deadline of the sockets ([`Timer::Ack`]).
    #[must_use]
    pub fn next_timeout(&self) -> Option<(Instant, Timer)> {
        let table = self.engine.timers.next().map(|(timer, at)| (at, timer));
        let acks = self
            .sockets
            .iter()
            .filter_map(Socket::poll_timeout)
            .min()
            .map(|at| (at, Timer::Ack));
        table.into_iter().chain(acks).min_by_key(|(at, _)| *at)
    }

    // ----- internals ------------------------------------------------------------------------

    /// Opens the connection (socket.io-client `Manager.open`); a no-op unless closed.
    fn open(&mut self, now: Instant) {
        if self.state != State::Closed {
            return;
        }
        self.skip_reconnect = false;
        self.state = State::Opening;
        self.decoder = new_decoder(&self.config);
        self.engine.open(now);
        if let Some(t) = self.config.timeout {
            self.engine
                .timers
                .set(Timer::Connect, deadline_after(now, t));
        }
    }

    /// A reconnection attempt is due.
    fn attempt(&mut self, now: Instant) {
        if self.skip_reconnect {
            self.reconnecting = false;
            return;
        }
        self.events.push_back(Event::ReconnectAttempt {
            attempt: self.backoff.attempts().max(1),
        });
        if self.skip_reconnect {
            return;
        }
        self.open(now);
    }

    /// Schedules the next attempt, or gives up (socket.io-client `reconnect`).
    fn schedule_reconnect(&mut self, now: Instant) {
        if self.reconnecting || self.skip_reconnect {
            return;
        }
        if let Some(max) = self.config.reconnection_attempts {
            if self.backoff.attempts() >= max {
                self.backoff.reset();
                self.events.push_back(Event::ReconnectFailed);
                return;
            }
        }
        let delay = self.backoff.next_delay();
        self.reconnecting = true;
        self.engine
            .timers
            .set(Timer::Reconnect, deadline_after(now, delay));
    }

    fn process_engine(&mut self, now: Instant) {
        // In order, including events that handling these ones causes.
        loop {
            let events = self.engine.take_events();
            if events.is_empty() {
                return;
            }
            for event in events {
                match event {
                    EngineEvent::Open => self.on_open(now),
                    EngineEvent::Message(data) => self.on_data(now, data),
                    EngineEvent::Ping => self.events.push_back(Event::Ping),
                    EngineEvent::Upgraded => self.events.push_back(Event::Upgrade),
                    EngineEvent::OpenFailed(error) => self.on_open_error(now, error),
                    EngineEvent::Closed(reason, error) => self.on_close(now, reason, Some(error)),
                }
            }
        }
    }

    fn on_open(&mut self, _now: Instant) {
        self.state = State::Open;
        self.engine.timers.stop(Timer::Connect);
        self.events.push_back(Event::Open);
        // the attempt succeeds with the first Socket.IO packet (see `confirm_session`)
        self.unconfirmed = Some(Unconfirmed {
            reconnect_attempt: self.reconnecting.then(|| self.backoff.attempts().max(1)),
        });
        self.reconnecting = false;
        for i in 0..self.sockets.len() {
            if self.sockets[i].is_active() {
                self.socket_on_open(i);
            }
        }
    }

    /// The session carried a Socket.IO packet: the attempt that opened it succeeded, the
    /// backoff restarts and a reconnection is reported (before the packet's own events).
    fn confirm_session(&mut self) {
        let Some(unconfirmed) = self.unconfirmed.take() else {
            return;
        };
        self.backoff.reset();
        if let Some(attempt) = unconfirmed.reconnect_attempt {
            self.events.push_back(Event::Reconnect { attempt });
        }
    }

    /// A session closed before it carried a Socket.IO packet: every namespace waiting for it
    /// gets a `ConnectError`, a reconnection a `ReconnectError` (the backoff is not reset).
    /// A session that never carried a Socket.IO packet closed: the attempt failed. Sockets
    /// that already reported (`reported[i]`) are not told twice.
    fn report_failed_session(
        &mut self,
        unconfirmed: Unconfirmed,
        error: OpenError,
        reported: &[bool],
    ) {
        for (socket, reported) in self.sockets.iter().zip(reported) {
            if socket.is_active() && !socket.is_connected() && !reported {
                self.events.push_back(Event::ConnectError {
                    ns: socket.ns().to_string(),
                    error: ConnectError::Open(error.clone()),
                });
            }
        }
        if unconfirmed.reconnect_attempt.is_some() {
            self.events.push_back(Event::ReconnectError(error));
        }
    }

    fn on_data(&mut self, now: Instant, data: Data) {
        let decoded = match data {
            // An empty message is not a Socket.IO packet (socket.io-client fails to decode it
            // too, although the parser alone would read it as CONNECT).
            Data::Text(text) if text.is_empty() => {
                self.engine.close();
                let error = OpenError::NotSocketIo("empty message".into());
                self.on_close(now, DisconnectReason::ParseError, Some(error));
                return;
            }
            Data::Text(text) => self.decoder.decode_text(&text),
            Data::Binary(bytes) => self.decoder.decode_binary(bytes),
        };
        let packet = match decoded {
            Ok(Some(packet)) => packet,
            Ok(None) => return,
            Err(error) => {
                self.engine.close();
                let error = OpenError::NotSocketIo(format!("undecodable packet: {error}"));
                self.on_close(now, DisconnectReason::ParseError, Some(error));
                return;
            }
        };
        self.confirm_session();
        let Some(i) = self.sockets.iter().position(|s| s.ns() == packet.nsp) else {
            return;
        };
        let outcome = {
            let (mut io, sockets) = self.io();
            sockets[i].handle_packet(&mut io, now, packet)
        };
        if outcome == Outcome::Destroyed {
            self.maybe_close_after_destroy(now);
        }
    }

    /// socket.io-client `_destroy`: the connection goes when no socket is active any more.
    fn maybe_close_after_destroy(&mut self, now: Instant) {
        if self.sockets.iter().any(Socket::is_active) {
            return;
        }
        self.force_close(now);
    }

    /// socket.io-client `_close`: close without reconnecting.
    fn force_close(&mut self, now: Instant) {
        self.skip_reconnect = true;
        self.reconnecting = false;
        self.engine.timers.stop(Timer::Reconnect);
        if self.state == State::Closed {
            return;
        }
        self.engine.close();
        self.on_close(now, DisconnectReason::ForcedClose, None);
    }

    /// The session closed; `error` is what closed it (reported when the session never carried
    /// a Socket.IO packet).
    fn on_close(&mut self, now: Instant, reason: DisconnectReason, error: Option<OpenError>) {
        self.engine.timers.stop(Timer::Connect);
        let failed = self.unconfirmed.take().filter(|_| reason.reconnects());
        if failed.is_none() {
            self.backoff.reset();
        }
        self.state = State::Closed;
        self.events.push_back(Event::Close { reason });
        // one cause for every report of this close: the most specific one known
        let cause = error.unwrap_or_else(|| OpenError::Transport(reason.as_str().into()));
        let mut reported = vec![false; self.sockets.len()];
        for (i, reported) in reported.iter_mut().enumerate() {
            if self.sockets[i].is_active() || self.sockets[i].is_connected() {
                let (mut io, sockets) = self.io();
                *reported = sockets[i].on_session_closed(&mut io, now, reason, Some(&cause));
            }
        }
        if let Some(unconfirmed) = failed {
            self.report_failed_session(unconfirmed, cause, &reported);
        }
        if self.config.reconnection && !self.skip_reconnect && reason.reconnects() {
            self.schedule_reconnect(now);
        }
    }

    fn on_open_error(&mut self, now: Instant, error: OpenError) {
        self.engine.timers.stop(Timer::Connect);
        self.state = State::Closed;
        self.events.push_back(Event::Error(error.clone()));
        for i in 0..self.sockets.len() {
            if self.sockets[i].is_active() && !self.sockets[i].is_connected() {
                self.sockets[i].reset_connecting();
                let ns = self.sockets[i].ns().to_string();
                self.events.push_back(Event::ConnectError {
                    ns,
                    error: ConnectError::Open(error.clone()),
                });
            }
        }
        if self.reconnecting {
            self.reconnecting = false;
            self.events.push_back(Event::ReconnectError(error));
            self.schedule_reconnect(now);
        } else if self.config.reconnection && self.backoff.attempts() == 0 && !self.skip_reconnect {
            self.schedule_reconnect(now);
        }
    }

    /// Size of the internal bookkeeping (for state-growth checks in tests).
    #[cfg(test)]
    pub(crate) fn footprint(&self) -> usize {
        self.events.len()
            + self.engine.queued()
            + self.sockets.iter().map(Socket::footprint).sum::<usize>()
    }
}

/// A packet decoder for the configured parser and attachment limit.
fn new_decoder(config: &Config) -> Decoder {
    Decoder::with_parser(
        config.parser,
        DecoderLimits {
            max_attachments: config.max_attachments,
            max_packet_len: config.max_packet_bytes,
            ..DecoderLimits::default()
        },
    )
}
