//! One namespace socket: CONNECT/auth, emits and acks (with deadlines and retries), the offline
//! send buffer, connection state recovery, and rooms that are re-joined after a reconnect.
//!
//! A `Socket` never touches the network itself: the [`Manager`](crate::Manager) hands it an
//! [`Io`] (the engine plus the event queue) for every call.

use std::collections::VecDeque;
use std::time::Duration;

use crate::acks::{PendingAck, PendingAcks, ServerAcks};
use crate::engine::Engine;
use crate::engineio::{Data, Packet as EnginePacket};
use crate::event::{AckError, AckHandle, ConnectError, DisconnectReason, Event, OpenError};
use crate::socketio::{encode, Packet, Parser};
use crate::timer::deadline_after;
use crate::value::Payload;
use crate::wire;
use crate::Instant;

/// What a socket may touch while handling a call.
pub(crate) struct Io<'a> {
    pub(crate) engine: &'a mut Engine,
    pub(crate) events: &'a mut VecDeque<Event>,
    pub(crate) report_outgoing: bool,
    #[cfg_attr(not(feature = "msgpack"), allow(dead_code))]
    pub(crate) parser: Parser,
}

impl Io<'_> {
    /// Encodes `packet` into Engine.IO messages (JSON: a text header, then one binary message
    /// per attachment; MessagePack: one binary message) and queues them together.
    fn send(&mut self, packet: &Packet) {
        #[cfg(feature = "msgpack")]
        if self.parser == Parser::MessagePack {
            let message = crate::socketio::msgpack::encode(packet);
            self.engine
                .send(EnginePacket::Message(Data::Binary(message)));
            return;
        }
        let encoded = encode(packet);
        let header = EnginePacket::Message(Data::Text(encoded.text));
        let attachments = encoded
            .attachments
            .into_iter()
            .map(|a| EnginePacket::Message(Data::Binary(a)));
        self.engine
            .send_all(std::iter::once(header).chain(attachments));
    }
}

/// How an emit wants to be treated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmitOptions {
    /// Expect an acknowledgement (reported as [`Event::Ack`] / [`Event::AckError`]).
    pub ack: bool,
    /// Ack deadline for this emit; overrides `Config::ack_timeout`.
    pub timeout: Option<Duration>,
    /// Drop the packet instead of buffering it when it cannot be written at once.
    pub volatile: bool,
}

/// Who waits for an ack with a given wire id.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Waiter {
    /// A user emit.
    User(AckHandle),
    /// The in-flight try of the head of the retry queue.
    Retry,
    /// A join of the rooms convention.
    Join(String),
    /// A leave of the rooms convention.
    Leave,
}

/// An emit waiting for the connection.
#[derive(Debug, Clone)]
struct Buffered {
    packet: Packet,
    event: String,
    args: Payload,
}

/// An emit under the `retries` regime (socket.io-client `_queue`).
#[derive(Debug, Clone)]
struct Retrying {
    handle: AckHandle,
    wants_ack: bool,
    event: String,
    args: Payload,
    tries: u32,
    pending: bool,
    timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Disconnected,
    /// CONNECT sent (or auth requested); waiting for the server's reply.
    Connecting,
    Connected,
}

/// Limits and options a socket needs from the configuration.
#[derive(Debug, Clone)]
pub(crate) struct SocketOptions {
    pub(crate) ack_timeout: Option<Duration>,
    pub(crate) retries: u32,
    pub(crate) join_event: String,
    pub(crate) leave_event: String,
    /// Most server ack requests kept unanswered (`Config::max_pending_server_acks`).
    pub(crate) max_server_acks: usize,
}

/// The state of one namespace.
#[derive(Debug)]
pub(crate) struct Socket {
    ns: String,
    options: SocketOptions,
    state: State,
    /// Wants to be connected; reconnects with the manager (socket.io-client `active`).
    active: bool,
    awaiting_auth: bool,
    id: Option<String>,
    pid: Option<String>,
    last_offset: Option<String>,
    recovered: bool,
    next_wire_id: u64,
    /// Our emits waiting for the server's ack, by wire id.
    acks: PendingAcks<Waiter>,
    send_buffer: Vec<Buffered>,
    receive_buffer: Vec<Event>,
    retry_queue: VecDeque<Retrying>,
    rooms: Vec<String>,
    joins_while_away: Vec<String>,
    leaves_while_away: Vec<String>,
    /// Server events waiting for our ack.
    server_acks: ServerAcks,
}

