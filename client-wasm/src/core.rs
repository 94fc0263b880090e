//! The class exported to JavaScript: one [`Manager`] behind plain values (see the crate doc).

use bytes::Bytes;
use sio_core::engineio::Frame;
use sio_core::{
    AckError, AckHandle, ConnectError, EmitOptions, Event, Instant, Manager, Method, Payload,
    RequestId, TransportCommand, TransportId, TransportInput,
};
use std::time::Duration;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::options::{build_config, pairs, Options, MAX_TIMER_MS};

/// One Socket.IO connection (socket.io-client's `Manager`) as a sans-IO state machine; the
/// npm package's `CoreClient` (pkg/src/core.ts) drives it.
#[wasm_bindgen]
pub struct Core {
    manager: Manager,
    /// Attachments staged by `attach` for the next `emit` or `ack`.
    staged: Vec<Bytes>,
    /// The deadline the JavaScript timer is armed for.
    armed: Option<Instant>,
    /// The text and binary parts of the last `next()`, last first.
    parts: Vec<Part>,
}

/// `error.to_string()`, one instantiation for all error types.
fn message(error: &dyn std::fmt::Display) -> String {
    error.to_string()
}

// pkg/src/core.ts is the only caller; the arguments are flat primitives on purpose (every
// JavaScript value crossing the boundary costs glue on both sides).
#[wasm_bindgen]
impl Core {
    /// The options as the `CoreClient` read them: `strings` is the JSON text of
    /// `[path, query, extraHeaders, transports]` (`null` when absent; `query` and `extraHeaders`
    /// a `"a=1&b=2"` string or a flat `[key, value, …]` array); `flags` has bit 0 `upgrade` set,
    /// 1 its value, 2 `reconnection` set, 3 its value, 4 `timeout: false`, and bits 8 to 14
    /// say which of the numbers (`reconnectionAttempts`, `reconnectionDelay`,
    /// `reconnectionDelayMax`, `randomizationFactor`, `timeout`, `ackTimeout`, `retries`) are
    /// set. Throws the error message for a bad URL or option.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        url: &str,
        strings: &str,
        flags: u32,
        reconnection_attempts: f64,
        reconnection_delay: f64,
        reconnection_delay_max: f64,
        randomization_factor: f64,
        timeout: f64,
        ack_timeout: f64,
        retries: f64,
        seed: f64,
    ) -> Result<Core, String> {
        let bit = |n: u32| flags & 1 << n != 0;
        let number = |n: u32, value: f64| bit(n).then_some(value);
        let mut strings = sio_core::json::elements(strings);
        let mut next = || strings.next().filter(|raw| *raw != "null");
        let path = next().and_then(sio_core::json::as_string);
        let query = pairs(next());
        let headers = pairs(next());
        let transports = next().map(sio_core::json::string_array);
        let options = Options {
            path,
            query,
            headers,
            transports,
            upgrade: bit(0).then_some(bit(1)),
            reconnection: bit(2).then_some(bit(3)),
            reconnection_attempts: number(8, reconnection_attempts),
            reconnection_delay: number(9, reconnection_delay),
            reconnection_delay_max: number(10, reconnection_delay_max),
            randomization_factor: number(11, randomization_factor),
            timeout: if bit(4) {
                Some(None)
            } else {
                number(12, timeout).map(Some)
            },
            ack_timeout: number(13, ack_timeout),
            retries: number(14, retries),
            seed: seed as u64,
        };
        let config = build_config(url, &options).map_err(|e| message(&e))?;
        let manager = Manager::new(config).map_err(|e| message(&e))?;
        Ok(Core {
            manager,
            staged: Vec::new(),
            armed: None,
            parts: Vec::new(),
        })
    }

    /// A command: 0 connect, 1 disconnect, 2 close, 3 join `arg`, 4 leave `arg`,
    /// 5 reconnect now, 6 report outgoing events (`arg` set) or not, 7 auth payload `arg`.
    pub fn cmd(&mut self, now: f64, op: u8, ns: &str, arg: Option<String>) {
        let now = Instant::from_millis(now);
        let m = &mut self.manager;
        let arg = arg.as_deref();
        match op {
            0 => m.connect(ns, now),
            1 => m.disconnect(ns, now),
            2 => m.close(now),
            3 => m.join(ns, arg.unwrap_or_default(), now),
            4 => m.leave(ns, arg.unwrap_or_default(), now),
            5 => m.reconnect_now(now),
            6 => m.set_report_outgoing(arg.is_some()),
            _ => m.provide_auth(ns, arg, now),
        }
    }

    /// Stages an attachment for the next `emit` or `ack`.
    pub fn attach(&mut self, data: Vec<u8>) {
        self.staged.push(data.into());
    }

    /// Emits; the ack handle, if asked for.
    // (flat primitive arguments are what keeps the glue small)
    #[allow(clippy::too_many_arguments)]
    pub fn emit(
        &mut self,
        now: f64,
        ns: &str,
        event: &str,
        json: String,
        ack: bool,
        timeout_ms: Option<f64>,
        volatile: bool,
    ) -> Result<Option<f64>, String> {
        let args = Payload {
            json,
            attachments: std::mem::take(&mut self.staged),
        };
        let opts = EmitOptions {
            ack,
            // (checked by the caller: finite and non-negative)
            timeout: timeout_ms
                .filter(|ms| ms.is_finite() && *ms >= 0.0)
                .map(|ms| Duration::from_secs_f64(ms / 1000.0)),
            volatile,
        };
        match self
            .manager
            .emit(ns, event, args, opts, Instant::from_millis(now))
        {
            Ok(handle) => Ok(handle.map(|AckHandle(h)| h as f64)),
            Err(e) => Err(message(&e)),
        }
    }

    /// Answers the server's ack request `id` (a whole number); false if unknown.
    pub fn ack(&mut self, now: f64, ns: &str, id: f64, json: String) -> bool {
        let args = Payload {
            json,
            attachments: std::mem::take(&mut self.staged),
        };
        self.manager
            .ack(ns, id as u64, args, Instant::from_millis(now))
            .is_ok()
    }

    /// A query, as JSON text: 0 connected, 1 active, 2 id, 3 recovered, 4 rooms,
    /// 5 reconnecting, 6 transport.
    pub fn query(&self, op: u8, ns: &str) -> String {
        let m = &self.manager;
        let mut out = String::new();
        let text = |out: &mut String, text: Option<&str>| match text {
            Some(text) => sio_core::json::write_string(out, text),
            None => out.push_str("null"),
        };
        let flag = match op {
            0 => m.is_connected(ns),
            1 => m.is_active(ns),
            2 => {
                text(&mut out, m.id(ns));
                return out;
            }
            3 => m.recovered(ns),
            4 => {
                out.push('[');
                for (i, room) in m.rooms(ns).iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    sio_core::json::write_string(&mut out, room);
                }
                out.push(']');
                return out;
            }
            5 => m.is_reconnecting(),
            _ => {
                text(&mut out, m.transport_name());
                return out;
            }
        };
        out.push_str(if flag { "true" } else { "false" });
        out
    }

    /// A network input: 0 opened, 1 text frame, 2 binary frame, 3 closed (`text`: error),
    /// 4 HTTP response, 5 HTTP failure (`text`: error), 6 deadline passed, 7 timer fired.
    #[allow(clippy::too_many_arguments)]
    pub fn input(
        &mut self,
        now: f64,
        kind: u8,
        id: f64,
        request: f64,
        status: u16,
        text: Option<String>,
        data: Option<Vec<u8>>,
    ) {
        let id = TransportId(id as u64);
        let request = RequestId(request as u64);
        let input = match kind {
            0 => TransportInput::Opened { id },
            1 => TransportInput::Frame {
                id,
                frame: Frame::Text(text.unwrap_or_default()),
            },
            2 => TransportInput::Frame {
                id,
                frame: Frame::Binary(data.unwrap_or_default().into()),
            },
            3 => TransportInput::Closed { id, error: text },
            4 => TransportInput::HttpResponse {
                id,
                request,
                status,
                body: text.unwrap_or_default(),
            },
            5 => TransportInput::HttpFailed {
                id,
                request,
                error: text.unwrap_or_default(),
            },
            6 => return self.manager.handle_timeout(Instant::from_millis(now)),
            _ => {
                self.armed = None;
                return;
            }
        };
        self.manager
            .handle_transport(Instant::from_millis(now), input);
    }

    /// What to do with the timer: NaN nothing, -1 clear it, else set it to this many ms.
    pub fn arm(&mut self, now: f64) -> f64 {
        let deadline = self.manager.poll_timeout();
        if deadline == self.armed {
            return f64::NAN;
        }
        self.armed = deadline;
        match deadline {
            None => -1.0,
            Some(at) => {
                let wait = at.saturating_duration_since(Instant::from_millis(now));
                // Whole milliseconds, rounded up so that the core sees the deadline as passed.
                (wait.as_micros() as f64 / 1000.0)
                    .ceil()
                    .min(MAX_TIMER_MS as f64)
            }
        }
    }

    /// The next transport command (`ws`, `send`, `http`, `shut`), else the next event, as JSON
    /// text (see the crate doc); empty when there is none.
    #[wasm_bindgen(js_name = next)]
    pub fn next_output(&mut self) -> String {
        self.parts.clear();
        let mut out = Out(String::new());
        match self.manager.poll_transport() {
            Some(command) => self.command(&mut out, command),
            None => match self.manager.poll_event() {
                Some(event) => self.event(&mut out, event),
                None => return String::new(),
            },
        }
        out.0.push(']');
        // (taken from the end)
        self.parts.reverse();
        out.0
    }

    /// The next text part of the last `next()`.
    #[wasm_bindgen(js_name = partText)]
    pub fn part_text(&mut self) -> String {
        match self.parts.pop() {
            Some(Part::Text(text)) => text,
            _ => String::new(),
        }
    }

    /// The next binary part of the last `next()`.
    #[wasm_bindgen(js_name = partBytes)]
    pub fn part_bytes(&mut self) -> Vec<u8> {
        match self.parts.pop() {
            Some(Part::Bytes(data)) => data.into(),
            _ => Vec::new(),
        }
    }
}

