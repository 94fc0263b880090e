//! [`Value`] → `T: Deserialize`: a serde `Deserializer` over a borrowed [`Value`], plus the
//! argument-list deserializer behind [`payload_to_args`](super::payload_to_args).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use serde::de::value::{BorrowedStrDeserializer, U8Deserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, Expected, MapAccess, SeqAccess,
    Unexpected, VariantAccess, Visitor,
};
use serde::{forward_to_deserialize_any, Deserialize};
use sio_core::json::MAX_DEPTH;
use sio_core::value::Number;
use sio_core::Value;

use super::SerdeError;

type Result<T> = std::result::Result<T, SerdeError>;

/// Deserialises a `T` from `value`.
///
/// The inverse of [`to_value`](super::to_value); see the [module documentation](super) for
/// the mapping, how binary is read back, and the nesting limit. Strings are copied; use
/// [`from_value_ref`] to borrow them.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T> {
    from_value_ref(&value)
}

/// Deserialises a `T` from a borrowed `value`; `T` may borrow strings (`&str`) and binary
/// (`&[u8]`, `&serde_bytes::Bytes`) from it.
pub fn from_value_ref<'de, T: Deserialize<'de>>(value: &'de Value) -> Result<T> {
    T::deserialize(ValueDeserializer { value, depth: 0 })
}

/// The arguments of an event as a `T`: the whole list first, then its only element (see
/// [`payload_to_args`](super::payload_to_args)).
pub(super) fn from_args<T: DeserializeOwned>(args: &[Value]) -> Result<T> {
    let single = |value: &Value| T::deserialize(ValueDeserializer { value, depth: 1 });
    let list = || T::deserialize(ArgsDeserializer { args });
    // One argument: the argument itself first (what a listener of a one-argument event
    // means), then the list. Several: the list first, then the first argument alone (a
    // listener with fewer parameters, e.g. when the server appended a recovery offset).
    let (first, second) = match args {
        [only] => (single(only), None),
        _ => (list(), args.first().map(single)),
    };
    let first_error = match first {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    let second = match (args, second) {
        ([_], _) => Some(list()),
        (_, s) => s,
    };
    let target = std::any::type_name::<T>();
    let shape = shape(args);
    match second {
        Some(Ok(v)) => Ok(v),
        Some(Err(second_error)) => Err(SerdeError::new(format!(
            "event arguments {shape} do not match `{target}`: {first_error}; {second_error}"
        ))),
        None => Err(SerdeError::new(format!(
            "event arguments {shape} do not match `{target}`: {first_error}"
        ))),
    }
}

/// `[string, object, binary]`: the kinds of (at most the first 8) arguments.
fn shape(args: &[Value]) -> String {
    const SHOWN: usize = 8;
    let mut out = String::from("[");
    for (i, v) in args.iter().take(SHOWN).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(match v {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Bytes(_) => "binary",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        });
    }
    if args.len() > SHOWN {
        let _ = write!(out, ", … ({} in all)", args.len());
    }
    out.push(']');
    out
}

fn unexpected(v: &Value) -> Unexpected<'_> {
    match v {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Unexpected::Unsigned(u)
            } else if let Some(i) = n.as_i64() {
                Unexpected::Signed(i)
            } else {
                Unexpected::Float(n.as_f64())
            }
        }
        Value::String(s) => Unexpected::Str(s),
        Value::Bytes(b) => Unexpected::Bytes(b),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// Integral values as integers (`u64` if non-negative, else `i64`), everything else as `f64`.
fn visit_number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value> {
    if let Some(u) = n.as_u64() {
        visitor.visit_u64(u)
    } else if let Some(i) = n.as_i64() {
        visitor.visit_i64(i)
    } else {
        visitor.visit_f64(n.as_f64())
    }
}

/// `bytes` as a sequence of `u8`, failing if the visitor leaves some unread.
fn visit_byte_seq<'de, V: Visitor<'de>>(bytes: &'de [u8], visitor: V) -> Result<V::Value> {
    let mut seq = ByteSeq { iter: bytes.iter() };
    let out = visitor.visit_seq(&mut seq)?;
    match seq.iter.len() {
        0 => Ok(out),
        _ => Err(de::Error::invalid_length(bytes.len(), &"fewer bytes")),
    }
}