/// Events received before CONNECT completes are kept (bounded) and delivered on connect.
const RECEIVE_BUFFER_LIMIT: usize = 1024;

mod incoming;

impl Socket {
    pub(crate) fn new(ns: String, options: SocketOptions) -> Self {
        let server_acks = ServerAcks::new(options.max_server_acks);
        Self {
            ns,
            options,
            state: State::Disconnected,
            active: false,
            awaiting_auth: false,
            id: None,
            pid: None,
            last_offset: None,
            recovered: false,
            next_wire_id: 0,
            acks: PendingAcks::default(),
            send_buffer: Vec::new(),
            receive_buffer: Vec::new(),
            retry_queue: VecDeque::new(),
            rooms: Vec::new(),
            joins_while_away: Vec::new(),
            leaves_while_away: Vec::new(),
            server_acks,
        }
    }

    pub(crate) fn ns(&self) -> &str {
        &self.ns
    }

    /// The connection attempt failed before CONNECT completed: start over on the next open.
    pub(crate) fn reset_connecting(&mut self) {
        if self.state == State::Connecting {
            self.state = State::Disconnected;
        }
        self.awaiting_auth = false;
        // Requests of events received while connecting can no longer be answered.
        self.server_acks.clear();
    }

    pub(crate) fn is_active(&self) -> bool {
        self.active
    }

    pub(crate) fn is_connected(&self) -> bool {
        self.state == State::Connected
    }

    pub(crate) fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    pub(crate) fn recovered(&self) -> bool {
        self.recovered
    }

    pub(crate) fn rooms(&self) -> &[String] {
        &self.rooms
    }

    /// How many server ack requests were forgotten because too many were unanswered.
    pub(crate) fn dropped_ack_requests(&self) -> u64 {
        self.server_acks.dropped()
    }

    /// Marks the socket as wanting a connection (`socket.connect()`).
    pub(crate) fn activate(&mut self) {
        self.active = true;
    }

    /// The engine is open: ask for auth or send CONNECT (socket.io-client `onopen`).
    pub(crate) fn on_open(&mut self, io: &mut Io<'_>, static_auth: Option<&str>, provider: bool) {
        if !self.active || self.state != State::Disconnected {
            return;
        }
        self.state = State::Connecting;
        if provider {
            self.awaiting_auth = true;
            io.events.push_back(Event::AuthRequest {
                ns: self.ns.clone(),
            });
        } else {
            self.send_connect(io, static_auth);
        }
    }

    /// The driver answered an [`Event::AuthRequest`].
    pub(crate) fn provide_auth(&mut self, io: &mut Io<'_>, auth: Option<&str>) {
        if !self.awaiting_auth {
            return;
        }
        self.awaiting_auth = false;
        if self.state == State::Connecting && io.engine.is_open() {
            self.send_connect(io, auth);
        }
    }

    fn send_connect(&mut self, io: &mut Io<'_>, auth: Option<&str>) {
        let data = wire::connect_payload(auth, self.pid.as_deref(), self.last_offset.as_deref());
        io.send(&Packet::connect(&self.ns, data));
    }

    fn next_id(&mut self) -> u64 {
        let id = self.next_wire_id;
        self.next_wire_id = self.next_wire_id.wrapping_add(1);
        id
    }

    fn register_ack(&mut self, id: u64, waiter: Waiter, deadline: Option<Instant>) {
        self.acks.register(id, waiter, deadline);
    }

    fn remove_ack(&mut self, id: u64) -> Option<PendingAck<Waiter>> {
        self.acks.remove(id)
    }