/// What `next()` hands over apart from its JSON text: message bodies and binary data.
enum Part {
    Text(String),
    Bytes(Bytes),
}

/// A JSON array being written: `[kind` then one `,value` per call.
struct Out(String);

impl Out {
    fn kind(&mut self, kind: &str) -> &mut Self {
        self.0.push_str("[\"");
        self.0.push_str(kind);
        self.0.push('"');
        self
    }

    fn s(&mut self, text: &str) -> &mut Self {
        self.0.push(',');
        sio_core::json::write_string(&mut self.0, text);
        self
    }

    fn n(&mut self, number: u64) -> &mut Self {
        self.0.push(',');
        sio_core::json::write_u64(&mut self.0, number);
        self
    }

    /// Raw JSON (or `null`).
    fn raw(&mut self, json: Option<&str>) -> &mut Self {
        self.0.push(',');
        self.0.push_str(json.unwrap_or("null"));
        self
    }
}

impl Core {
    fn command(&mut self, out: &mut Out, command: TransportCommand) {
        match command {
            TransportCommand::OpenWebSocket { id, url, .. } => {
                out.kind("ws").n(id.0).s(&url);
            }
            TransportCommand::Send { id, frame } => {
                let binary = matches!(frame, Frame::Binary(_));
                out.kind("send").n(id.0).n(binary.into());
                self.parts.push(match frame {
                    Frame::Text(text) => Part::Text(text),
                    Frame::Binary(data) => Part::Bytes(data),
                });
            }
            TransportCommand::Http { id, request } => {
                out.kind("http").n(id.0).n(request.id.0);
                out.s(match request.method {
                    Method::Get => "GET",
                    Method::Post => "POST",
                });
                out.s(&request.url).n(request.body.is_some().into());
                for (name, value) in &request.headers {
                    out.s(name).s(value);
                }
                if let Some(body) = request.body {
                    self.parts.push(Part::Text(body));
                }
            }
            TransportCommand::Close { id } => {
                out.kind("shut").n(id.0);
            }
        }
    }

