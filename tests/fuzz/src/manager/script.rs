//! What a `manager` fuzz input decodes to: the configuration and the operations.
//!
//! Server traffic is mostly generated well-formed (a handshake, Socket.IO packets for the
//! namespaces in play, attachments after binary headers), so that the fuzzer reaches connected
//! states quickly, with raw strings and bytes mixed in for everything else.

use std::time::Duration;

use arbitrary::Arbitrary;
use bytes::Bytes;
use sio_core::engineio::{encode_payload, Data, Frame, Handshake, Packet as EPacket};
use sio_core::socketio::{encode, Packet, PacketType};
use sio_core::{Auth, Config, EmitOptions, Payload, TransportInput, Transports};

use super::Harness;

const NAMESPACES: [&str; 3] = ["/", "/a", "/b"];
const EVENTS: [&str; 4] = ["echo", "msg", "join", "connect"];
const ARGS: [&str; 6] = [
    "[]",
    "[1]",
    "[\"x\",{\"a\":[1,2.5,null]}]",
    "[{\"_placeholder\":true,\"num\":0}]",
    "[\"s\",\"\\ud800\",1e310]",
    "{}",
];

#[derive(Debug, Arbitrary)]
pub(crate) struct Setup {
    transports: u8,
    timeout_ms: Option<u16>,
    reconnection: bool,
    attempts: Option<u8>,
    delay_ms: u16,
    delay_extra_ms: u16,
    jitter: u8,
    ack_timeout_ms: Option<u16>,
    retries: u8,
    auth: u8,
    small_inbound: bool,
    max_attachments: u8,
    small_packets: bool,
    max_server_acks: u8,
    report_outgoing: bool,
    seed: u64,
    upgrade_timeout_ms: u16,
}

impl Setup {
    /// The configuration; delays of at least 100 ms (zero delays are a unit test of their own:
    /// here they would only spend the fuzzer's time in reconnection loops).
    pub(crate) fn config(&self) -> Option<Config> {
        let mut c = Config::new("http://fuzz.test:3000").ok()?;
        c.transports = match self.transports % 3 {
            0 => Transports::PollingThenWebSocket,
            1 => Transports::PollingOnly,
            _ => Transports::WebSocketOnly,
        };
        c.timeout = self.timeout_ms.map(|ms| millis(ms.max(100)));
        c.reconnection = self.reconnection;
        c.reconnection_attempts = self.attempts.map(|a| u32::from(a % 8));
        c.reconnection_delay = millis(self.delay_ms.max(100));
        c.reconnection_delay_max = c.reconnection_delay + millis(self.delay_extra_ms);
        c.randomization_factor = f64::from(self.jitter) / 255.0;
        c.ack_timeout = self.ack_timeout_ms.map(millis);
        c.retries = if c.ack_timeout.is_some() {
            u32::from(self.retries % 4)
        } else {
            0
        };
        c.auth = match self.auth % 3 {
            0 => Auth::None,
            1 => Auth::Static("{\"token\":\"t\"}".into()),
            _ => Auth::Provider,
        };
        if self.small_inbound {
            c.max_inbound_bytes = 256;
        }
        c.max_attachments = usize::from(self.max_attachments % 4);
        if self.small_packets {
            c.max_packet_bytes = 128;
        }
        c.max_pending_server_acks = usize::from(self.max_server_acks % 8);
        c.report_outgoing = self.report_outgoing;
        c.seed = self.seed;
        c.upgrade_timeout = millis(self.upgrade_timeout_ms.max(100));
        Some(c)
    }
}

fn millis(ms: u16) -> Duration {
    Duration::from_millis(u64::from(ms))
}

/// One thing that happens.
#[derive(Debug, Arbitrary)]
pub(crate) enum Op {
    Connect(u8),
    Disconnect(u8),
    Close,
    ReconnectNow,
    Emit {
        ns: u8,
        event: u8,
        args: u8,
        binary: bool,
        ack: bool,
        timeout_ms: Option<u16>,
        volatile: bool,
    },
    Ack {
        pick: u8,
        raw: Option<u64>,
    },
    Join(u8, u8),
    Leave(u8, u8),
    ProvideAuth(u8, bool),
    SetReportOutgoing(bool),
    Advance(u16),
    AdvanceSeconds(u8),
    Input(Input),
}

/// A report from the network.
#[derive(Debug, Arbitrary)]
pub(crate) enum Input {
    Opened(u8),
    Closed(u8, bool),
    HttpFailed(u8),
    /// Server packets on a WebSocket, one frame each.
    Frames(u8, Vec<Server>),
    /// Server packets as the body of a poll (or any response to a request).
    Poll {
        request: u8,
        status: u16,
        packets: Vec<Server>,
    },
    RawFrame(u8, String),
    RawBinary(u8, Vec<u8>),
    RawPoll(u8, String),
}

