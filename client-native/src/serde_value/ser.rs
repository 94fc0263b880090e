//! `T: Serialize` → [`Value`]: a serde `Serializer` producing serde_json's JSON representation,
//! with `serialize_bytes` giving [`Value::Bytes`].

use bytes::Bytes;
use serde::ser::{self, Impossible, Serialize};
use sio_core::value::Number;
use sio_core::Value;

use super::SerdeError;

type Result<T> = std::result::Result<T, SerdeError>;

/// Serialises `value` into a [`Value`].
///
/// See the [module documentation](super) for the mapping; in short it is serde_json's
/// (externally tagged enums, struct fields in order, NaN and infinities as `null`), and
/// anything serialised with `serialize_bytes` (e.g. `serde_bytes::ByteBuf`) becomes
/// [`Value::Bytes`]. Fails only for map keys that are not string-like and for errors raised by
/// `value`'s own `Serialize` implementation.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value> {
    value.serialize(ValueSerializer)
}

/// The argument list for `args`: the elements if it serialises to an array, nothing for `()` or
/// a unit struct (also inside newtype structs), otherwise `args` as the only element.
pub(super) fn to_args<T: Serialize + ?Sized>(args: &T) -> Result<Vec<Value>> {
    match args.serialize(ArgsSerializer)? {
        Value::Array(items) => Ok(items),
        other => Ok(vec![other]),
    }
}

fn f32_to_f64(v: f32) -> f64 {
    // The shortest decimal that round-trips the f32, as serde_json writes it (0.1f32 → 0.1, not
    // 0.10000000149011612). Non-finite values parse back as themselves.
    v.to_string().parse().unwrap_or(f64::from(v))
}

fn i128_value(v: i128) -> Result<Value> {
    if let Ok(i) = i64::try_from(v) {
        return Ok(Value::Number(Number::from_i64(i)));
    }
    if let Ok(u) = u64::try_from(v) {
        return Ok(Value::Number(Number::from_u64(u)));
    }
    // Beyond 64 bits: keep the exact integer text (JavaScript will round it to a double).
    Number::from_json(&v.to_string())
        .map(Value::Number)
        .ok_or_else(|| SerdeError::new(format!("cannot represent {v} as a JSON number")))
}

fn u128_value(v: u128) -> Result<Value> {
    match u64::try_from(v) {
        Ok(u) => Ok(Value::Number(Number::from_u64(u))),
        Err(_) => Number::from_json(&v.to_string())
            .map(Value::Number)
            .ok_or_else(|| SerdeError::new(format!("cannot represent {v} as a JSON number"))),
    }
}