    /// The arguments' JSON as is, for an event its ack id (or `null`), then the number of
    /// attachments, which become parts.
    fn payload(&mut self, out: &mut Out, args: Payload, ack: Option<Option<u64>>) {
        out.raw(Some(&args.json));
        match ack {
            Some(Some(id)) => {
                out.n(id);
            }
            Some(None) => {
                out.raw(None);
            }
            None => {}
        }
        out.n(args.attachments.len() as u64);
        self.parts
            .extend(args.attachments.into_iter().map(Part::Bytes));
    }

    fn event(&mut self, out: &mut Out, event: Event) {
        match event {
            Event::Open => out.kind("open"),
            Event::Close { reason } => out.kind("close").s(reason.as_str()),
            Event::Ping => out.kind("ping"),
            Event::Upgrade => out.kind("upgrade"),
            Event::Error(e) => out.kind("error").s(&message(&e)),
            Event::ReconnectAttempt { attempt } => out.kind("reconnect_attempt").n(attempt.into()),
            Event::Reconnect { attempt } => out.kind("reconnect").n(attempt.into()),
            Event::ReconnectError(e) => out.kind("reconnect_error").s(&message(&e)),
            Event::ReconnectFailed => out.kind("reconnect_failed"),
            Event::AuthRequest { ns } => out.kind("auth").s(&ns),
            Event::Connect { ns, id, recovered } => out
                .kind("connect")
                .s(&ns)
                .s(&id)
                .raw(Some(if recovered { "true" } else { "false" })),
            Event::ConnectError { ns, error } => {
                out.kind("connect_error").s(&ns).s(&message(&error));
                // (whether there is data, then the data: `null` is a value)
                let data = match &error {
                    ConnectError::Rejected { data, .. } => data.as_deref(),
                    _ => None,
                };
                out.n(data.is_some().into()).raw(data)
            }
            Event::Disconnect { ns, reason } => out.kind("disconnect").s(&ns).s(reason.as_str()),
            Event::Message {
                ns,
                event,
                args,
                ack,
            } => {
                out.kind("event").s(&ns).s(&event);
                self.payload(out, args, Some(ack));
                out
            }
            Event::Ack { ns, handle, args } => {
                out.kind("ack").s(&ns).n(handle.0);
                self.payload(out, args, None);
                out
            }
            Event::AckError { ns, handle, error } => out
                .kind("ack_error")
                .s(&ns)
                .n(handle.0)
                .s(&message(&error))
                .s(match error {
                    AckError::Timeout => "timeout",
                    AckError::Disconnected => "disconnected",
                    AckError::Closed => "closed",
                    AckError::NotSent => "not_sent",
                }),
            Event::Joined { ns, room } => out.kind("joined").s(&ns).s(&room),
            Event::Outgoing { ns, event, args } => {
                out.kind("outgoing").s(&ns).s(&event);
                self.payload(out, args, None);
                out
            }
        };
    }
}