/// One thing the server sends.
#[derive(Debug, Arbitrary)]
pub(crate) enum Server {
    Open {
        ping_interval: u16,
        ping_timeout: u16,
        websocket: bool,
        max_payload: u16,
    },
    Ping,
    ProbePong,
    Noop,
    Close,
    Connect {
        ns: u8,
        pid: bool,
    },
    ConnectError(u8),
    Disconnect(u8),
    Event {
        ns: u8,
        id: Option<u8>,
        args: u8,
    },
    Ack {
        ns: u8,
        id: u8,
        args: u8,
    },
    Binary {
        ns: u8,
        id: Option<u8>,
        ack: bool,
        attachments: u8,
    },
    Attachment(Vec<u8>),
    Socketio(String),
    Raw(String),
}

fn pick<T: Copy>(list: &[T], i: u8) -> T {
    list[usize::from(i) % list.len()]
}

impl Server {
    fn packets(&self) -> Vec<EPacket> {
        let sio = |p: Packet| {
            let e = encode(&p);
            let mut out = vec![EPacket::Message(Data::Text(e.text))];
            out.extend(
                e.attachments
                    .into_iter()
                    .map(|a| EPacket::Message(Data::Binary(a))),
            );
            out
        };
        let ns = |i: &u8| pick(&NAMESPACES, *i).to_string();
        match self {
            Server::Open {
                ping_interval,
                ping_timeout,
                websocket,
                max_payload,
            } => vec![EPacket::Open(Handshake {
                sid: "fuzz-sid".into(),
                upgrades: if *websocket {
                    vec!["websocket".into()]
                } else {
                    vec![]
                },
                ping_interval: super::Duration::from_millis(u64::from(*ping_interval)),
                ping_timeout: super::Duration::from_millis(u64::from(*ping_timeout)),
                max_payload: u64::from(*max_payload),
            })],
            Server::Ping => vec![EPacket::Ping(None)],
            Server::ProbePong => vec![EPacket::Pong(Some("probe".into()))],
            Server::Noop => vec![EPacket::Noop],
            Server::Close => vec![EPacket::Close],
            Server::Connect { ns: i, pid } => {
                let data = if *pid {
                    "{\"sid\":\"s1\",\"pid\":\"p1\"}"
                } else {
                    "{\"sid\":\"s1\"}"
                };
                sio(Packet::connect(&ns(i), Some(data.into())))
            }
            Server::ConnectError(i) => sio(Packet::connect_error(
                &ns(i),
                "{\"message\":\"no\",\"data\":{\"a\":1}}".into(),
            )),
            Server::Disconnect(i) => sio(Packet::disconnect(&ns(i))),
            Server::Event { ns: i, id, args } => {
                let data = format!("[\"ev\",{}]", pick(&ARGS, *args));
                sio(Packet::event(&ns(i), data, Vec::new(), id.map(u64::from)))
            }
            Server::Ack { ns: i, id, args } => sio(Packet {
                kind: PacketType::Ack,
                nsp: ns(i),
                id: Some(u64::from(*id)),
                data: Some(pick(&ARGS, *args).to_string()),
                attachments: Vec::new(),
            }),
            Server::Binary {
                ns: i,
                id,
                ack,
                attachments,
            } => {
                let n = usize::from(*attachments % 4).max(1);
                let mut data = String::from(if *ack { "[" } else { "[\"bin\"" });
                for k in 0..n {
                    if k > 0 || !*ack {
                        data.push(',');
                    }
                    data.push_str(&format!("{{\"_placeholder\":true,\"num\":{k}}}"));
                }
                data.push(']');
                let kind = if *ack {
                    PacketType::BinaryAck
                } else {
                    PacketType::BinaryEvent
                };
                let id = if *ack { Some(id.unwrap_or(0)) } else { *id };
                sio(Packet {
                    kind,
                    nsp: ns(i),
                    id: id.map(u64::from),
                    data: Some(data),
                    attachments: (0..n).map(|k| Bytes::from(vec![k as u8; k])).collect(),
                })
            }
            Server::Attachment(b) => vec![EPacket::Message(Data::Binary(Bytes::from(b.clone())))],
            Server::Socketio(text) => vec![EPacket::Message(Data::Text(text.clone()))],
            Server::Raw(text) => match EPacket::decode_text(text) {
                Ok(p) => vec![p],
                Err(_) => vec![EPacket::Message(Data::Text(text.clone()))],
            },
        }
    }
}