    /// A user emit. Returns the ack handle when one was requested.
    pub(crate) fn emit(
        &mut self,
        io: &mut Io<'_>,
        now: Instant,
        event: &str,
        args: Payload,
        opts: EmitOptions,
        handle: AckHandle,
    ) -> Option<AckHandle> {
        let timeout = opts.timeout.or(self.options.ack_timeout);
        if self.options.retries > 0 && !opts.volatile {
            if let Some(timeout) = timeout {
                self.retry_queue.push_back(Retrying {
                    handle,
                    wants_ack: opts.ack,
                    event: event.to_string(),
                    args,
                    tries: 0,
                    pending: false,
                    timeout,
                });
                if self.retry_queue.len() == 1 {
                    self.drain_retry_queue(io, now, false);
                }
                return opts.ack.then_some(handle);
            }
        }
        let id = if opts.ack { Some(self.next_id()) } else { None };
        let writable = io.engine.is_writable();
        if opts.volatile && !writable {
            if opts.ack {
                io.events.push_back(Event::AckError {
                    ns: self.ns.clone(),
                    handle,
                    error: AckError::NotSent,
                });
            }
            return opts.ack.then_some(handle);
        }
        if let Some(id) = id {
            let deadline = timeout.map(|t| deadline_after(now, t));
            self.register_ack(id, Waiter::User(handle), deadline);
        }
        self.send_event(io, now, event, args, id);
        opts.ack.then_some(handle)
    }

    /// Sends an event now if connected, else buffers it.
    fn send_event(
        &mut self,
        io: &mut Io<'_>,
        now: Instant,
        event: &str,
        args: Payload,
        id: Option<u64>,
    ) {
        let data = wire::event_data(event, &args.json);
        let packet = Packet::event(&self.ns, data, args.attachments.clone(), id);
        if self.state == State::Connected && !io.engine.ping_expired(now) {
            self.write_event(io, &packet, event, args);
        } else {
            self.send_buffer.push(Buffered {
                packet,
                event: event.to_string(),
                args,
            });
        }
    }

    fn write_event(&mut self, io: &mut Io<'_>, packet: &Packet, event: &str, args: Payload) {
        if let Some(id) = packet.id {
            self.acks.mark_sent(id);
        }
        if io.report_outgoing {
            io.events.push_back(Event::Outgoing {
                ns: self.ns.clone(),
                event: event.to_string(),
                args,
            });
        }
        io.send(packet);
    }

    /// Sends the next try of the retry queue's head (socket.io-client `_drainQueue`).
    fn drain_retry_queue(&mut self, io: &mut Io<'_>, now: Instant, force: bool) {
        if self.state != State::Connected {
            return;
        }
        let Some(head) = self.retry_queue.front_mut() else {
            return;
        };
        if head.pending && !force {
            return;
        }
        head.pending = true;
        head.tries = head.tries.saturating_add(1);
        let (event, args, timeout) = (head.event.clone(), head.args.clone(), head.timeout);
        let id = self.next_id();
        self.register_ack(id, Waiter::Retry, Some(deadline_after(now, timeout)));
        self.send_event(io, now, &event, args, Some(id));
    }

    /// The in-flight try of the retry head failed (timeout or disconnect).
    fn retry_failed(&mut self, io: &mut Io<'_>, now: Instant, error: AckError) {
        let Some(head) = self.retry_queue.front_mut() else {
            return;
        };
        head.pending = false;
        if head.tries > self.options.retries {
            if let Some(done) = self.retry_queue.pop_front() {
                if done.wants_ack {
                    io.events.push_back(Event::AckError {
                        ns: self.ns.clone(),
                        handle: done.handle,
                        error,
                    });
                }
            }
        }
        self.drain_retry_queue(io, now, false);
    }

    /// Replies to a server event that asked for an ack. At most once per id.
    pub(crate) fn reply(&mut self, io: &mut Io<'_>, id: u64, args: Payload) -> bool {
        if !self.server_acks.take(id) {
            return false;
        }
        io.send(&Packet::ack(&self.ns, args.json, args.attachments, id));
        true
    }

    /// `join(room)`: remembered, and announced to the server now or on the next connect.
    pub(crate) fn join(&mut self, io: &mut Io<'_>, now: Instant, room: &str) {
        if self.rooms.iter().any(|r| r == room) {
            return;
        }
        self.rooms.push(room.to_string());
        self.leaves_while_away.retain(|r| r != room);
        if self.state == State::Connected {
            self.send_room_event(io, now, room, true);
        } else {
            self.joins_while_away.push(room.to_string());
        }
    }

