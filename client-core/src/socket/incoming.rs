//! What a namespace socket does with the packets the server sends it.

use super::Io;
use super::{Outcome, Socket, State, Waiter, RECEIVE_BUFFER_LIMIT};
use crate::event::{ConnectError, DisconnectReason, Event};
use crate::socketio::{Packet, PacketType};
use crate::value::Payload;
use crate::wire;
use crate::Instant;

impl Socket {
    /// A packet for this namespace arrived.
    pub(crate) fn handle_packet(
        &mut self,
        io: &mut Io<'_>,
        now: Instant,
        packet: Packet,
    ) -> Outcome {
        match packet.kind {
            PacketType::Connect => self.on_connect_packet(io, now, packet.data.as_deref()),
            PacketType::ConnectError => self.on_connect_error(io, packet.data.as_deref()),
            PacketType::Disconnect => self.on_disconnect_packet(io, now),
            PacketType::Event | PacketType::BinaryEvent => {
                self.on_event_packet(io, packet);
                Outcome::None
            }
            PacketType::Ack | PacketType::BinaryAck => {
                self.on_ack_packet(io, now, packet);
                Outcome::None
            }
        }
    }

    /// The server's CONNECT reply (ignored unless connecting).
    fn on_connect_packet(&mut self, io: &mut Io<'_>, now: Instant, data: Option<&str>) -> Outcome {
        if self.state != State::Connecting {
            return Outcome::None;
        }
        match wire::connect_reply(data) {
            Some((sid, pid)) => {
                self.on_connect(io, now, sid, pid);
                Outcome::None
            }
            None => {
                self.destroy();
                self.reset_connecting();
                io.events.push_back(Event::ConnectError {
                    ns: self.ns.clone(),
                    error: ConnectError::V2Server,
                });
                Outcome::Destroyed
            }
        }
    }

    /// CONNECT_ERROR: the namespace refused us; not retried.
    fn on_connect_error(&mut self, io: &mut Io<'_>, data: Option<&str>) -> Outcome {
        let (message, data) = wire::connect_error(data);
        self.destroy();
        self.reset_connecting();
        io.events.push_back(Event::ConnectError {
            ns: self.ns.clone(),
            error: ConnectError::Rejected { message, data },
        });
        Outcome::Destroyed
    }

    /// The server's DISCONNECT: `io server disconnect`, no automatic reconnection.
    fn on_disconnect_packet(&mut self, io: &mut Io<'_>, now: Instant) -> Outcome {
        if self.state == State::Disconnected {
            return Outcome::None;
        }
        self.destroy();
        self.on_close(io, now, DisconnectReason::IoServerDisconnect);
        Outcome::Destroyed
    }

    /// An event: delivered now, or kept until the CONNECT reply; its ack request recorded.
    fn on_event_packet(&mut self, io: &mut Io<'_>, packet: Packet) {
        let Some(data) = packet.data.as_deref() else {
            return;
        };
        let Some((event, args_json)) = wire::split_event(data) else {
            return;
        };
        if packet.id.is_none() && self.pid.is_some() {
            if let Some(offset) = wire::last_string(&args_json) {
                self.last_offset = Some(offset);
            }
        }
        let delivered =
            self.state == State::Connected || self.receive_buffer.len() < RECEIVE_BUFFER_LIMIT;
        if !delivered {
            return; // the receive buffer is full: dropped, request and all
        }
        if let Some(id) = packet.id {
            // (when full, the oldest request is forgotten; see `ServerAcks`)
            let _ = self.server_acks.insert(id);
        }
        let message = Event::Message {
            ns: self.ns.clone(),
            event,
            args: Payload {
                json: args_json,
                attachments: packet.attachments,
            },
            ack: packet.id,
        };
        if self.state == State::Connected {
            io.events.push_back(message);
        } else {
            self.receive_buffer.push(message);
        }
    }

    /// An ack from the server: resolves its emit (unknown or late ids are ignored, like
    /// socket.io-client).
    fn on_ack_packet(&mut self, io: &mut Io<'_>, now: Instant, packet: Packet) {
        let Some(id) = packet.id else {
            return;
        };
        let Some(pending) = self.remove_ack(id) else {
            return;
        };
        let args = Payload {
            json: packet.data.unwrap_or_else(|| "[]".to_string()),
            attachments: packet.attachments,
        };
        match pending.waiter {
            Waiter::User(handle) => io.events.push_back(Event::Ack {
                ns: self.ns.clone(),
                handle,
                args,
            }),
            Waiter::Retry => {
                if let Some(done) = self.retry_queue.pop_front() {
                    if done.wants_ack {
                        io.events.push_back(Event::Ack {
                            ns: self.ns.clone(),
                            handle: done.handle,
                            args,
                        });
                    }
                }
                self.drain_retry_queue(io, now, false);
            }
            Waiter::Join(room) => {
                if self.rooms.contains(&room) {
                    io.events.push_back(Event::Joined {
                        ns: self.ns.clone(),
                        room,
                    });
                }
            }
            Waiter::Leave => {}
        }
    }
}