impl Op {
    pub(crate) fn apply(self, h: &mut Harness) {
        let now = h.now;
        let ns = |i: u8| pick(&NAMESPACES, i);
        match self {
            Op::Connect(i) => h.m.connect(ns(i), now),
            Op::Disconnect(i) => h.m.disconnect(ns(i), now),
            Op::Close => {
                h.drain();
                h.close_and_check();
            }
            Op::ReconnectNow => h.m.reconnect_now(now),
            Op::Emit {
                ns: i,
                event,
                args,
                binary,
                ack,
                timeout_ms,
                volatile,
            } => {
                let json = pick(&ARGS, args).to_string();
                let attachments = if binary {
                    vec![Bytes::from_static(b"\x01\x02")]
                } else {
                    Vec::new()
                };
                let opts = EmitOptions {
                    ack,
                    timeout: timeout_ms.map(millis),
                    volatile,
                };
                let payload = Payload { json, attachments };
                if let Ok(handle) = h.m.emit(ns(i), pick(&EVENTS, event), payload, opts, now) {
                    assert_eq!(handle.is_some(), ack);
                    h.issued(handle);
                }
            }
            Op::Ack { pick: p, raw } => {
                let target = match (raw, h.server_acks.is_empty()) {
                    (Some(id), _) => Some((ns(p).to_string(), id)),
                    (None, false) => {
                        Some(h.server_acks[usize::from(p) % h.server_acks.len()].clone())
                    }
                    (None, true) => None,
                };
                if let Some((ns, id)) = target {
                    let _ =
                        h.m.ack(&ns, id, Payload::from_json("[1]").expect("valid"), now);
                }
            }
            Op::Join(i, room) => h.m.join(ns(i), &format!("r{}", room % 4), now),
            Op::Leave(i, room) => h.m.leave(ns(i), &format!("r{}", room % 4), now),
            Op::ProvideAuth(i, some) => {
                let auth = some.then_some("{\"token\":\"late\"}");
                h.m.provide_auth(ns(i), auth, now);
            }
            Op::SetReportOutgoing(on) => h.m.set_report_outgoing(on),
            Op::Advance(ms) => h.advance(millis(ms)),
            Op::AdvanceSeconds(s) => h.advance(Duration::from_secs(u64::from(s % 32))),
            Op::Input(input) => input.apply(h),
        }
    }
}

impl Input {
    fn apply(self, h: &mut Harness) {
        let now = h.now;
        let transport = |h: &Harness, i: u8| {
            (!h.transports.is_empty()).then(|| h.transports[usize::from(i) % h.transports.len()])
        };
        let request = |h: &Harness, i: u8| {
            (!h.requests.is_empty()).then(|| h.requests[usize::from(i) % h.requests.len()])
        };
        match self {
            Input::Opened(i) => {
                if let Some(id) = transport(h, i) {
                    h.m.handle_transport(now, TransportInput::Opened { id });
                }
            }
            Input::Closed(i, error) => {
                if let Some(id) = transport(h, i) {
                    let error = error.then(|| "reset".to_string());
                    h.m.handle_transport(now, TransportInput::Closed { id, error });
                }
            }
            Input::HttpFailed(i) => {
                if let Some((id, request)) = request(h, i) {
                    let error = "refused".to_string();
                    h.m.handle_transport(now, TransportInput::HttpFailed { id, request, error });
                }
            }
            Input::Frames(i, servers) => {
                let Some(id) = transport(h, i) else { return };
                for p in servers.iter().take(16).flat_map(Server::packets) {
                    let frame = p.into_frame();
                    h.m.handle_transport(now, TransportInput::Frame { id, frame });
                    h.drain();
                }
            }
            Input::Poll {
                request: i,
                status,
                packets,
            } => {
                let Some((id, request)) = request(h, i) else {
                    return;
                };
                let packets: Vec<EPacket> =
                    packets.iter().take(16).flat_map(Server::packets).collect();
                let status = if status % 8 == 0 { status } else { 200 };
                let body = encode_payload(&packets);
                h.m.handle_transport(
                    now,
                    TransportInput::HttpResponse {
                        id,
                        request,
                        status,
                        body,
                    },
                );
            }
            Input::RawFrame(i, text) => {
                if let Some(id) = transport(h, i) {
                    let frame = Frame::Text(text);
                    h.m.handle_transport(now, TransportInput::Frame { id, frame });
                }
            }
            Input::RawBinary(i, bytes) => {
                if let Some(id) = transport(h, i) {
                    let frame = Frame::Binary(Bytes::from(bytes));
                    h.m.handle_transport(now, TransportInput::Frame { id, frame });
                }
            }
            Input::RawPoll(i, body) => {
                if let Some((id, request)) = request(h, i) {
                    h.m.handle_transport(
                        now,
                        TransportInput::HttpResponse {
                            id,
                            request,
                            status: 200,
                            body,
                        },
                    );
                }
            }
        }
    }
}