/// A deserializer for one borrowed value, `depth` arrays/objects down from the root.
#[derive(Clone, Copy)]
struct ValueDeserializer<'de> {
    value: &'de Value,
    depth: usize,
}

impl<'de> ValueDeserializer<'de> {
    /// The depth of this value's members, if this container may be entered.
    fn enter(&self) -> Result<usize> {
        let depth = self.depth + 1;
        if depth > MAX_DEPTH {
            return Err(SerdeError::new(format!(
                "value nested deeper than {MAX_DEPTH} arrays/objects"
            )));
        }
        Ok(depth)
    }

    /// For targets that want a scalar: binary is reported as such rather than as a sequence.
    fn deserialize_scalar<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.value {
            Value::Bytes(_) => Err(self.invalid_type(&visitor)),
            _ => de::Deserializer::deserialize_any(self, visitor),
        }
    }

    fn invalid_type(&self, expected: &dyn Expected) -> SerdeError {
        de::Error::invalid_type(unexpected(self.value), expected)
    }

    fn visit_array<V: Visitor<'de>>(self, items: &'de [Value], visitor: V) -> Result<V::Value> {
        let depth = self.enter()?;
        let mut seq = SeqDeserializer {
            iter: items.iter(),
            depth,
        };
        let out = visitor.visit_seq(&mut seq)?;
        match seq.iter.len() {
            0 => Ok(out),
            _ => Err(de::Error::invalid_length(
                items.len(),
                &"fewer elements in the array",
            )),
        }
    }

    fn visit_object<V: Visitor<'de>>(
        self,
        fields: &'de [(String, Value)],
        visitor: V,
    ) -> Result<V::Value> {
        let depth = self.enter()?;
        let mut map = MapDeserializer::new(fields, depth);
        let out = visitor.visit_map(&mut map)?;
        match map.remaining() {
            0 => Ok(out),
            _ => Err(de::Error::invalid_length(
                fields.len(),
                &"fewer members in the object",
            )),
        }
    }
}

