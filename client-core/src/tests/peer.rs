//! A scripted Engine.IO v4 + Socket.IO v5 server for simulated-time tests.
//!
//! It answers the client's transport commands the way the reference server does (handshake,
//! long-polling with held GETs, the upgrade probe, heartbeat, namespace CONNECT with optional
//! recovery), records every packet it receives, and can be told to misbehave: refuse
//! connections, blackhole everything, add latency.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;

use crate::engineio::{decode_payload, encode_payload, Data, Frame, Handshake, Packet as EPacket};
use crate::socketio::{encode, Decoder, DecoderLimits, Packet, PacketType, Parser};
use crate::transport::{
    HttpRequest, Method, RequestId, TransportCommand, TransportId, TransportInput,
};
use crate::Instant;

/// How the peer treats new and existing traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Behave like a healthy server.
    Normal,
    /// Refuse new connections at once (like a closed port); existing ones are unaffected.
    Refuse,
    /// Swallow everything in both directions, never answer (like a dead network path).
    Blackhole,
}

/// What a namespace does with a CONNECT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NsPolicy {
    Accept,
    Reject {
        message: String,
        data: Option<String>,
    },
    /// Reply `40{}` without a sid, like a v2 server would not.
    NoSid,
    /// Never answer (like a server that could not parse the CONNECT).
    Ignore,
}

#[derive(Debug, Clone)]
enum Wire {
    Polling {
        id: TransportId,
        pending_get: Option<RequestId>,
    },
    Ws {
        id: TransportId,
    },
}

#[derive(Debug)]
struct Session {
    sid: String,
    wire: Wire,
    probe: Option<TransportId>,
    queue: Vec<EPacket>,
    next_ping: Instant,
    pong_deadline: Option<Instant>,
    decoder: Decoder,
    /// ns → socket id, for connected namespaces.
    sockets: BTreeMap<String, String>,
    /// A CLOSE is queued for the next poll; the session ends once it is delivered.
    closing: bool,
}

/// The reference server's answer to a request for a session it does not know.
pub(crate) const SESSION_UNKNOWN: &str = "{\"code\":1,\"message\":\"Session ID unknown\"}";

/// Something the peer wants delivered to the client after the link latency.
pub(crate) type Outbound = TransportInput;

/// The scripted server.
#[derive(Debug)]
pub(crate) struct Peer {
    pub ping_interval: Duration,
    pub ping_timeout: Duration,
    pub max_payload: u64,
    pub offer_websocket: bool,
    /// Answer `2probe` (false simulates a proxy that breaks WebSocket after the handshake).
    pub answer_probe: bool,
    pub mode: Mode,
    /// Forget every session right after its handshake, like a load balancer without
    /// stickiness whose next request reaches a node that does not know the session: polling
    /// requests then get `400 Session ID unknown`, a WebSocket is reset.
    pub forget_after_handshake: bool,
    pub recovery: bool,
    pub policies: BTreeMap<String, NsPolicy>,
    /// Ack `join`/`leave` events with `[true]`.
    pub ack_rooms: bool,
    /// Ack `echo` events with their own arguments.
    pub ack_echo: bool,
    /// The Socket.IO parser it speaks (JSON by default).
    pub parser: Parser,
    /// Every Socket.IO packet received, in order.
    pub received: Vec<Packet>,
    /// Every Engine.IO packet received, encoded as in a polling payload, in order.
    pub wire_log: Vec<String>,
    /// Every HTTP request received.
    pub requests: Vec<HttpRequest>,
    /// Number of Engine.IO sessions opened so far.
    pub sessions_opened: u32,
    /// CONNECT payloads seen, per namespace, in order.
    pub connect_payloads: Vec<(String, Option<String>)>,
    session: Option<Session>,
    /// pid → (socket id, events missed while away) for connection state recovery.
    recoverable: BTreeMap<String, (String, Vec<Packet>)>,
    next_id: u64,
    out: Vec<Outbound>,
}

impl Peer {
    pub(crate) fn new() -> Self {
        Self {
            ping_interval: Duration::from_millis(25_000),
            ping_timeout: Duration::from_millis(20_000),
            max_payload: 1_000_000,
            offer_websocket: true,
            answer_probe: true,
            mode: Mode::Normal,
            forget_after_handshake: false,
            recovery: false,
            policies: BTreeMap::new(),
            ack_rooms: true,
            ack_echo: true,
            parser: Parser::Json,
            received: Vec::new(),
            wire_log: Vec::new(),
            requests: Vec::new(),
            sessions_opened: 0,
            connect_payloads: Vec::new(),
            session: None,
            recoverable: BTreeMap::new(),
            next_id: 0,
            out: Vec::new(),
        }
    }