    /// `leave(room)`: forgotten, and announced to the server now or on the next connect.
    pub(crate) fn leave(&mut self, io: &mut Io<'_>, now: Instant, room: &str) {
        let before = self.rooms.len();
        self.rooms.retain(|r| r != room);
        if self.rooms.len() == before {
            return;
        }
        let was_pending = self.joins_while_away.iter().any(|r| r == room);
        self.joins_while_away.retain(|r| r != room);
        if self.state == State::Connected {
            self.send_room_event(io, now, room, false);
        } else if !was_pending {
            self.leaves_while_away.push(room.to_string());
        }
    }

    fn send_room_event(&mut self, io: &mut Io<'_>, now: Instant, room: &str, join: bool) {
        let id = self.next_id();
        let deadline = self.options.ack_timeout.map(|t| deadline_after(now, t));
        let (event, waiter) = if join {
            (
                self.options.join_event.clone(),
                Waiter::Join(room.to_string()),
            )
        } else {
            (self.options.leave_event.clone(), Waiter::Leave)
        };
        self.register_ack(id, waiter, deadline);
        let args = wire::string_array(room);
        let packet = Packet::event(
            &self.ns,
            wire::event_data(&event, &args),
            Vec::new(),
            Some(id),
        );
        self.acks.mark_sent(id);
        io.send(&packet);
    }

    fn on_connect(&mut self, io: &mut Io<'_>, now: Instant, sid: String, pid: Option<String>) {
        self.recovered = pid.is_some() && pid == self.pid;
        if !self.recovered {
            self.last_offset = None;
        }
        self.pid = pid;
        self.id = Some(sid.clone());
        self.state = State::Connected;
        // 1. rooms: all of them on a fresh session, only the changes on a recovered one.
        if self.recovered {
            let leaves = std::mem::take(&mut self.leaves_while_away);
            for room in leaves {
                self.send_room_event(io, now, &room, false);
            }
            let joins = std::mem::take(&mut self.joins_while_away);
            for room in joins {
                self.send_room_event(io, now, &room, true);
            }
        } else {
            self.joins_while_away.clear();
            self.leaves_while_away.clear();
            let rooms = self.rooms.clone();
            for room in rooms {
                self.send_room_event(io, now, &room, true);
            }
        }
        // 2. events received before the reply, then the offline send buffer, in order.
        for event in std::mem::take(&mut self.receive_buffer) {
            io.events.push_back(event);
        }
        for b in std::mem::take(&mut self.send_buffer) {
            self.write_event(io, &b.packet, &b.event, b.args);
        }
        // 3. the retry queue's head, even if it was in flight before.
        self.drain_retry_queue(io, now, true);
        // 4. only now the user hears about it.
        io.events.push_back(Event::Connect {
            ns: self.ns.clone(),
            id: sid,
            recovered: self.recovered,
        });
    }

    /// The connection under this socket closed (socket.io-client `onclose`).
    pub(crate) fn on_close(&mut self, io: &mut Io<'_>, now: Instant, reason: DisconnectReason) {
        self.on_session_closed(io, now, reason, None);
    }

    /// The session under this socket closed; `cause` is what closed it, when known. A socket
    /// whose CONNECT was not answered yet reports a connect error with that cause; returns
    /// whether it did.
    pub(crate) fn on_session_closed(
        &mut self,
        io: &mut Io<'_>,
        now: Instant,
        reason: DisconnectReason,
        cause: Option<&OpenError>,
    ) -> bool {
        let was_connected = self.state == State::Connected;
        let was_connecting = self.state == State::Connecting;
        self.state = State::Disconnected;
        self.awaiting_auth = false;
        self.id = None;
        self.server_acks.clear();
        if was_connected {
            // Rooms must be announced again on the next session unless it is recovered.
            self.joins_while_away.clear();
            io.events.push_back(Event::Disconnect {
                ns: self.ns.clone(),
                reason,
            });
        } else if was_connecting {
            // The CONNECT will never be answered (e.g. the server closed the session because it
            // could not parse it: a parser mismatch). socket.io-client says nothing here; the
            // attempt fails visibly instead, and the next reconnect tries again.
            let error = match cause {
                Some(cause) => cause.clone(),
                None => {
                    let mut why = String::from("the connection closed (");
                    why.push_str(reason.as_str());
                    why.push_str(") before the namespace was accepted");
                    OpenError::Transport(why)
                }
            };
            io.events.push_back(Event::ConnectError {
                ns: self.ns.clone(),
                error: ConnectError::Open(error),
            });
        }
        self.clear_acks(io, now);
        was_connecting
    }