/// The serializer behind [`to_value`].
struct ValueSerializer;

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = SerdeError;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = VariantSeqBuilder;
    type SerializeMap = MapBuilder;
    type SerializeStruct = MapBuilder;
    type SerializeStructVariant = VariantMapBuilder;

    fn serialize_bool(self, v: bool) -> Result<Value> {
        Ok(Value::Bool(v))
    }

    fn serialize_i8(self, v: i8) -> Result<Value> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i16(self, v: i16) -> Result<Value> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i32(self, v: i32) -> Result<Value> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i64(self, v: i64) -> Result<Value> {
        Ok(Value::Number(Number::from_i64(v)))
    }

    fn serialize_i128(self, v: i128) -> Result<Value> {
        i128_value(v)
    }

    fn serialize_u8(self, v: u8) -> Result<Value> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u16(self, v: u16) -> Result<Value> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u32(self, v: u32) -> Result<Value> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u64(self, v: u64) -> Result<Value> {
        Ok(Value::Number(Number::from_u64(v)))
    }

    fn serialize_u128(self, v: u128) -> Result<Value> {
        u128_value(v)
    }

    fn serialize_f32(self, v: f32) -> Result<Value> {
        Ok(Value::from_f64(f32_to_f64(v)))
    }

    fn serialize_f64(self, v: f64) -> Result<Value> {
        Ok(Value::from_f64(v))
    }

    fn serialize_char(self, v: char) -> Result<Value> {
        Ok(Value::String(v.to_string()))
    }

    fn serialize_str(self, v: &str) -> Result<Value> {
        Ok(Value::String(v.to_owned()))
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<Value> {
        Ok(Value::Bytes(Bytes::copy_from_slice(v)))
    }

    fn serialize_none(self) -> Result<Value> {
        Ok(Value::Null)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Value> {
        Ok(Value::Null)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value> {
        Ok(Value::Null)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value> {
        Ok(Value::String(variant.to_owned()))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value> {
        Ok(Value::Object(vec![(variant.to_owned(), to_value(value)?)]))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder> {
        Ok(SeqBuilder {
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqBuilder> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSeqBuilder> {
        Ok(VariantSeqBuilder {
            variant,
            items: Vec::with_capacity(len),
        })
    }

    fn serialize_map(self, len: Option<usize>) -> Result<MapBuilder> {
        Ok(MapBuilder {
            fields: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapBuilder> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantMapBuilder> {
        Ok(VariantMapBuilder {
            variant,
            fields: Vec::with_capacity(len),
        })
    }
}

/// Builds an `Array` (seq, tuple, tuple struct).
struct SeqBuilder {
    items: Vec<Value>,
}

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Value;
    type Error = SerdeError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.items.push(to_value(value)?);
        Ok(())
    }

    fn end(self) -> Result<Value> {
        Ok(Value::Array(self.items))
    }
}

impl ser::SerializeTuple for SeqBuilder {
    type Ok = Value;
    type Error = SerdeError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<Value> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Value;
    type Error = SerdeError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result<Value> {
        ser::SerializeSeq::end(self)
    }
}

/// Builds `{"Variant": [...]}`.
struct VariantSeqBuilder {
    variant: &'static str,
    items: Vec<Value>,
}

impl ser::SerializeTupleVariant for VariantSeqBuilder {
    type Ok = Value;
    type Error = SerdeError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.items.push(to_value(value)?);
        Ok(())
    }

    fn end(self) -> Result<Value> {
        Ok(Value::Object(vec![(
            self.variant.to_owned(),
            Value::Array(self.items),
        )]))
    }
}

/// Builds an `Object` (map, struct), members in the order they are serialised.
struct MapBuilder {
    fields: Vec<(String, Value)>,
    /// The key passed to `serialize_key`, waiting for its value.
    key: Option<String>,
}

impl ser::SerializeMap for MapBuilder {
    type Ok = Value;
    type Error = SerdeError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.key = Some(key.serialize(KeySerializer)?);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let key = self
            .key
            .take()
            .ok_or_else(|| SerdeError::new("map value serialised before its key"))?;
        self.fields.push((key, to_value(value)?));
        Ok(())
    }

    fn end(self) -> Result<Value> {
        match self.key {
            Some(key) => Err(SerdeError::new(format!("map key {key:?} has no value"))),
            None => Ok(Value::Object(self.fields)),
        }
    }
}

impl ser::SerializeStruct for MapBuilder {
    type Ok = Value;
    type Error = SerdeError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.fields.push((key.to_owned(), to_value(value)?));
        Ok(())
    }

    fn end(self) -> Result<Value> {
        ser::SerializeMap::end(self)
    }
}

/// Builds `{"Variant": {...}}`.
struct VariantMapBuilder {
    variant: &'static str,
    fields: Vec<(String, Value)>,
}

impl ser::SerializeStructVariant for VariantMapBuilder {
    type Ok = Value;
    type Error = SerdeError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.fields.push((key.to_owned(), to_value(value)?));
        Ok(())
    }

    fn end(self) -> Result<Value> {
        Ok(Value::Object(vec![(
            self.variant.to_owned(),
            Value::Object(self.fields),
        )]))
    }
}

/// Map keys: strings as they are; integers, bools, chars and finite floats in their string
/// form; unit variants by name; newtype structs by their content. Everything else is an error.
struct KeySerializer;

fn key_error(what: &str) -> SerdeError {
    SerdeError::new(format!(
        "map key must be a string, integer, bool, char or finite float, not {what}"
    ))
}

fn float_key(x: f64) -> Result<String> {
    match Number::from_f64(x) {
        // JavaScript's String(x): 1.5 → "1.5", 1e21 → "1e+21", -0 → "0".
        Some(n) => Ok(n.to_string()),
        None => Err(key_error("a NaN or infinite float")),
    }
}

impl ser::Serializer for KeySerializer {
    type Ok = String;
    type Error = SerdeError;
    type SerializeSeq = Impossible<String, SerdeError>;
    type SerializeTuple = Impossible<String, SerdeError>;
    type SerializeTupleStruct = Impossible<String, SerdeError>;
    type SerializeTupleVariant = Impossible<String, SerdeError>;
    type SerializeMap = Impossible<String, SerdeError>;
    type SerializeStruct = Impossible<String, SerdeError>;
    type SerializeStructVariant = Impossible<String, SerdeError>;

    fn serialize_bool(self, v: bool) -> Result<String> {
        Ok(v.to_string())
    }

    fn serialize_i8(self, v: i8) -> Result<String> {
        Ok(v.to_string())
    }

    fn serialize_i16(self, v: i16) -> Result<String> {
        Ok(v.to_string())
    }

    fn serialize_i32(self, v: i32) -> Result<String> {
        Ok(v.to_string())
    }

    fn serialize_i64(self, v: i64) -> Result<String> {
        Ok(v.to_string())
    }

    fn serialize_i128(self, v: i128) -> Result<String> {
        Ok(v.to_string())
    }

    fn serialize_u8(self, v: u8) -> Result<String> {
        Ok(v.to_string())
    }

    fn serialize_u16(self, v: u16) -> Result<String> {
        Ok(v.to_string())
    }

    fn serialize_u32(self, v: u32) -> Result<String> {
        Ok(v.to_string())
    }

    fn serialize_u64(self, v: u64) -> Result<String> {
        Ok(v.to_string())
    }

    fn serialize_u128(self, v: u128) -> Result<String> {
        Ok(v.to_string())
    }

    fn serialize_f32(self, v: f32) -> Result<String> {
        float_key(f32_to_f64(v))
    }

    fn serialize_f64(self, v: f64) -> Result<String> {
        float_key(v)
    }

    fn serialize_char(self, v: char) -> Result<String> {
        Ok(v.to_string())
    }

    fn serialize_str(self, v: &str) -> Result<String> {
        Ok(v.to_owned())
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<String> {
        Err(key_error("bytes"))
    }

    fn serialize_none(self) -> Result<String> {
        Err(key_error("None"))
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String> {
        Err(key_error("an Option"))
    }

    fn serialize_unit(self) -> Result<String> {
        Err(key_error("()"))
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<String> {
        Err(key_error(&format!("unit struct {name}")))
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String> {
        Ok(variant.to_owned())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _value: &T,
    ) -> Result<String> {
        Err(key_error(&format!("enum variant {name}::{variant}")))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(key_error("a sequence"))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(key_error("a tuple"))
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(key_error(&format!("tuple struct {name}")))
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(key_error(&format!("enum variant {name}::{variant}")))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(key_error("a map"))
    }

    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(key_error(&format!("struct {name}")))
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(key_error(&format!("enum variant {name}::{variant}")))
    }
}

/// [`ValueSerializer`] at the top of an argument list: `()` and unit structs (also inside
/// newtype structs) give the empty array, i.e. no arguments. Everything else is delegated.
struct ArgsSerializer;

impl ser::Serializer for ArgsSerializer {
    type Ok = Value;
    type Error = SerdeError;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = VariantSeqBuilder;
    type SerializeMap = MapBuilder;
    type SerializeStruct = MapBuilder;
    type SerializeStructVariant = VariantMapBuilder;

    fn serialize_unit(self) -> Result<Value> {
        Ok(Value::Array(Vec::new()))
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value> {
        Ok(Value::Array(Vec::new()))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Value> {
        value.serialize(self)
    }

    fn serialize_bool(self, v: bool) -> Result<Value> {
        ValueSerializer.serialize_bool(v)
    }

    fn serialize_i8(self, v: i8) -> Result<Value> {
        ValueSerializer.serialize_i8(v)
    }

    fn serialize_i16(self, v: i16) -> Result<Value> {
        ValueSerializer.serialize_i16(v)
    }

    fn serialize_i32(self, v: i32) -> Result<Value> {
        ValueSerializer.serialize_i32(v)
    }

    fn serialize_i64(self, v: i64) -> Result<Value> {
        ValueSerializer.serialize_i64(v)
    }

    fn serialize_i128(self, v: i128) -> Result<Value> {
        ValueSerializer.serialize_i128(v)
    }

    fn serialize_u8(self, v: u8) -> Result<Value> {
        ValueSerializer.serialize_u8(v)
    }

    fn serialize_u16(self, v: u16) -> Result<Value> {
        ValueSerializer.serialize_u16(v)
    }

    fn serialize_u32(self, v: u32) -> Result<Value> {
        ValueSerializer.serialize_u32(v)
    }

    fn serialize_u64(self, v: u64) -> Result<Value> {
        ValueSerializer.serialize_u64(v)
    }

    fn serialize_u128(self, v: u128) -> Result<Value> {
        ValueSerializer.serialize_u128(v)
    }

    fn serialize_f32(self, v: f32) -> Result<Value> {
        ValueSerializer.serialize_f32(v)
    }

    fn serialize_f64(self, v: f64) -> Result<Value> {
        ValueSerializer.serialize_f64(v)
    }

    fn serialize_char(self, v: char) -> Result<Value> {
        ValueSerializer.serialize_char(v)
    }

    fn serialize_str(self, v: &str) -> Result<Value> {
        ValueSerializer.serialize_str(v)
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<Value> {
        ValueSerializer.serialize_bytes(v)
    }

    fn serialize_none(self) -> Result<Value> {
        ValueSerializer.serialize_none()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value> {
        ValueSerializer.serialize_some(value)
    }

    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<Value> {
        ValueSerializer.serialize_unit_variant(name, index, variant)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value> {
        ValueSerializer.serialize_newtype_variant(name, index, variant, value)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder> {
        ValueSerializer.serialize_seq(len)
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder> {
        ValueSerializer.serialize_tuple(len)
    }

    fn serialize_tuple_struct(self, name: &'static str, len: usize) -> Result<SeqBuilder> {
        ValueSerializer.serialize_tuple_struct(name, len)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSeqBuilder> {
        ValueSerializer.serialize_tuple_variant(name, index, variant, len)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<MapBuilder> {
        ValueSerializer.serialize_map(len)
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<MapBuilder> {
        ValueSerializer.serialize_struct(name, len)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantMapBuilder> {
        ValueSerializer.serialize_struct_variant(name, index, variant, len)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use sio_core::value::Number;
    use sio_core::Value;

    use super::to_value;

    fn obj(fields: &[(&str, Value)]) -> Value {
        Value::Object(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    fn json(v: &Value) -> String {
        v.to_payload().json
    }

    #[derive(Serialize)]
    enum E {
        Unit,
        Newtype(u8),
        Tuple(u8, &'static str),
        Struct { a: bool },
    }

    #[test]
    fn json_representation() {
        assert_eq!(json(&to_value(&E::Unit).unwrap()), r#""Unit""#);
        assert_eq!(json(&to_value(&E::Newtype(1)).unwrap()), r#"{"Newtype":1}"#);
        assert_eq!(
            json(&to_value(&E::Tuple(1, "x")).unwrap()),
            r#"{"Tuple":[1,"x"]}"#
        );
        assert_eq!(
            json(&to_value(&E::Struct { a: true }).unwrap()),
            r#"{"Struct":{"a":true}}"#
        );
        #[derive(Serialize)]
        struct Unit;
        #[derive(Serialize)]
        struct New(&'static str);
        #[derive(Serialize)]
        struct Tup(i8, Option<u8>);
        assert_eq!(to_value(&Unit).unwrap(), Value::Null);
        assert_eq!(to_value(&()).unwrap(), Value::Null);
        assert_eq!(to_value(&New("x")).unwrap(), Value::from("x"));
        assert_eq!(json(&to_value(&Tup(-1, None)).unwrap()), "[-1,null]");
        assert_eq!(to_value(&'c').unwrap(), Value::from("c"));
        assert_eq!(
            json(&to_value(&(1u8, "a", [true], Some(2.5f32))).unwrap()),
            r#"[1,"a",[true],2.5]"#
        );
    }

    #[test]
    fn field_order_kept() {
        #[derive(Serialize)]
        struct S {
            z: u8,
            a: u8,
            m: u8,
        }
        assert_eq!(
            to_value(&S { z: 1, a: 2, m: 3 }).unwrap(),
            obj(&[("z", 1i64.into()), ("a", 2i64.into()), ("m", 3i64.into())])
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(json(&to_value(&u64::MAX).unwrap()), "18446744073709551615");
        assert_eq!(json(&to_value(&i64::MIN).unwrap()), "-9223372036854775808");
        assert_eq!(json(&to_value(&1.5f64).unwrap()), "1.5");
        assert_eq!(json(&to_value(&-0.0f64).unwrap()), "0");
        assert_eq!(json(&to_value(&0.1f32).unwrap()), "0.1");
        assert_eq!(to_value(&f64::NAN).unwrap(), Value::Null);
        assert_eq!(to_value(&f64::INFINITY).unwrap(), Value::Null);
        assert_eq!(to_value(&f32::NEG_INFINITY).unwrap(), Value::Null);
        assert_eq!(
            json(&to_value(&i128::MIN).unwrap()),
            "-170141183460469231731687303715884105728"
        );
        assert_eq!(
            json(&to_value(&u128::MAX).unwrap()),
            "340282366920938463463374607431768211455"
        );
        assert_eq!(
            to_value(&5i128).unwrap(),
            Value::Number(Number::from_i64(5))
        );
    }

    #[test]
    fn map_keys() {
        let mut ints = BTreeMap::new();
        ints.insert(-1i32, "a");
        ints.insert(2, "b");
        assert_eq!(json(&to_value(&ints).unwrap()), r#"{"-1":"a","2":"b"}"#);
        let mut bools = BTreeMap::new();
        bools.insert(true, 1);
        assert_eq!(json(&to_value(&bools).unwrap()), r#"{"true":1}"#);
        let mut chars = BTreeMap::new();
        chars.insert('x', 1);
        assert_eq!(json(&to_value(&chars).unwrap()), r#"{"x":1}"#);
        #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
        enum K {
            Alpha,
        }
        #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
        struct Id(u32);
        let mut m = BTreeMap::new();
        m.insert(K::Alpha, 1);
        assert_eq!(json(&to_value(&m).unwrap()), r#"{"Alpha":1}"#);
        let mut m = BTreeMap::new();
        m.insert(Id(7), 1);
        assert_eq!(json(&to_value(&m).unwrap()), r#"{"7":1}"#);
        let floats = vec![(1.5f64, 1), (1e21, 2)];
        struct F(Vec<(f64, i32)>);
        impl Serialize for F {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
            }
        }
        assert_eq!(
            json(&to_value(&F(floats)).unwrap()),
            r#"{"1.5":1,"1e+21":2}"#
        );
        assert!(to_value(&F(vec![(f64::NAN, 1)])).is_err());
    }

    #[test]
    fn bad_map_keys_are_errors() {
        let mut m = BTreeMap::new();
        m.insert(vec![1u8], 1);
        assert!(to_value(&m).is_err());
        let mut m = BTreeMap::new();
        m.insert(Some(1), 1);
        assert!(to_value(&m).is_err());
        let mut m = BTreeMap::new();
        m.insert((1, 2), 1);
        assert!(to_value(&m).is_err());
        let mut m = BTreeMap::new();
        m.insert((), 1);
        assert!(to_value(&m).is_err());
        let mut m = BTreeMap::new();
        m.insert(serde_bytes::ByteBuf::from(vec![1]), 1);
        assert!(to_value(&m).is_err());
    }

    #[test]
    fn bytes() {
        #[derive(Serialize)]
        struct S {
            #[serde(with = "serde_bytes")]
            raw: Vec<u8>,
            plain: Vec<u8>,
            buf: serde_bytes::ByteBuf,
        }
        let v = to_value(&S {
            raw: vec![1, 2],
            plain: vec![3],
            buf: serde_bytes::ByteBuf::from(vec![4]),
        })
        .unwrap();
        assert_eq!(
            v,
            obj(&[
                ("raw", Value::Bytes(bytes::Bytes::from_static(&[1, 2]))),
                ("plain", Value::Array(vec![3i64.into()])),
                ("buf", Value::Bytes(bytes::Bytes::from_static(&[4]))),
            ])
        );
    }

    #[test]
    fn custom_errors_propagate() {
        struct Fails;
        impl Serialize for Fails {
            fn serialize<S: serde::Serializer>(&self, _s: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("nope"))
            }
        }
        assert_eq!(to_value(&Fails).unwrap_err().to_string(), "nope");
        assert!(to_value(&vec![Fails]).is_err());
        assert!(super::to_args(&(1, Fails)).is_err());
    }
}
