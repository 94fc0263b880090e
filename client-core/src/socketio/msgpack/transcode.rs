//! One MessagePack value → JSON text with binary placeholders (the core's [`Payload`] form),
//! following what notepack.io's decoder gives socket.io-client, then `JSON.stringify`.
//!
//! Iterative (an explicit stack of at most [`MAX_DEPTH`] levels), bounded by the input (every
//! element consumes at least one input byte, and a count larger than the bytes left is refused
//! before anything is read), zero-copy for binary values (the attachments are slices of the
//! input), and total: any byte string gives a value or a [`DecodeError`].
//!
//! [`Payload`]: crate::value::Payload

use std::borrow::Cow;

use bytes::Bytes;
use rmp::Marker;

use super::date::write_js_date;
use crate::json::{self, MAX_DEPTH};
use crate::socketio::DecodeError;

/// A number as read from the wire.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Num {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

/// The head of one value: a scalar, or the size of a container whose elements follow.
#[derive(Debug)]
enum Head<'a> {
    Nil,
    Bool(bool),
    Num(Num),
    Str(&'a [u8]),
    /// bin 8/16/32, or ext 8/16/32 of type 0 (notepack's ArrayBuffer).
    Bin(Bytes),
    Array(usize),
    Map(usize),
    /// fixext 1 of type 0: notepack's `undefined`.
    Undefined,
    /// fixext 8 of type 0: notepack's `Date`, in milliseconds since the epoch.
    Date(i64),
    /// Any other extension: notepack decodes it as the array `[type, Buffer]`.
    Ext(i8, Bytes),
}

/// A cursor over the input message.
pub(super) struct Reader<'a> {
    buf: &'a Bytes,
    pos: usize,
}

fn malformed(offset: usize, reason: &'static str) -> DecodeError {
    DecodeError::InvalidMessagePack { offset, reason }
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a Bytes) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Bytes not read yet.
    pub(super) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub(super) fn position(&self) -> usize {
        self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let buf: &'a [u8] = self.buf;
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= buf.len())
            .ok_or(malformed(self.pos, "truncated"))?;
        let out = &buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn slice(&mut self, n: usize) -> Result<Bytes, DecodeError> {
        let start = self.pos;
        self.take(n)?;
        Ok(self.buf.slice(start..self.pos))
    }

    /// A big-endian unsigned integer of `n` <= 8 bytes.
    fn be(&mut self, n: usize) -> Result<u64, DecodeError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |v, &b| (v << 8) | u64::from(b)))
    }

    fn len(&mut self, width: usize) -> Result<usize, DecodeError> {
        let n = self.be(width)?;
        usize::try_from(n).map_err(|_| malformed(self.pos, "length too large"))
    }

    /// Refuses a container announcing more elements than `per_element`-byte elements could
    /// fit in the rest of the input.
    fn check_count(&self, count: usize, per_element: usize) -> Result<(), DecodeError> {
        if count.saturating_mul(per_element) > self.remaining() {
            return Err(malformed(self.pos, "count larger than the message"));
        }
        Ok(())
    }

    /// The size of the map at the reader's position, which is then past the map's header;
    /// `None` (nothing read) if the value there is not a map.
    pub(super) fn map_header(&mut self) -> Result<Option<usize>, DecodeError> {
        let n = match self.buf.get(self.pos) {
            Some(&m @ 0x80..=0x8f) => {
                self.pos += 1;
                usize::from(m & 0x0f)
            }
            Some(0xde) => {
                self.pos += 1;
                self.len(2)?
            }
            Some(0xdf) => {
                self.pos += 1;
                self.len(4)?
            }
            _ => return Ok(None),
        };
        self.check_count(n, 2)?;
        Ok(Some(n))
    }

    fn ext(&mut self, len: usize, fixed: bool) -> Result<Head<'a>, DecodeError> {
        let ty = self.take(1)?[0] as i8;
        match (ty, fixed, len) {
            (0, false, _) => Ok(Head::Bin(self.slice(len)?)),
            (0, true, 1) => {
                self.take(1)?;
                Ok(Head::Undefined)
            }
            (0, true, 8) => {
                let hi = self.be(4)? as u32 as i32;
                let lo = self.be(4)?;
                Ok(Head::Date(i64::from(hi) * (1 << 32) + lo as i64))
            }
            _ => Ok(Head::Ext(ty, self.slice(len)?)),
        }
    }

    fn head(&mut self) -> Result<Head<'a>, DecodeError> {
        let at = self.pos;
        let marker = Marker::from_u8(self.take(1)?[0]);
        Ok(match marker {
            Marker::FixPos(n) => Head::Num(Num::Unsigned(u64::from(n))),
            Marker::FixNeg(n) => Head::Num(Num::Signed(i64::from(n))),
            Marker::Null => Head::Nil,
            Marker::True => Head::Bool(true),
            Marker::False => Head::Bool(false),
            Marker::U8 => Head::Num(Num::Unsigned(self.be(1)?)),
            Marker::U16 => Head::Num(Num::Unsigned(self.be(2)?)),
            Marker::U32 => Head::Num(Num::Unsigned(self.be(4)?)),
            Marker::U64 => Head::Num(Num::Unsigned(self.be(8)?)),
            Marker::I8 => Head::Num(Num::Signed(i64::from(self.be(1)? as u8 as i8))),
            Marker::I16 => Head::Num(Num::Signed(i64::from(self.be(2)? as u16 as i16))),
            Marker::I32 => Head::Num(Num::Signed(i64::from(self.be(4)? as u32 as i32))),
            Marker::I64 => Head::Num(Num::Signed(self.be(8)? as i64)),
            Marker::F32 => Head::Num(Num::Float(f64::from(f32::from_bits(self.be(4)? as u32)))),
            Marker::F64 => Head::Num(Num::Float(f64::from_bits(self.be(8)?))),
            Marker::FixStr(n) => Head::Str(self.take(usize::from(n))?),
            Marker::Str8 => {
                let n = self.len(1)?;
                Head::Str(self.take(n)?)
            }
            Marker::Str16 => {
                let n = self.len(2)?;
                Head::Str(self.take(n)?)
            }
            Marker::Str32 => {
                let n = self.len(4)?;
                Head::Str(self.take(n)?)
            }
            Marker::Bin8 => {
                let n = self.len(1)?;
                Head::Bin(self.slice(n)?)
            }
            Marker::Bin16 => {
                let n = self.len(2)?;
                Head::Bin(self.slice(n)?)
            }
            Marker::Bin32 => {
                let n = self.len(4)?;
                Head::Bin(self.slice(n)?)
            }
            Marker::FixArray(n) => Head::Array(usize::from(n)),
            Marker::Array16 => Head::Array(self.len(2)?),
            Marker::Array32 => Head::Array(self.len(4)?),
            Marker::FixMap(n) => Head::Map(usize::from(n)),
            Marker::Map16 => Head::Map(self.len(2)?),
            Marker::Map32 => Head::Map(self.len(4)?),
            Marker::FixExt1 => self.ext(1, true)?,
            Marker::FixExt2 => self.ext(2, true)?,
            Marker::FixExt4 => self.ext(4, true)?,
            Marker::FixExt8 => self.ext(8, true)?,
            Marker::FixExt16 => self.ext(16, true)?,
            Marker::Ext8 => {
                let n = self.len(1)?;
                self.ext(n, false)?
            }
            Marker::Ext16 => {
                let n = self.len(2)?;
                self.ext(n, false)?
            }
            Marker::Ext32 => {
                let n = self.len(4)?;
                self.ext(n, false)?
            }
            Marker::Reserved => return Err(malformed(at, "reserved marker 0xc1")),
        })
    }
}