/// Methods that go to `deserialize_scalar`.
macro_rules! scalar {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.deserialize_scalar(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for ValueDeserializer<'de> {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => visit_number(n, visitor),
            Value::String(s) => visitor.visit_borrowed_str(s),
            // A sequence, not bytes: self-describing targets like serde_json::Value have no
            // bytes, and byte-buffer types accept a sequence of u8 as well.
            Value::Bytes(b) => visit_byte_seq(b, visitor),
            Value::Array(items) => self.visit_array(items, visitor),
            Value::Object(fields) => self.visit_object(fields, visitor),
        }
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if let Value::Number(n) = self.value {
            if let Ok(i) = n.to_string().parse::<i128>() {
                return visitor.visit_i128(i);
            }
        }
        self.deserialize_scalar(visitor)
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if let Value::Number(n) = self.value {
            if let Ok(u) = n.to_string().parse::<u128>() {
                return visitor.visit_u128(u);
            }
        }
        self.deserialize_scalar(visitor)
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.value {
            // Directly, so that -0.0 keeps its sign.
            Value::Number(n) => visitor.visit_f64(n.as_f64()),
            _ => self.deserialize_scalar(visitor),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.value {
            Value::Bytes(b) => visitor.visit_borrowed_bytes(b),
            Value::String(s) => visitor.visit_borrowed_bytes(s.as_bytes()),
            Value::Array(items) => self.visit_array(items, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.value {
            Value::Null => visitor.visit_unit(),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.value {
            Value::Array(items) => self.visit_array(items, visitor),
            Value::Bytes(b) => visit_byte_seq(b, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.value {
            Value::Object(fields) => self.visit_object(fields, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.value {
            Value::Object(fields) => self.visit_object(fields, visitor),
            Value::Array(items) => self.visit_array(items, visitor),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.value {
            Value::String(variant) => visitor.visit_enum(EnumDeserializer {
                variant,
                value: None,
                depth: self.depth,
            }),
            Value::Object(fields) => {
                let depth = self.enter()?;
                match fields.as_slice() {
                    [(variant, value)] => visitor.visit_enum(EnumDeserializer {
                        variant,
                        value: Some(value),
                        depth,
                    }),
                    _ => Err(de::Error::invalid_value(
                        Unexpected::Map,
                        &"a string or an object with a single key",
                    )),
                }
            }
            _ => Err(self.invalid_type(&"a string or an object with a single key")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }

    scalar! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_char
        deserialize_str deserialize_string deserialize_identifier
    }
}

/// The elements of an array.
struct SeqDeserializer<'de> {
    iter: std::slice::Iter<'de, Value>,
    /// The depth of the elements.
    depth: usize,
}

impl<'de> SeqAccess<'de> for SeqDeserializer<'de> {
    type Error = SerdeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        match self.iter.next() {
            Some(value) => seed
                .deserialize(ValueDeserializer {
                    value,
                    depth: self.depth,
                })
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// Binary data as a sequence of `u8`.
struct ByteSeq<'de> {
    iter: std::slice::Iter<'de, u8>,
}

impl<'de> SeqAccess<'de> for ByteSeq<'de> {
    type Error = SerdeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        match self.iter.next() {
            Some(&b) => seed
                .deserialize(U8Deserializer::<SerdeError>::new(b))
                .map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// The members of an object. A repeated key is visited once, at its first position, with the
/// value of its last occurrence (`JSON.parse`).
struct MapDeserializer<'de> {
    fields: &'de [(String, Value)],
    /// Only when keys repeat: for each member, `None` to skip it, or the member whose value to
    /// use.
    plan: Option<Vec<Option<usize>>>,
    /// The next member.
    pos: usize,
    /// The value of the key just visited.
    value: Option<&'de Value>,
    /// The depth of the values.
    depth: usize,
}

impl<'de> MapDeserializer<'de> {
    fn new(fields: &'de [(String, Value)], depth: usize) -> MapDeserializer<'de> {
        MapDeserializer {
            fields,
            plan: plan_repeats(fields),
            pos: 0,
            value: None,
            depth,
        }
    }

    fn remaining(&self) -> usize {
        match &self.plan {
            None => self.fields.len().saturating_sub(self.pos),
            Some(plan) => plan
                .get(self.pos..)
                .map_or(0, |rest| rest.iter().flatten().count()),
        }
    }
}

fn has_repeats(fields: &[(String, Value)]) -> bool {
    const SMALL: usize = 16;
    if fields.len() <= SMALL {
        (1..fields.len()).any(|i| fields[..i].iter().any(|(k, _)| *k == fields[i].0))
    } else {
        let mut seen = HashSet::with_capacity(fields.len());
        !fields.iter().all(|(k, _)| seen.insert(k.as_str()))
    }
}

fn plan_repeats(fields: &[(String, Value)]) -> Option<Vec<Option<usize>>> {
    if !has_repeats(fields) {
        return None;
    }
    let last: HashMap<&str, usize> = fields
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.as_str(), i))
        .collect();
    let mut seen = HashSet::with_capacity(last.len());
    Some(
        fields
            .iter()
            .map(|(k, _)| {
                if seen.insert(k.as_str()) {
                    last.get(k.as_str()).copied()
                } else {
                    None
                }
            })
            .collect(),
    )
}

impl<'de> MapAccess<'de> for MapDeserializer<'de> {
    type Error = SerdeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        while let Some((key, value)) = self.fields.get(self.pos) {
            let i = self.pos;
            self.pos += 1;
            let value = match &self.plan {
                None => value,
                Some(plan) => match plan.get(i).copied().flatten() {
                    Some(j) => self.fields.get(j).map_or(value, |(_, v)| v),
                    None => continue,
                },
            };
            self.value = Some(value);
            return seed.deserialize(KeyDeserializer(key)).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value> {
        match self.value.take() {
            Some(value) => seed.deserialize(ValueDeserializer {
                value,
                depth: self.depth,
            }),
            None => Err(SerdeError::new("object value asked for before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.remaining())
    }
}

/// An object key: a string, parsed into a number or bool when one is asked for.
struct KeyDeserializer<'de>(&'de str);

macro_rules! parse_key {
    ($($method:ident => $visit:ident($ty:ty)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self.0.parse::<$ty>() {
                Ok(n) => visitor.$visit(n),
                Err(_) => Err(de::Error::invalid_value(Unexpected::Str(self.0), &visitor)),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for KeyDeserializer<'de> {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.0)
    }

    parse_key! {
        deserialize_bool => visit_bool(bool),
        deserialize_i8 => visit_i8(i8),
        deserialize_i16 => visit_i16(i16),
        deserialize_i32 => visit_i32(i32),
        deserialize_i64 => visit_i64(i64),
        deserialize_i128 => visit_i128(i128),
        deserialize_u8 => visit_u8(u8),
        deserialize_u16 => visit_u16(u16),
        deserialize_u32 => visit_u32(u32),
        deserialize_u64 => visit_u64(u64),
        deserialize_u128 => visit_u128(u128),
        deserialize_f32 => visit_f32(f32),
        deserialize_f64 => visit_f64(f64),
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_enum(EnumDeserializer {
            variant: self.0,
            value: None,
            depth: 0,
        })
    }

    forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// An externally tagged enum: `"Variant"` or `{"Variant": value}`.
struct EnumDeserializer<'de> {
    variant: &'de str,
    value: Option<&'de Value>,
    /// The depth of `value`.
    depth: usize,
}

impl<'de> EnumAccess<'de> for EnumDeserializer<'de> {
    type Error = SerdeError;
    type Variant = VariantDeserializer<'de>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantDeserializer<'de>)> {
        let variant = seed.deserialize(BorrowedStrDeserializer::<SerdeError>::new(self.variant))?;
        Ok((
            variant,
            VariantDeserializer {
                value: self.value,
                depth: self.depth,
            },
        ))
    }
}

/// The content of an enum variant (`None` for the string form).
struct VariantDeserializer<'de> {
    value: Option<&'de Value>,
    depth: usize,
}

impl<'de> VariantDeserializer<'de> {
    fn content(&self, expected: &str) -> Result<ValueDeserializer<'de>> {
        match self.value {
            Some(value) => Ok(ValueDeserializer {
                value,
                depth: self.depth,
            }),
            None => Err(de::Error::invalid_type(Unexpected::UnitVariant, &expected)),
        }
    }
}

impl<'de> VariantAccess<'de> for VariantDeserializer<'de> {
    type Error = SerdeError;

    fn unit_variant(self) -> Result<()> {
        match self.value {
            None | Some(Value::Null) => Ok(()),
            Some(other) => Err(de::Error::invalid_type(unexpected(other), &"unit variant")),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(self.content("newtype variant")?)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_tuple(self.content("tuple variant")?, len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_struct(self.content("struct variant")?, "", fields, visitor)
    }
}

/// An event's argument list as the top-level value: like the array of the arguments, except
/// that `()` and unit structs accept only the empty list, `Option` reads the empty list as
/// `None`, a struct reads a lone object argument as itself, and arguments left over by a tuple
/// or struct are ignored.
struct ArgsDeserializer<'de> {
    args: &'de [Value],
}

impl<'de> ArgsDeserializer<'de> {
    fn visit_list<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_seq(SeqDeserializer {
            iter: self.args.iter(),
            depth: 1,
        })
    }
}

impl<'de> de::Deserializer<'de> for ArgsDeserializer<'de> {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.visit_list(visitor)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.args.len() {
            0 => visitor.visit_unit(),
            n => Err(de::Error::invalid_length(n, &"no arguments")),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.args.len() {
            0 => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.args {
            [only @ Value::Object(_)] => de::Deserializer::deserialize_struct(
                ValueDeserializer {
                    value: only,
                    depth: 1,
                },
                name,
                fields,
                visitor,
            ),
            _ => self.visit_list(visitor),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        seq tuple tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use bytes::Bytes;
    use serde::{Deserialize, Serialize};
    use serde_bytes::ByteBuf;
    use serde_json::json;
    use sio_core::value::Number;
    use sio_core::{Payload, Value};

    use super::{from_value, from_value_ref};
    use crate::serde_value::to_value;

    /// `v` → Value → back, and also through a Payload (JSON text + attachments).
    fn round_trip<T>(v: &T)
    where
        T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
    {
        let value = to_value(v).unwrap();
        let back: T = from_value(value.clone()).unwrap();
        assert_eq!(&back, v);
        let payload = Payload::from_values(std::slice::from_ref(&value));
        let mut parsed = payload.to_values().unwrap();
        assert_eq!(parsed.len(), 1);
        let back: T = from_value(parsed.remove(0)).unwrap();
        assert_eq!(&back, v, "through {}", payload.json);
    }

    fn obj(fields: &[(&str, Value)]) -> Value {
        Value::Object(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    enum Shape {
        Unit,
        Newtype(i32),
        Tuple(u8, String),
        Struct { w: f64, h: Option<f64> },
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct UnitStruct;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Newtype(String);

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct TupleStruct(i8, bool, Option<u16>);

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Inner {
        id: u64,
        tags: Vec<String>,
        shapes: Vec<Shape>,
        blob: ByteBuf,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Everything {
        b: bool,
        i8: i8,
        i16: i16,
        i32: i32,
        i64: i64,
        u8: u8,
        u16: u16,
        u32: u32,
        u64: u64,
        i128: i128,
        u128: u128,
        f32: f32,
        f64: f64,
        c: char,
        s: String,
        none: Option<String>,
        some: Option<Option<u8>>,
        unit: (),
        unit_struct: UnitStruct,
        newtype: Newtype,
        tuple: (u8, String, (bool,)),
        tuple_struct: TupleStruct,
        map: BTreeMap<String, Vec<i32>>,
        int_map: BTreeMap<i64, bool>,
        bool_map: BTreeMap<bool, u8>,
        inner: Inner,
        nested: Vec<Option<Inner>>,
        #[serde(with = "serde_bytes")]
        raw: Vec<u8>,
        plain_bytes: Vec<u8>,
        array: [u16; 3],
    }

    fn everything() -> Everything {
        let inner = Inner {
            id: 7,
            tags: vec!["a".into(), "b\"c".into()],
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(-3),
                Shape::Tuple(1, "t".into()),
                Shape::Struct { w: 1.5, h: None },
            ],
            blob: ByteBuf::from(vec![9, 8, 7]),
        };
        Everything {
            b: true,
            i8: i8::MIN,
            i16: i16::MAX,
            i32: -5,
            i64: i64::MIN,
            u8: u8::MAX,
            u16: 0,
            u32: u32::MAX,
            u64: u64::MAX,
            i128: i128::MIN,
            u128: u128::MAX,
            f32: 0.1,
            f64: -1e-300,
            c: 'é',
            s: "hello \u{1F600}".into(),
            none: None,
            some: Some(Some(3)),
            unit: (),
            unit_struct: UnitStruct,
            newtype: Newtype("n".into()),
            tuple: (1, "x".into(), (false,)),
            tuple_struct: TupleStruct(-1, true, None),
            map: [("k".to_owned(), vec![1, -2]), ("a".to_owned(), vec![])]
                .into_iter()
                .collect(),
            int_map: [(-1, true), (10, false)].into_iter().collect(),
            bool_map: [(true, 1), (false, 0)].into_iter().collect(),
            inner: inner.clone(),
            nested: vec![None, Some(inner)],
            raw: vec![0, 255],
            plain_bytes: vec![1, 2, 3],
            array: [1, 2, 3],
        }
    }

    #[test]
    fn round_trip_everything() {
        round_trip(&everything());
    }

    #[test]
    fn round_trip_shapes() {
        round_trip(&true);
        round_trip(&-7i8);
        round_trip(&65535u16);
        round_trip(&u64::MAX);
        round_trip(&i64::MIN);
        round_trip(&i128::MAX);
        round_trip(&1.5f64);
        round_trip(&f64::MAX);
        round_trip(&f64::MIN_POSITIVE);
        round_trip(&3.25f32);
        round_trip(&'x');
        round_trip(&String::from("s"));
        round_trip(&None::<u8>);
        round_trip(&Some(1u8));
        round_trip(&());
        round_trip(&UnitStruct);
        round_trip(&Newtype("x".into()));
        round_trip(&TupleStruct(1, false, Some(2)));
        round_trip(&vec![1u32, 2, 3]);
        round_trip(&Vec::<String>::new());
        round_trip(&(1u8,));
        round_trip(&(1u8, -2i64, "three".to_owned(), [4.5f64]));
        round_trip(&Shape::Unit);
        round_trip(&Shape::Newtype(1));
        round_trip(&Shape::Tuple(2, "b".into()));
        round_trip(&Shape::Struct {
            w: 0.5,
            h: Some(-2.0),
        });
        let mut hm: HashMap<String, Shape> = HashMap::new();
        hm.insert("u".into(), Shape::Unit);
        hm.insert("n".into(), Shape::Newtype(0));
        round_trip(&hm);
        let mut keyed: HashMap<u8, char> = HashMap::new();
        keyed.insert(200, 'a');
        round_trip(&keyed);
        round_trip(&ByteBuf::from(vec![1, 2, 3]));
        round_trip(&ByteBuf::new());
    }

    #[test]
    fn tagged_and_flattened() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "type")]
        enum Internal {
            A { x: u8 },
            B,
        }
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "t", content = "c")]
        enum Adjacent {
            A(u8),
            B { s: String },
        }
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        #[serde(untagged)]
        enum Untagged {
            Num(f64),
            Text(String),
            Bin(ByteBuf),
        }
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Flat {
            a: u8,
            #[serde(flatten)]
            rest: BTreeMap<String, serde_json::Value>,
        }
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Renamed {
            user_name: String,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            maybe: Option<u8>,
        }
        round_trip(&Internal::A { x: 1 });
        round_trip(&Internal::B);
        assert_eq!(
            to_value(&Internal::A { x: 1 }).unwrap().to_payload().json,
            r#"{"type":"A","x":1}"#
        );
        round_trip(&Adjacent::A(3));
        round_trip(&Adjacent::B { s: "q".into() });
        round_trip(&Untagged::Bin(ByteBuf::from(vec![1])));
        round_trip(&Untagged::Num(2.5));
        round_trip(&Untagged::Text("t".into()));
        let mut rest = BTreeMap::new();
        rest.insert("z".to_owned(), json!([1, {"y": null}]));
        round_trip(&Flat { a: 1, rest });
        let r = Renamed {
            user_name: "u".into(),
            maybe: None,
        };
        assert_eq!(
            to_value(&r).unwrap(),
            obj(&[("userName", Value::from("u"))])
        );
        round_trip(&r);
    }

    #[test]
    fn numbers() {
        let v = to_value(&-0.0f64).unwrap();
        let back: f64 = from_value(v.clone()).unwrap();
        assert!(back == 0.0 && back.is_sign_negative());
        // Through JSON text -0 becomes 0, as JSON.stringify writes it.
        let back: f64 = from_value(v.to_payload().to_value().unwrap()).unwrap();
        assert!(back == 0.0 && back.is_sign_positive());
        // Integral doubles are integers; integers read as doubles.
        assert_eq!(from_value::<u8>(Value::from(3.0)).unwrap(), 3);
        assert_eq!(from_value::<f64>(Value::from(3i64)).unwrap(), 3.0);
        assert_eq!(
            from_value::<serde_json::Value>(Value::from(1.0)).unwrap(),
            json!(1)
        );
        assert_eq!(
            from_value::<serde_json::Value>(Value::from(1.5)).unwrap(),
            json!(1.5)
        );
        assert_eq!(
            from_value::<serde_json::Value>(Value::from(u64::MAX)).unwrap(),
            json!(u64::MAX)
        );
        assert_eq!(
            from_value::<serde_json::Value>(Value::from(i64::MIN)).unwrap(),
            json!(i64::MIN)
        );
        // Raw JSON number text.
        let raw = |s: &str| Value::Number(Number::from_json(s).unwrap());
        assert_eq!(from_value::<f64>(raw("1.5e0")).unwrap(), 1.5);
        assert_eq!(from_value::<i32>(raw("2.0")).unwrap(), 2);
        assert_eq!(
            from_value::<u128>(raw("340282366920938463463374607431768211455")).unwrap(),
            u128::MAX
        );
        // Out of range / wrong kind.
        assert!(from_value::<u8>(Value::from(256i64)).is_err());
        assert!(from_value::<u32>(Value::from(-1i64)).is_err());
        assert!(from_value::<i64>(Value::from(u64::MAX)).is_err());
        assert!(from_value::<i32>(Value::from(1.5)).is_err());
        assert!(from_value::<i128>(raw("1e400")).is_err());
        assert!(from_value::<u64>(Value::from("1")).is_err());
    }

    #[test]
    fn bytes_targets() {
        let b = Value::Bytes(Bytes::from_static(&[1, 2, 3]));
        assert_eq!(
            from_value::<ByteBuf>(b.clone()).unwrap().as_slice(),
            [1, 2, 3]
        );
        assert_eq!(from_value::<Vec<u8>>(b.clone()).unwrap(), [1, 2, 3]);
        assert_eq!(from_value::<[u8; 3]>(b.clone()).unwrap(), [1, 2, 3]);
        assert_eq!(from_value::<(u8, u8, u8)>(b.clone()).unwrap(), (1, 2, 3));
        assert!(from_value::<[u8; 2]>(b.clone()).is_err());
        let e = from_value::<String>(b.clone()).unwrap_err();
        assert!(e.to_string().contains("invalid type: byte array"), "{e}");
        // serde_json::Value has no bytes: an array of numbers.
        assert_eq!(
            from_value::<serde_json::Value>(b.clone()).unwrap(),
            json!([1, 2, 3])
        );
        // Borrowed.
        let borrowed: &serde_bytes::Bytes = from_value_ref(&b).unwrap();
        assert_eq!(&borrowed[..], [1, 2, 3]);
        #[derive(Deserialize)]
        struct WithBytes {
            #[serde(with = "serde_bytes")]
            data: Vec<u8>,
        }
        let v = obj(&[("data", b.clone())]);
        assert_eq!(from_value::<WithBytes>(v).unwrap().data, [1, 2, 3]);
        // Strings and number arrays as bytes.
        assert_eq!(
            from_value::<ByteBuf>(Value::from("hé")).unwrap().as_slice(),
            "hé".as_bytes()
        );
        let arr = Value::Array(vec![Value::from(4i64), Value::from(5i64)]);
        assert_eq!(from_value::<ByteBuf>(arr).unwrap().as_slice(), [4, 5]);
        assert!(from_value::<ByteBuf>(Value::from(1i64)).is_err());
        assert!(from_value::<ByteBuf>(Value::Array(vec![Value::from(300i64)])).is_err());
    }

    #[test]
    fn borrowed_strings() {
        let v = obj(&[("name", Value::from("borrowed"))]);
        #[derive(Deserialize)]
        struct B<'a> {
            name: &'a str,
        }
        let b: B<'_> = from_value_ref(&v).unwrap();
        assert_eq!(b.name, "borrowed");
    }

    #[test]
    fn repeated_keys_last_wins() {
        let v = obj(&[
            ("a", Value::from(1i64)),
            ("b", Value::from(2i64)),
            ("a", Value::from(3i64)),
        ]);
        #[derive(Deserialize, Debug, PartialEq)]
        struct AB {
            a: u8,
            b: u8,
        }
        assert_eq!(from_value::<AB>(v.clone()).unwrap(), AB { a: 3, b: 2 });
        let j: serde_json::Value = from_value(v).unwrap();
        assert_eq!(serde_json::to_string(&j).unwrap(), r#"{"a":3,"b":2}"#);
        // Many members (the hashed path).
        let mut fields: Vec<(String, Value)> = (0..40)
            .map(|i| (format!("k{i}"), Value::from(i64::from(i))))
            .collect();
        fields.push(("k0".into(), Value::from(-1i64)));
        let m: BTreeMap<String, i64> = from_value(Value::Object(fields)).unwrap();
        assert_eq!(m.len(), 40);
        assert_eq!(m["k0"], -1);
    }

    #[test]
    fn struct_from_array() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct P {
            x: i32,
            y: i32,
        }
        let v = Value::Array(vec![Value::from(1i64), Value::from(2i64)]);
        assert_eq!(from_value::<P>(v).unwrap(), P { x: 1, y: 2 });
    }

    #[test]
    fn enum_forms() {
        assert_eq!(
            from_value::<Shape>(obj(&[("Unit", Value::Null)])).unwrap(),
            Shape::Unit
        );
        assert!(from_value::<Shape>(Value::from("Nope")).is_err());
        assert!(from_value::<Shape>(Value::from("Newtype")).is_err());
        assert!(from_value::<Shape>(Value::from("Tuple")).is_err());
        assert!(from_value::<Shape>(Value::from("Struct")).is_err());
        assert!(from_value::<Shape>(obj(&[("Unit", Value::from(1i64))])).is_err());
        assert!(from_value::<Shape>(obj(&[])).is_err());
        assert!(from_value::<Shape>(obj(&[
            ("Unit", Value::Null),
            ("Newtype", Value::from(1i64))
        ]))
        .is_err());
        assert!(from_value::<Shape>(Value::from(1i64)).is_err());
        assert!(from_value::<Shape>(obj(&[("Tuple", Value::from(1i64))])).is_err());
        // Enum map keys.
        #[derive(Deserialize, Debug, PartialEq, Eq, Hash)]
        enum K {
            A,
        }
        let m: HashMap<K, u8> = from_value(obj(&[("A", Value::from(1i64))])).unwrap();
        assert_eq!(m[&K::A], 1);
    }

    #[test]
    fn map_keys_parsed() {
        let v = obj(&[("-5", Value::from(true)), ("7", Value::from(false))]);
        let m: BTreeMap<i64, bool> = from_value(v.clone()).unwrap();
        assert_eq!(m, [(-5, true), (7, false)].into_iter().collect());
        assert!(from_value::<BTreeMap<u8, bool>>(v).is_err());
        #[derive(Deserialize, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        struct Id(u32);
        let m: BTreeMap<Id, ()> = from_value(obj(&[("12", Value::Null)])).unwrap();
        assert!(m.contains_key(&Id(12)));
        assert!(from_value::<BTreeMap<char, ()>>(obj(&[("ab", Value::Null)])).is_err());
        assert!(from_value::<BTreeMap<bool, ()>>(obj(&[("yes", Value::Null)])).is_err());
    }

    #[test]
    fn type_errors() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct S {
            a: u8,
        }
        let e = from_value::<S>(obj(&[])).unwrap_err();
        assert_eq!(e.to_string(), "missing field `a`");
        let e = from_value::<S>(Value::from("x")).unwrap_err();
        assert!(e.to_string().contains("invalid type: string \"x\""), "{e}");
        assert!(from_value::<S>(obj(&[("a", Value::from("1"))])).is_err());
        assert!(from_value::<(u8, u8)>(Value::Array(vec![Value::from(1i64)])).is_err());
        let three = Value::Array(vec![Value::from(1i64); 3]);
        let e = from_value::<(u8, u8)>(three).unwrap_err();
        assert!(e.to_string().contains("fewer elements"), "{e}");
        assert!(from_value::<()>(Value::from(0i64)).is_err());
        assert!(from_value::<UnitStruct>(Value::Array(vec![])).is_err());
        assert!(from_value::<HashMap<String, u8>>(Value::Array(vec![])).is_err());
        assert!(from_value::<Vec<u8>>(obj(&[])).is_err());
        assert!(from_value::<char>(Value::from("ab")).is_err());
        assert!(from_value::<bool>(Value::Null).is_err());
        assert!(from_value::<String>(Value::Null).is_err());
    }

    #[test]
    fn too_deep_is_an_error() {
        let nest = |n: usize| {
            let mut v = Value::Null;
            for _ in 0..n {
                v = Value::Array(vec![v]);
            }
            v
        };
        assert!(from_value::<serde_json::Value>(nest(sio_core::json::MAX_DEPTH)).is_ok());
        let e = from_value::<serde_json::Value>(nest(sio_core::json::MAX_DEPTH + 1)).unwrap_err();
        assert!(e.to_string().contains("nested deeper"), "{e}");
        let mut v = Value::Null;
        for _ in 0..10_000 {
            v = Value::Object(vec![("Newtype".into(), v)]);
        }
        assert!(from_value_ref::<serde::de::IgnoredAny>(&v).is_ok());
        assert!(from_value_ref::<Shape>(&v).is_err());
        assert!(from_value_ref::<serde_json::Value>(&v).is_err());
        // Dismantle iteratively: the default drop of a deep value recurses.
        let mut cur = v;
        while let Value::Object(mut fields) = cur {
            cur = fields.pop().map_or(Value::Null, |(_, v)| v);
        }
    }

    #[test]
    fn serde_json_value_target() {
        let v = obj(&[
            ("b", Value::Array(vec![Value::Null, Value::from(true)])),
            ("a", Value::from("x")),
        ]);
        let j: serde_json::Value = from_value(v.clone()).unwrap();
        assert_eq!(
            serde_json::to_string(&j).unwrap(),
            r#"{"b":[null,true],"a":"x"}"#
        );
        assert_eq!(to_value(&j).unwrap(), v);
    }
}