    pub(crate) fn take_outbound(&mut self) -> Vec<Outbound> {
        std::mem::take(&mut self.out)
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{}", self.next_id)
    }

    /// The transport the session uses: "polling" or "websocket".
    pub(crate) fn transport(&self) -> Option<&'static str> {
        self.session.as_ref().map(|s| match s.wire {
            Wire::Polling { .. } => "polling",
            Wire::Ws { .. } => "websocket",
        })
    }

    /// Namespaces connected in the current session.
    pub(crate) fn connected_namespaces(&self) -> Vec<String> {
        self.session
            .as_ref()
            .map(|s| s.sockets.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Events (name + args JSON) received on `ns`, in order.
    pub(crate) fn events_on(&self, ns: &str) -> Vec<String> {
        self.received
            .iter()
            .filter(|p| {
                p.nsp == ns && matches!(p.kind, PacketType::Event | PacketType::BinaryEvent)
            })
            .filter_map(|p| p.data.clone())
            .collect()
    }

    // ----- client → server ------------------------------------------------------------------

    pub(crate) fn handle_command(&mut self, now: Instant, cmd: TransportCommand) {
        match cmd {
            TransportCommand::Http { id, request } => self.handle_http(now, id, request),
            TransportCommand::OpenWebSocket { id, url, .. } => self.handle_ws_open(now, id, &url),
            TransportCommand::Send { id, frame } => self.handle_ws_frame(now, id, frame),
            TransportCommand::Close { id } => self.handle_transport_close(id),
        }
    }

    fn handle_http(&mut self, now: Instant, id: TransportId, request: HttpRequest) {
        self.requests.push(request.clone());
        match self.mode {
            Mode::Blackhole => return,
            Mode::Refuse if !request.url.contains("sid=") => {
                self.out.push(TransportInput::HttpFailed {
                    id,
                    request: request.id,
                    error: "connection refused".into(),
                });
                return;
            }
            _ => {}
        }
        let sid = query_value(&request.url, "sid");
        match (request.method, sid) {
            (Method::Get, None) => {
                let session = self.open_session(
                    now,
                    Wire::Polling {
                        id,
                        pending_get: None,
                    },
                );
                let body = encode_payload(&[EPacket::Open(self.handshake(&session))]);
                self.session = (!self.forget_after_handshake).then_some(session);
                self.respond(id, request.id, 200, body);
            }
            (Method::Get, Some(sid)) => {
                let Some(s) = self.session.as_mut().filter(|s| s.sid == sid) else {
                    self.respond(id, request.id, 400, SESSION_UNKNOWN.into());
                    return;
                };
                match &mut s.wire {
                    Wire::Polling { pending_get, .. } => {
                        if pending_get.is_some() {
                            // Two GETs at once: the reference server closes the session.
                            self.session = None;
                            self.respond(id, request.id, 400, String::new());
                            return;
                        }
                        *pending_get = Some(request.id);
                    }
                    Wire::Ws { .. } => {
                        self.respond(id, request.id, 400, String::new());
                        return;
                    }
                }
                self.flush();
            }
            (Method::Post, sid) => {
                let ok = self.session.as_ref().is_some_and(|s| {
                    Some(&s.sid) == sid.as_ref() && matches!(s.wire, Wire::Polling { .. })
                });
                if !ok {
                    // the reference server answers an unknown sid the same way for POST
                    self.respond(id, request.id, 400, SESSION_UNKNOWN.into());
                    return;
                }
                let body = request.body.clone().unwrap_or_default();
                match decode_payload(&body) {
                    Ok(packets) => {
                        self.respond(id, request.id, 200, "ok".into());
                        for p in packets {
                            self.handle_engine_packet(now, p);
                        }
                    }
                    Err(_) => self.respond(id, request.id, 400, String::new()),
                }
            }
        }
    }

    fn handle_ws_open(&mut self, now: Instant, id: TransportId, url: &str) {
        match self.mode {
            Mode::Blackhole => return,
            Mode::Refuse => {
                self.out.push(TransportInput::Closed {
                    id,
                    error: Some("connection refused".into()),
                });
                return;
            }
            Mode::Normal => {}
        }
        match query_value(url, "sid") {
            None => {
                self.out.push(TransportInput::Opened { id });
                let session = self.open_session(now, Wire::Ws { id });
                let frame = EPacket::Open(self.handshake(&session)).to_frame();
                self.out.push(TransportInput::Frame { id, frame });
                if self.forget_after_handshake {
                    self.out.push(TransportInput::Closed {
                        id,
                        error: Some("connection reset".into()),
                    });
                } else {
                    self.session = Some(session);
                }
            }
            Some(sid) => {
                let Some(s) = self.session.as_mut().filter(|s| s.sid == sid) else {
                    self.out.push(TransportInput::Closed {
                        id,
                        error: Some("unknown sid".into()),
                    });
                    return;
                };
                s.probe = Some(id);
                self.out.push(TransportInput::Opened { id });
            }
        }
    }

    fn handle_ws_frame(&mut self, now: Instant, id: TransportId, frame: Frame) {
        if self.mode == Mode::Blackhole {
            return;
        }
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if s.probe == Some(id) {
            let Ok(packet) = EPacket::from_frame(frame) else {
                return;
            };
            self.wire_log
                .push(encode_payload(std::slice::from_ref(&packet)));
            match packet {
                EPacket::Ping(Some(p)) if p == "probe" && self.answer_probe => {
                    self.out.push(TransportInput::Frame {
                        id,
                        frame: EPacket::Pong(Some("probe".into())).to_frame(),
                    });
                    // Like engine.io: release the held GET with a noop so the client can pause.
                    if let Some(s) = self.session.as_mut() {
                        s.queue.push(EPacket::Noop);
                    }
                    self.flush();
                }
                EPacket::Upgrade => {
                    if let Some(s) = self.session.as_mut() {
                        s.probe = None;
                        s.wire = Wire::Ws { id };
                    }
                    self.flush();
                }
                _ => {}
            }
            return;
        }
        if !matches!(s.wire, Wire::Ws { id: w } if w == id) {
            return;
        }
        match EPacket::from_frame(frame) {
            Ok(p) => self.handle_engine_packet(now, p),
            Err(_) => self.drop_session(),
        }
    }

    fn handle_transport_close(&mut self, id: TransportId) {
        let Some(s) = &self.session else {
            return;
        };
        let ours = match s.wire {
            Wire::Polling { id: p, .. } => p == id,
            Wire::Ws { id: w } => w == id,
        };
        if ours && matches!(s.wire, Wire::Ws { .. }) {
            self.drop_session();
        }
    }

    fn handle_engine_packet(&mut self, now: Instant, packet: EPacket) {
        self.wire_log
            .push(encode_payload(std::slice::from_ref(&packet)));
        match packet {
            EPacket::Pong(_) => {
                if let Some(s) = self.session.as_mut() {
                    s.pong_deadline = None;
                }
            }
            EPacket::Close => self.drop_session(),
            EPacket::Message(data) => {
                let Some(s) = self.session.as_mut() else {
                    return;
                };
                let decoded = match data {
                    Data::Text(t) => s.decoder.decode_text(&t),
                    Data::Binary(b) => s.decoder.decode_binary(b),
                };
                match decoded {
                    Ok(Some(p)) => self.handle_sio(now, p),
                    Ok(None) => {}
                    Err(_) => self.drop_session(),
                }
            }
            _ => {}
        }
    }

    fn handle_sio(&mut self, _now: Instant, packet: Packet) {
        self.received.push(packet.clone());
        let ns = packet.nsp.clone();
        match packet.kind {
            PacketType::Connect => {
                self.connect_payloads
                    .push((ns.clone(), packet.data.clone()));
                let policy = self.policies.get(&ns).cloned().unwrap_or(NsPolicy::Accept);
                match policy {
                    NsPolicy::Reject { message, data } => {
                        let mut body = String::from("{\"message\":");
                        crate::json::write_string(&mut body, &message);
                        if let Some(d) = data {
                            body.push_str(",\"data\":");
                            body.push_str(&d);
                        }
                        body.push('}');
                        self.send(Packet {
                            kind: PacketType::ConnectError,
                            nsp: ns,
                            id: None,
                            data: Some(body),
                            attachments: Vec::new(),
                        });
                    }
                    NsPolicy::NoSid => self.send(Packet {
                        kind: PacketType::Connect,
                        nsp: ns,
                        id: None,
                        data: Some("{}".into()),
                        attachments: Vec::new(),
                    }),
                    NsPolicy::Accept => self.accept(ns, packet.data.as_deref()),
                    NsPolicy::Ignore => {}
                }
            }
            PacketType::Disconnect => {
                if let Some(s) = self.session.as_mut() {
                    s.sockets.remove(&ns);
                }
            }
            PacketType::Event | PacketType::BinaryEvent => {
                let Some(id) = packet.id else {
                    return;
                };
                let data = packet.data.clone().unwrap_or_default();
                let name = data
                    .get(2..)
                    .and_then(|d| d.split('"').next())
                    .unwrap_or("");
                let reply = if (name == "join" || name == "leave") && self.ack_rooms {
                    Some(("[true]".to_string(), Vec::new()))
                } else if name == "echo" && self.ack_echo {
                    crate::json::array_tail(&data).map(|args| (args, packet.attachments.clone()))
                } else {
                    None
                };
                if let Some((json, attachments)) = reply {
                    self.send(Packet {
                        kind: PacketType::Ack,
                        nsp: ns,
                        id: Some(id),
                        data: Some(json),
                        attachments,
                    });
                }
            }
            _ => {}
        }
    }

    fn accept(&mut self, ns: String, auth: Option<&str>) {
        let pid_offer = auth.and_then(|a| json_field(a, "pid"));
        let recovered = pid_offer
            .filter(|_| self.recovery)
            .and_then(|pid| self.recoverable.remove(&pid).map(|r| (pid, r)));
        let (sid, pid, missed) = match recovered {
            Some((pid, (sid, missed))) => (sid, pid, missed),
            None => (self.fresh("sock"), self.fresh("pid"), Vec::new()),
        };
        let mut body = String::from("{\"sid\":");
        crate::json::write_string(&mut body, &sid);
        if self.recovery {
            body.push_str(",\"pid\":");
            crate::json::write_string(&mut body, &pid);
            self.recoverable
                .insert(pid.clone(), (sid.clone(), Vec::new()));
        }
        body.push('}');
        if let Some(s) = self.session.as_mut() {
            s.sockets.insert(ns.clone(), pid);
        }
        self.send(Packet {
            kind: PacketType::Connect,
            nsp: ns,
            id: None,
            data: Some(body),
            attachments: Vec::new(),
        });
        for p in missed {
            self.send(p);
        }
    }

    // ----- server → client ------------------------------------------------------------------

    /// Sends a Socket.IO packet to the client (queued if the client is away and recovery
    /// remembers it).
    pub(crate) fn send(&mut self, packet: Packet) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        #[cfg(feature = "msgpack")]
        if self.parser == Parser::MessagePack {
            let message = crate::socketio::msgpack::encode(&packet);
            s.queue.push(EPacket::Message(Data::Binary(message)));
            self.flush();
            return;
        }
        let encoded = encode(&packet);
        s.queue.push(EPacket::Message(Data::Text(encoded.text)));
        for a in encoded.attachments {
            s.queue.push(EPacket::Message(Data::Binary(a)));
        }
        self.flush();
    }

    /// Emits `event` with `args_json` (the arguments after the name, as `a,b`) on `ns`. With
    /// recovery on, a non-ack event carries an offset as its last argument and is kept for a
    /// client that is away, like the reference server's session-aware adapter.
    pub(crate) fn emit(&mut self, ns: &str, event: &str, args: &str, id: Option<u64>) {
        let mut data = String::from("[");
        crate::json::write_string(&mut data, event);
        if !args.is_empty() {
            data.push(',');
            data.push_str(args);
        }
        let mut keep = None;
        if self.recovery && id.is_none() {
            let offset = self.fresh("off");
            data.push(',');
            crate::json::write_string(&mut data, &offset);
            keep = Some(offset);
        }
        data.push(']');
        let packet = Packet {
            kind: PacketType::Event,
            nsp: ns.to_string(),
            id,
            data: Some(data),
            attachments: Vec::new(),
        };
        let connected = self
            .session
            .as_ref()
            .and_then(|s| s.sockets.get(ns).cloned());
        match connected {
            Some(_) => self.send(packet),
            None if keep.is_some() => {
                for (_, (_, missed)) in self.recoverable.iter_mut() {
                    missed.push(packet.clone());
                }
            }
            None => {}
        }
    }

    /// Sends a binary event with `attachments`.
    pub(crate) fn emit_binary(
        &mut self,
        ns: &str,
        data: &str,
        attachments: Vec<Bytes>,
        id: Option<u64>,
    ) {
        self.send(Packet {
            kind: PacketType::BinaryEvent,
            nsp: ns.to_string(),
            id,
            data: Some(data.to_string()),
            attachments,
        });
    }

    /// Server-side `socket.disconnect()` for one namespace.
    pub(crate) fn disconnect_ns(&mut self, ns: &str) {
        if let Some(s) = self.session.as_mut() {
            s.sockets.remove(ns);
        }
        self.send(Packet {
            kind: PacketType::Disconnect,
            nsp: ns.to_string(),
            id: None,
            data: None,
            attachments: Vec::new(),
        });
    }

    /// Sends raw text as one Engine.IO message (for garbage-input tests).
    pub(crate) fn send_raw_message(&mut self, text: &str) {
        if let Some(s) = self.session.as_mut() {
            s.queue.push(EPacket::Message(Data::Text(text.into())));
        }
        self.flush();
    }

    /// Closes the session from the server: a CLOSE packet on polling, a close on WebSocket.
    pub(crate) fn close_session(&mut self) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        match s.wire.clone() {
            Wire::Ws { id } => {
                self.out.push(TransportInput::Closed { id, error: None });
                self.drop_session();
            }
            Wire::Polling { .. } => {
                s.queue.push(EPacket::Close);
                s.closing = true;
                self.flush();
            }
        }
    }

    /// Abruptly resets the transport (connection reset by peer).
    pub(crate) fn reset_transport(&mut self) {
        let Some(s) = self.session.as_ref() else {
            return;
        };
        match s.wire.clone() {
            Wire::Ws { id } => self.out.push(TransportInput::Closed {
                id,
                error: Some("connection reset".into()),
            }),
            Wire::Polling { id, pending_get } => {
                if let Some(request) = pending_get {
                    self.out.push(TransportInput::HttpFailed {
                        id,
                        request,
                        error: "connection reset".into(),
                    });
                }
            }
        }
        self.drop_session();
    }

    fn drop_session(&mut self) {
        // Sockets of a dropped session stay recoverable (pid kept in `recoverable`).
        self.session = None;
    }

    fn open_session(&mut self, now: Instant, wire: Wire) -> Session {
        self.sessions_opened += 1;
        Session {
            sid: self.fresh("eio"),
            wire,
            probe: None,
            queue: Vec::new(),
            next_ping: now + self.ping_interval,
            pong_deadline: None,
            decoder: Decoder::with_parser(self.parser, DecoderLimits::default()),
            sockets: BTreeMap::new(),
            closing: false,
        }
    }

    fn handshake(&self, s: &Session) -> Handshake {
        Handshake {
            sid: s.sid.clone(),
            upgrades: if self.offer_websocket && matches!(s.wire, Wire::Polling { .. }) {
                vec!["websocket".to_string()]
            } else {
                Vec::new()
            },
            ping_interval: self.ping_interval,
            ping_timeout: self.ping_timeout,
            max_payload: self.max_payload,
        }
    }

    fn respond(&mut self, id: TransportId, request: RequestId, status: u16, body: String) {
        self.out.push(TransportInput::HttpResponse {
            id,
            request,
            status,
            body,
        });
    }

    /// Writes queued packets: all at once on WebSocket, into the held GET on polling.
    fn flush(&mut self) {
        if self.mode == Mode::Blackhole {
            return;
        }
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if s.queue.is_empty() {
            return;
        }
        match &mut s.wire {
            Wire::Ws { id } => {
                let id = *id;
                for p in s.queue.drain(..) {
                    self.out.push(TransportInput::Frame {
                        id,
                        frame: p.to_frame(),
                    });
                }
            }
            Wire::Polling { id, pending_get } => {
                let Some(request) = pending_get.take() else {
                    return;
                };
                let id = *id;
                let body = encode_payload(&s.queue);
                s.queue.clear();
                let closing = s.closing;
                self.respond(id, request, 200, body);
                if closing {
                    self.drop_session();
                }
            }
        }
    }

    // ----- server timers --------------------------------------------------------------------

    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let s = self.session.as_ref()?;
        Some(s.pong_deadline.unwrap_or(s.next_ping).min(s.next_ping))
    }

    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        if let Some(deadline) = s.pong_deadline {
            if deadline <= now {
                // The reference server closes the session on a missing pong.
                self.drop_session();
                return;
            }
        }
        if s.next_ping <= now {
            s.next_ping = now + self.ping_interval;
            s.pong_deadline = Some(now + self.ping_timeout);
            if self.mode != Mode::Blackhole {
                s.queue.push(EPacket::Ping(None));
                self.flush();
            }
        }
    }
}

/// The value of `key` in a URL's query string.
pub(crate) fn query_value(url: &str, key: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| v.to_string())
    })
}

/// A string field of a small JSON object (test helper; good enough for generated ids).
pub(crate) fn json_field(json: &str, key: &str) -> Option<String> {
    let needle = format!("\"{key}\":\"");
    let start = json.find(&needle)? + needle.len();
    let end = json[start..].find('"')? + start;
    Some(json[start..end].to_string())
}