/// A packet field's value, when it is a scalar the packet checks look at.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Scalar {
    /// `nil` or `undefined`: no value.
    Absent,
    Num(Num),
    Str(String),
    /// Anything else (already read past).
    Other,
}

/// Reads the value at the reader's position as a [`Scalar`] (containers and binary values are
/// transcoded into a scratch sink, to check them, and reported as [`Scalar::Other`]).
pub(super) fn read_scalar(r: &mut Reader<'_>) -> Result<Scalar, DecodeError> {
    let start = r.pos;
    Ok(match r.head()? {
        Head::Nil | Head::Undefined => Scalar::Absent,
        Head::Num(n) => Scalar::Num(n),
        Head::Str(s) => Scalar::Str(String::from_utf8_lossy(s).into_owned()),
        Head::Array(_) | Head::Map(_) => {
            r.pos = start;
            transcode_value(r, &mut Sink::new(usize::MAX))?;
            Scalar::Other
        }
        _ => Scalar::Other,
    })
}

/// Where a transcoded value goes: JSON text plus the attachments its placeholders number.
#[derive(Debug)]
pub(super) struct Sink {
    pub(super) json: String,
    pub(super) attachments: Vec<Bytes>,
    max_attachments: usize,
}

impl Sink {
    pub(super) fn new(max_attachments: usize) -> Self {
        Sink::with_capacity(max_attachments, 0)
    }

    /// A sink whose text has room for `bytes` (the JSON of a value is about as long as its
    /// msgpack, binary aside).
    pub(super) fn with_capacity(max_attachments: usize, bytes: usize) -> Self {
        Sink {
            json: String::with_capacity(bytes),
            attachments: Vec::new(),
            max_attachments,
        }
    }

    fn placeholder(&mut self, bytes: Bytes) -> Result<(), DecodeError> {
        let num = self.attachments.len();
        if num >= self.max_attachments {
            return Err(DecodeError::TooManyAttachments {
                count: num as u64 + 1,
                max: self.max_attachments,
            });
        }
        self.json.push_str("{\"_placeholder\":true,\"num\":");
        json::write_u64(&mut self.json, num as u64);
        self.json.push('}');
        self.attachments.push(bytes);
        Ok(())
    }

