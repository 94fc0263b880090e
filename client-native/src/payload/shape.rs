//! Whether a Rust type stands for a whole argument list, one argument, or none.
//!
//! Socket.IO events carry a variable number of arguments; Rust types do not. The rule (the
//! one socketioxide uses on the server side): a **tuple** is the argument list, **`()`** (or a
//! unit struct) is no argument, and **any other type is one argument**. The shape is found by
//! asking the type to serialize or deserialize itself into a probe that stops at the first
//! call and reports which one it was; no data is read or written.

use std::fmt;

use serde::de::{self, Deserialize, Visitor};
use serde::ser::{self, Impossible, Serialize};

/// How a type maps onto an argument list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `()`: no arguments.
    Unit,
    /// A tuple: one element per argument.
    Tuple,
    /// Anything else: the first argument.
    Single,
}

/// The probe's answer, carried as an "error" so the probe stops at once.
#[derive(Debug)]
struct Found(Shape);

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl std::error::Error for Found {}

impl ser::Error for Found {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Found(Shape::Single)
    }
}

impl de::Error for Found {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Found(Shape::Single)
    }
}

/// The shape of a type that deserializes (computed once per listener).
pub(crate) fn shape_of_type<'de, T: Deserialize<'de>>() -> Shape {
    match T::deserialize(Probe) {
        Err(Found(shape)) => shape,
        Ok(_) => Shape::Single,
    }
}

/// The shape of a value about to be serialized.
pub(crate) fn shape_of_value<T: Serialize + ?Sized>(value: &T) -> Shape {
    match value.serialize(Probe) {
        Err(Found(shape)) => shape,
        Ok(()) => Shape::Single,
    }
}

struct Probe;

impl<'de> de::Deserializer<'de> for Probe {
    type Error = Found;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Found> {
        Err(Found(Shape::Single))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Found> {
        Err(Found(Shape::Unit))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: V,
    ) -> Result<V::Value, Found> {
        Err(Found(Shape::Unit))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Found> {
        Err(Found(Shape::Tuple))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option newtype_struct seq tuple_struct map struct enum identifier ignored_any
    }
}

/// `Err(Found(Single))` for every serializer method but the two that decide otherwise.
macro_rules! single {
    ($($name:ident($($arg:ty),*) -> $ret:ty;)*) => {
        $(fn $name(self, $(_: $arg),*) -> Result<$ret, Found> {
            Err(Found(Shape::Single))
        })*
    };
}

impl ser::Serializer for Probe {
    type Ok = ();
    type Error = Found;
    type SerializeSeq = Impossible<(), Found>;
    type SerializeTuple = Impossible<(), Found>;
    type SerializeTupleStruct = Impossible<(), Found>;
    type SerializeTupleVariant = Impossible<(), Found>;
    type SerializeMap = Impossible<(), Found>;
    type SerializeStruct = Impossible<(), Found>;
    type SerializeStructVariant = Impossible<(), Found>;

    fn serialize_unit(self) -> Result<(), Found> {
        Err(Found(Shape::Unit))
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Found> {
        Err(Found(Shape::Unit))
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Found> {
        Err(Found(Shape::Tuple))
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Found> {
        Err(Found(Shape::Single))
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<(), Found> {
        Err(Found(Shape::Single))
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Found> {
        Err(Found(Shape::Single))
    }

    single! {
        serialize_bool(bool) -> ();
        serialize_i8(i8) -> ();
        serialize_i16(i16) -> ();
        serialize_i32(i32) -> ();
        serialize_i64(i64) -> ();
        serialize_i128(i128) -> ();
        serialize_u8(u8) -> ();
        serialize_u16(u16) -> ();
        serialize_u32(u32) -> ();
        serialize_u64(u64) -> ();
        serialize_u128(u128) -> ();
        serialize_f32(f32) -> ();
        serialize_f64(f64) -> ();
        serialize_char(char) -> ();
        serialize_str(&str) -> ();
        serialize_bytes(&[u8]) -> ();
        serialize_none() -> ();
        serialize_unit_variant(&'static str, u32, &'static str) -> ();
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Chat {
        text: String,
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Nothing;

    #[test]
    fn types_are_classified_without_data() {
        assert_eq!(shape_of_type::<()>(), Shape::Unit);
        assert_eq!(shape_of_type::<Nothing>(), Shape::Unit);
        assert_eq!(shape_of_type::<(String, u8)>(), Shape::Tuple);
        assert_eq!(shape_of_type::<(Chat,)>(), Shape::Tuple);
        assert_eq!(shape_of_type::<Vec<String>>(), Shape::Single);
        assert_eq!(shape_of_type::<Chat>(), Shape::Single);
        assert_eq!(shape_of_type::<Option<u8>>(), Shape::Single);
        assert_eq!(shape_of_type::<serde_json::Value>(), Shape::Single);
        assert_eq!(shape_of_type::<[u8; 2]>(), Shape::Tuple);
    }

    #[test]
    fn values_are_classified_the_same_way() {
        assert_eq!(shape_of_value(&()), Shape::Unit);
        assert_eq!(shape_of_value(&Nothing), Shape::Unit);
        assert_eq!(shape_of_value(&("a", 1)), Shape::Tuple);
        assert_eq!(shape_of_value(&vec![1]), Shape::Single);
        assert_eq!(shape_of_value("x"), Shape::Single);
        assert_eq!(shape_of_value(&Chat { text: "t".into() }), Shape::Single);
        assert_eq!(shape_of_value(&&("a", 1)), Shape::Tuple);
    }
}
