//! One Socket.IO [`Packet`] → one MessagePack message (socket.io-msgpack-parser 3.x
//! `Encoder.encode`, i.e. notepack.io's `encode(packet)`); see the parent module for the rules.
//!
//! The data is transcoded straight from its JSON text, without a tree: a first pass over the
//! (validated) text finds every container's element count (msgpack writes it up front), where
//! it ends, and whether it is a binary placeholder; the second pass writes. Both passes are
//! iterative and linear in the text.

use bytes::Bytes;
use rmp::encode as mp;

use crate::json::{self, scan_number, scan_string, skip_ws, string_body_eq};
use crate::socketio::packet::{Packet, PacketType};

/// Results of writes into a `Vec<u8>`, which cannot fail (short of running out of memory).
fn wrote<T, E>(_: Result<T, E>) {}

/// Encodes `packet` as the map `{type, data?, id?, nsp}` (the key order of socket.io-client's
/// packets). Binary attachments are written in place of their placeholders as `bin`; a
/// placeholder-shaped object with no matching attachment stays an object. Data that is not
/// JSON (never the case for the core's validated payloads) is written as `nil`.
pub fn encode_packet(packet: &Packet) -> Bytes {
    let data_len = packet.data.as_ref().map_or(0, String::len);
    let attached: usize = packet.attachments.iter().map(Bytes::len).sum();
    let mut out = Vec::with_capacity(24 + packet.nsp.len() + data_len + attached);
    let kind = match packet.kind {
        PacketType::BinaryEvent => PacketType::Event,
        PacketType::BinaryAck => PacketType::Ack,
        other => other,
    };
    let fields = 2 + u32::from(packet.data.is_some()) + u32::from(packet.id.is_some());
    wrote(mp::write_map_len(&mut out, fields));
    wrote(mp::write_str(&mut out, "type"));
    wrote(mp::write_uint(&mut out, kind as u64));
    if let Some(data) = &packet.data {
        wrote(mp::write_str(&mut out, "data"));
        let mark = out.len();
        if write_json(&mut out, data, &packet.attachments).is_none() {
            out.truncate(mark);
            wrote(mp::write_nil(&mut out));
        }
    }
    if let Some(id) = packet.id {
        wrote(mp::write_str(&mut out, "id"));
        wrote(mp::write_uint(&mut out, id));
    }
    wrote(mp::write_str(&mut out, "nsp"));
    wrote(mp::write_str(&mut out, &packet.nsp));
    Bytes::from(out)
}

/// What the first pass learns about one array or object, in the order they open.
#[derive(Debug, Clone, Copy)]
struct Container {
    /// Elements of an array, members of an object.
    count: u32,
    /// Index just after its closing bracket.
    end: usize,
    /// Containers nested inside it.
    descendants: usize,
    /// The attachment it stands for, if it is a binary placeholder.
    attachment: Option<usize>,
}

/// An open container during the first pass.
struct Open {
    index: usize,
    object: bool,
    /// Object: the next string is a key.
    expect_key: bool,
    /// Object: which of `_placeholder` / `num` the current key is.
    key: Key,
    placeholder_true: bool,
    num: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Placeholder,
    Num,
    Other,
}

fn classify(body: &str) -> Key {
    match body {
        "_placeholder" => Key::Placeholder,
        "num" => Key::Num,
        _ if body.len() > 3 && body.contains('\\') => {
            if string_body_eq(body, "_placeholder") {
                Key::Placeholder
            } else if string_body_eq(body, "num") {
                Key::Num
            } else {
                Key::Other
            }
        }
        _ => Key::Other,
    }
}

/// A placeholder's `num` (socket.io-parser `reconstructPacket`: a number, whole, not negative).
fn index(raw: &str) -> Option<usize> {
    let x: f64 = raw.parse().ok()?;
    (x >= 0.0 && x.fract() == 0.0 && x < usize::MAX as f64).then_some(x as usize)
}

impl Open {
    /// A member value of this object was read: remember what the placeholder rules need
    /// (`raw` is the value's text for a scalar, `None` for a container).
    fn member_value(&mut self, raw: Option<&str>) {
        match self.key {
            Key::Placeholder => self.placeholder_true = raw == Some("true"),
            Key::Num => self.num = raw.and_then(index),
            Key::Other => {}
        }
    }
}