    /// Writes a scalar head (never a container or `undefined`).
    fn scalar(&mut self, head: Head<'_>) -> Result<(), DecodeError> {
        let out = &mut self.json;
        match head {
            Head::Nil => out.push_str("null"),
            Head::Bool(true) => out.push_str("true"),
            Head::Bool(false) => out.push_str("false"),
            Head::Num(n) => write_num(out, n),
            Head::Str(s) => json::write_string(out, &String::from_utf8_lossy(s)),
            Head::Date(ms) => write_js_date(out, ms),
            Head::Bin(b) => self.placeholder(b)?,
            Head::Ext(ty, data) => {
                out.push('[');
                json::write_i64(out, i64::from(ty));
                out.push(',');
                self.placeholder(data)?;
                self.json.push(']');
            }
            Head::Array(_) | Head::Map(_) | Head::Undefined => {}
        }
        Ok(())
    }
}

/// A number as `JSON.stringify` writes it (NaN and the infinities as `null`); integers exact.
fn write_num(out: &mut String, n: Num) {
    match n {
        Num::Unsigned(u) => json::write_u64(out, u),
        Num::Signed(i) => json::write_i64(out, i),
        Num::Float(x) => json::write_f64(out, x),
    }
}

/// A map key as a JavaScript property name (`String(key)`): strings as they are (invalid
/// UTF-8 replaced by U+FFFD, like Node's `Buffer.toString`), numbers in their JavaScript
/// spelling, `null`, `true`, `false`, `undefined`. Binary, container, date and extension keys
/// are refused: JavaScript would make `"[object Object]"`-like names of them.
pub(super) fn read_key<'a>(r: &mut Reader<'a>) -> Result<Cow<'a, str>, DecodeError> {
    let at = r.position();
    Ok(match r.head()? {
        Head::Str(s) => String::from_utf8_lossy(s),
        Head::Num(Num::Float(x)) if x.is_nan() => "NaN".into(),
        Head::Num(Num::Float(x)) if x.is_infinite() => {
            if x > 0.0 { "Infinity" } else { "-Infinity" }.into()
        }
        Head::Num(n) => {
            let mut s = String::new();
            write_num(&mut s, n);
            s.into()
        }
        Head::Nil => "null".into(),
        Head::Bool(b) => if b { "true" } else { "false" }.into(),
        Head::Undefined => "undefined".into(),
        _ => return Err(malformed(at, "unsupported map key type")),
    })
}

struct Level {
    map: bool,
    remaining: usize,
    first: bool,
}

/// Transcodes the value at the reader's position into `sink`. Returns `false` (and writes
/// nothing) when the value is `undefined`.
///
/// `undefined` inside an array becomes `null` and a map member whose value is `undefined` is
/// left out, as `JSON.stringify` does.
pub(super) fn transcode_value(r: &mut Reader<'_>, sink: &mut Sink) -> Result<bool, DecodeError> {
    let mut stack: Vec<Level> = Vec::new();
    loop {
        // Inside a container: close it, or open its next element (comma, key).
        let mut member_start = None;
        if let Some(level) = stack.last_mut() {
            if level.remaining == 0 {
                sink.json.push(if level.map { '}' } else { ']' });
                stack.pop();
                if stack.is_empty() {
                    return Ok(true);
                }
                continue;
            }
            level.remaining -= 1;
            let start = sink.json.len();
            let was_first = level.first;
            if !level.first {
                sink.json.push(',');
            }
            level.first = false;
            if level.map {
                let key = read_key(r)?;
                json::write_string(&mut sink.json, &key);
                sink.json.push(':');
                member_start = Some((start, was_first));
            }
        }
        let head = r.head()?;
        match head {
            Head::Array(n) | Head::Map(n) => {
                let map = matches!(head, Head::Map(_));
                if stack.len() >= MAX_DEPTH {
                    return Err(DecodeError::TooDeep);
                }
                r.check_count(n, if map { 2 } else { 1 })?;
                sink.json.push(if map { '{' } else { '[' });
                stack.push(Level {
                    map,
                    remaining: n,
                    first: true,
                });
                continue;
            }
            Head::Undefined => match (stack.last_mut(), member_start) {
                (None, _) => return Ok(false),
                (Some(level), Some((start, was_first))) => {
                    sink.json.truncate(start);
                    level.first = was_first;
                }
                (Some(_), None) => sink.json.push_str("null"),
            },
            Head::Ext(..) if stack.len() >= MAX_DEPTH => return Err(DecodeError::TooDeep),
            other => sink.scalar(other)?,
        }
        if stack.is_empty() {
            return Ok(true);
        }
    }
}