    /// Fails the acks of packets already sent; those still buffered keep waiting.
    fn clear_acks(&mut self, io: &mut Io<'_>, now: Instant) {
        let mut retry_failed = false;
        for id in self.acks.sent_ids() {
            let Some(pending) = self.remove_ack(id) else {
                continue;
            };
            match pending.waiter {
                Waiter::User(handle) => io.events.push_back(Event::AckError {
                    ns: self.ns.clone(),
                    handle,
                    error: AckError::Disconnected,
                }),
                Waiter::Retry => retry_failed = true,
                Waiter::Join(_) | Waiter::Leave => {}
            }
        }
        if retry_failed {
            self.retry_failed(io, now, AckError::Disconnected);
        }
    }

    /// `socket.disconnect()` by the user.
    pub(crate) fn disconnect(&mut self, io: &mut Io<'_>, now: Instant) {
        let was_connected = self.state == State::Connected;
        if was_connected {
            io.send(&Packet::disconnect(&self.ns));
        }
        self.destroy();
        if was_connected {
            self.on_close(io, now, DisconnectReason::IoClientDisconnect);
        } else {
            self.state = State::Disconnected;
            self.awaiting_auth = false;
            self.server_acks.clear();
        }
    }

    /// Stops following the manager (socket.io-client `destroy`): no automatic reconnection.
    fn destroy(&mut self) {
        self.active = false;
    }

    /// Drops everything queued for the server; used by `Manager::close`.
    pub(crate) fn discard_buffers(&mut self, io: &mut Io<'_>) {
        for b in std::mem::take(&mut self.send_buffer) {
            if let Some(id) = b.packet.id {
                self.close_user_ack(io, id);
            }
        }
        for r in std::mem::take(&mut self.retry_queue) {
            if r.wants_ack {
                self.report_closed(io, r.handle);
            }
        }
        for id in self.acks.ids() {
            self.close_user_ack(io, id);
        }
        self.receive_buffer.clear();
    }

    /// Forgets the ack expected under wire id `id`; a user's is reported as closed.
    fn close_user_ack(&mut self, io: &mut Io<'_>, id: u64) {
        if let Some(PendingAck {
            waiter: Waiter::User(handle),
            ..
        }) = self.remove_ack(id)
        {
            self.report_closed(io, handle);
        }
    }

    /// Reports that the emit of `handle` will get no ack: the client closed.
    fn report_closed(&self, io: &mut Io<'_>, handle: AckHandle) {
        io.events.push_back(Event::AckError {
            ns: self.ns.clone(),
            handle,
            error: AckError::Closed,
        });
    }

    /// Fires expired ack deadlines.
    pub(crate) fn handle_timeout(&mut self, io: &mut Io<'_>, now: Instant) {
        let mut unsent_expired = false;
        while let Some((_, pending)) = self.acks.pop_expired(now) {
            unsent_expired |= !pending.sent;
            match pending.waiter {
                Waiter::User(handle) => io.events.push_back(Event::AckError {
                    ns: self.ns.clone(),
                    handle,
                    error: AckError::Timeout,
                }),
                Waiter::Retry => self.retry_failed(io, now, AckError::Timeout),
                Waiter::Join(_) | Waiter::Leave => {}
            }
        }
        if unsent_expired {
            // A timed-out packet that was never sent is not sent later either (one pass,
            // however many expired at once).
            let acks = &self.acks;
            self.send_buffer.retain(|b| match b.packet.id {
                Some(id) => acks.contains(id),
                None => true,
            });
        }
    }

    /// The soonest ack deadline.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.acks.next_deadline()
    }

    /// Size of the internal bookkeeping (for state-growth checks in tests).
    #[cfg(test)]
    pub(crate) fn footprint(&self) -> usize {
        self.acks.footprint()
            + self.send_buffer.len()
            + self.receive_buffer.len()
            + self.retry_queue.len()
            + self.server_acks.len()
            + self.joins_while_away.len()
            + self.leaves_while_away.len()
    }
}

/// What the manager must do after a socket handled a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    None,
    /// The socket stopped being active (server disconnect or connect error): the manager
    /// closes the connection if no active socket is left.
    Destroyed,
}