/// The first pass: every container's size, extent and placeholder status.
fn scan(text: &str, attachments: usize) -> Option<Vec<Container>> {
    let b = text.as_bytes();
    let mut all: Vec<Container> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut i = skip_ws(b, 0);
    while let Some(&c) = b.get(i) {
        // A value (or key) starts here unless it is punctuation.
        let starts = !matches!(c, b']' | b'}' | b',' | b':' | b' ' | b'\t' | b'\n' | b'\r');
        let mut is_key = false;
        if starts {
            if let Some(top) = stack.last_mut() {
                if !top.object || top.expect_key {
                    let slot = all.get_mut(top.index)?;
                    slot.count = slot.count.saturating_add(1);
                }
                if top.object && top.expect_key {
                    top.expect_key = false;
                    is_key = true;
                }
            }
        }
        match c {
            b'[' | b'{' => {
                open_container(&mut stack, &mut all, c == b'{');
                i += 1;
            }
            b']' | b'}' => {
                close_container(&mut stack, &mut all, i + 1, attachments)?;
                i += 1;
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    top.expect_key = top.object;
                }
                i += 1;
            }
            b':' | b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'"' => {
                let end = scan_string::<()>(b, i + 1).ok()?;
                let raw = text.get(i..end)?;
                if let Some(top) = stack.last_mut() {
                    if is_key {
                        top.key = classify(raw.get(1..raw.len() - 1)?);
                    } else if top.object {
                        top.member_value(Some(raw));
                    }
                }
                i = end;
            }
            _ => {
                let end = scalar_end(b, i)?;
                if let Some(top) = stack.last_mut().filter(|t| t.object) {
                    top.member_value(text.get(i..end));
                }
                i = end;
            }
        }
    }
    stack.is_empty().then_some(all)
}

fn open_container(stack: &mut Vec<Open>, all: &mut Vec<Container>, object: bool) {
    if let Some(top) = stack.last_mut() {
        top.member_value(None);
    }
    stack.push(Open {
        index: all.len(),
        object,
        expect_key: object,
        key: Key::Other,
        placeholder_true: false,
        num: None,
    });
    all.push(Container {
        count: 0,
        end: 0,
        descendants: 0,
        attachment: None,
    });
}

/// The container on top of `stack` closes just before `end`.
fn close_container(
    stack: &mut Vec<Open>,
    all: &mut [Container],
    end: usize,
    attachments: usize,
) -> Option<()> {
    let open = stack.pop()?;
    let descendants = all.len() - open.index - 1;
    let slot = all.get_mut(open.index)?;
    slot.end = end;
    slot.descendants = descendants;
    if open.object && open.placeholder_true {
        slot.attachment = open.num.filter(|&n| n < attachments);
    }
    Some(())
}

/// The end of the number or literal at `i`.
fn scalar_end(b: &[u8], i: usize) -> Option<usize> {
    let lit = |l: &[u8]| (b.get(i..i + l.len()) == Some(l)).then_some(i + l.len());
    match b.get(i)? {
        b't' => lit(b"true"),
        b'f' => lit(b"false"),
        b'n' => lit(b"null"),
        b'-' | b'0'..=b'9' => scan_number::<()>(b, i).ok(),
        _ => None,
    }
}

/// The second pass: writes `text` as msgpack; `None` if it is not valid JSON.
fn write_json(out: &mut Vec<u8>, text: &str, atts: &[Bytes]) -> Option<()> {
    let containers = scan(text, atts.len())?;
    let b = text.as_bytes();
    let mut next = 0usize;
    let mut i = 0usize;
    while let Some(&c) = b.get(i) {
        match c {
            b'[' | b'{' => {
                let info = *containers.get(next)?;
                if let Some(bytes) = info.attachment.and_then(|n| atts.get(n)) {
                    wrote(mp::write_bin(out, bytes));
                    i = info.end;
                    next += 1 + info.descendants;
                    continue;
                }
                if c == b'[' {
                    wrote(mp::write_array_len(out, info.count));
                } else {
                    wrote(mp::write_map_len(out, info.count));
                }
                next += 1;
                i += 1;
            }
            b']' | b'}' | b',' | b':' | b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'"' => {
                let end = scan_string::<()>(b, i + 1).ok()?;
                let body = text.get(i + 1..end - 1)?;
                if body.contains('\\') {
                    wrote(mp::write_str(out, &json::unescape(body)?));
                } else {
                    wrote(mp::write_str(out, body));
                }
                i = end;
            }
            b't' | b'f' | b'n' => {
                let end = scalar_end(b, i)?;
                match c {
                    b't' => wrote(mp::write_bool(out, true)),
                    b'f' => wrote(mp::write_bool(out, false)),
                    _ => wrote(mp::write_nil(out)),
                }
                i = end;
            }
            _ => {
                let end = scalar_end(b, i)?;
                write_number(out, text.get(i..end)?);
                i = end;
            }
        }
    }
    Some(())
}

/// Integers (including whole doubles such as `1.0`, `1e3` and `-0`) in the smallest integer
/// format, as notepack does; other numbers as float 64. Integers beyond 64 bits stay doubles.
fn write_number(out: &mut Vec<u8>, raw: &str) {
    if !raw.contains(['.', 'e', 'E']) {
        if let Ok(u) = raw.parse::<u64>() {
            wrote(mp::write_uint(out, u));
            return;
        }
        if let Ok(i) = raw.parse::<i64>() {
            if i >= 0 {
                wrote(mp::write_uint(out, i as u64));
            } else {
                wrote(mp::write_sint(out, i));
            }
            return;
        }
    }
    let x: f64 = raw.parse().unwrap_or(f64::NAN);
    if x.fract() == 0.0 && (-9.223_372_036_854_776e18..1.844_674_407_370_955_2e19).contains(&x) {
        if x >= 0.0 {
            wrote(mp::write_uint(out, x as u64));
        } else {
            wrote(mp::write_sint(out, x as i64));
        }
    } else {
        wrote(mp::write_f64(out, x));
    }
}
