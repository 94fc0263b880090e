//! A deserializer wrapper that puts binary attachments back where their placeholders are.
//!
//! A binary Socket.IO packet carries `{"_placeholder":true,"num":N}` objects in its JSON and
//! the bytes of attachment `N` next to it. [`Binary`] wraps a serde_json deserializer (or a
//! `serde_json::Value`, for replayed entries) and forwards every call to it unchanged, except:
//!
//! - a value asked for as bytes (`deserialize_bytes`/`deserialize_byte_buf`: `serde_bytes`,
//!   `bytes::Bytes`) that is a placeholder object is visited as the attachment's bytes;
//! - a value asked for as a sequence (a plain `Vec<u8>`) or through `deserialize_any`
//!   (`serde_json::Value`, untagged enums) that is a placeholder is visited as a sequence of
//!   `u8`, as `serde_json::to_value` writes bytes.
//!
//! Nested values pass through the wrapper too (sequences, maps, options, newtypes, enums), so
//! placeholders are found at any depth. Only objects whose first key is `_placeholder` or `num`
//! are buffered to be checked; every other object streams through untouched.

use std::fmt;

use bytes::Bytes;
use serde::de::value::SeqDeserializer;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, Error as _, IntoDeserializer, MapAccess,
    SeqAccess, VariantAccess, Visitor,
};

/// Deserializes from `inner`, reinserting `attachments` at their placeholders.
pub(crate) struct Binary<'a, D> {
    pub(crate) inner: D,
    pub(crate) attachments: &'a [Bytes],
}

/// What the target asked for, which decides what a placeholder turns into.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    /// A typed request (struct, string, number...): passed through; objects are not checked.
    Plain,
    /// Bytes: a placeholder becomes `visit_byte_buf`.
    Bytes,
    /// A sequence or anything: a placeholder becomes a sequence of `u8`.
    SeqOrAny,
}

impl<'a, D> Binary<'a, D> {
    fn wrap<V>(&self, visitor: V, want: Want) -> Wrap<'a, V> {
        Wrap {
            inner: visitor,
            attachments: self.attachments,
            want,
        }
    }
}

macro_rules! forward_plain {
    ($($method:ident),*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            let wrapped = self.wrap(visitor, Want::Plain);
            self.inner.$method(wrapped)
        })*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Binary<'_, D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let wrapped = self.wrap(visitor, Want::SeqOrAny);
        self.inner.deserialize_any(wrapped)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let wrapped = self.wrap(visitor, Want::SeqOrAny);
        self.inner.deserialize_any(wrapped)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let wrapped = self.wrap(visitor, Want::Bytes);
        self.inner.deserialize_any(wrapped)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let wrapped = self.wrap(visitor, Want::Bytes);
        self.inner.deserialize_any(wrapped)
    }

    forward_plain!(
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_option,
        deserialize_unit,
        deserialize_map,
        deserialize_identifier,
        deserialize_ignored_any
    );

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let wrapped = self.wrap(visitor, Want::Plain);
        self.inner.deserialize_unit_struct(name, wrapped)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let wrapped = self.wrap(visitor, Want::Plain);
        self.inner.deserialize_newtype_struct(name, wrapped)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let wrapped = self.wrap(visitor, Want::Plain);
        self.inner.deserialize_tuple(len, wrapped)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let wrapped = self.wrap(visitor, Want::Plain);
        self.inner.deserialize_tuple_struct(name, len, wrapped)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let wrapped = self.wrap(visitor, Want::Plain);
        self.inner.deserialize_struct(name, fields, wrapped)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let wrapped = self.wrap(visitor, Want::Plain);
        self.inner.deserialize_enum(name, variants, wrapped)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// A seed that deserializes its value through [`Binary`].
struct WrapSeed<'a, S> {
    seed: S,
    attachments: &'a [Bytes],
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for WrapSeed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Binary {
            inner: deserializer,
            attachments: self.attachments,
        })
    }
}

/// The target's visitor, seeing nested values through [`Binary`] and placeholders as bytes.
struct Wrap<'a, V> {
    inner: V,
    attachments: &'a [Bytes],
    want: Want,
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty)),*) => {
        $(fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.inner.$method(v)
        })*
    };
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.expecting(f)
    }

    forward_visit!(
        visit_bool(bool),
        visit_i8(i8),
        visit_i16(i16),
        visit_i32(i32),
        visit_i64(i64),
        visit_i128(i128),
        visit_u8(u8),
        visit_u16(u16),
        visit_u32(u32),
        visit_u64(u64),
        visit_u128(u128),
        visit_f32(f32),
        visit_f64(f64),
        visit_char(char),
        visit_str(&str),
        visit_borrowed_str(&'de str),
        visit_string(String),
        visit_bytes(&[u8]),
        visit_borrowed_bytes(&'de [u8]),
        visit_byte_buf(Vec<u8>)
    );

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Binary {
            inner: deserializer,
            attachments: self.attachments,
        })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Binary {
            inner: deserializer,
            attachments: self.attachments,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.inner.visit_seq(WrapSeq {
            inner: seq,
            attachments: self.attachments,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        if self.want == Want::Plain {
            return self.inner.visit_map(WrapMap {
                first_key: None,
                inner: map,
                attachments: self.attachments,
            });
        }
        let first: Option<String> = map.next_key()?;
        match first {
            Some(key) if key == "_placeholder" || key == "num" => self.visit_candidate(key, map),
            first_key => {
                if self.want == Want::Bytes {
                    return Err(A::Error::invalid_type(de::Unexpected::Map, &self.inner));
                }
                self.inner.visit_map(WrapMap {
                    first_key,
                    inner: map,
                    attachments: self.attachments,
                })
            }
        }
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(WrapEnum {
            inner: data,
            attachments: self.attachments,
        })
    }
}

impl<'de, V: Visitor<'de>> Wrap<'_, V> {
    /// An object that starts like a placeholder: read it whole, then hand over the bytes, or
    /// replay its entries if it is an ordinary object after all.
    fn visit_candidate<A: MapAccess<'de>>(
        self,
        first_key: String,
        mut map: A,
    ) -> Result<V::Value, A::Error> {
        let mut entries = vec![(first_key, map.next_value::<serde_json::Value>()?)];
        while let Some((key, value)) = map.next_entry::<String, serde_json::Value>()? {
            entries.push((key, value));
        }
        if let Some(bytes) = placeholder_target(&entries, self.attachments) {
            return match self.want {
                Want::Bytes => self.inner.visit_byte_buf(bytes.to_vec()),
                _ => self
                    .inner
                    .visit_seq(SeqDeserializer::<_, A::Error>::new(bytes.iter().copied())),
            };
        }
        if self.want == Want::Bytes {
            return Err(A::Error::invalid_type(de::Unexpected::Map, &self.inner));
        }
        self.inner.visit_map(Replay {
            entries: entries.into_iter(),
            value: None,
            attachments: self.attachments,
            error: std::marker::PhantomData,
        })
    }
}

/// The attachment a placeholder object points to (socket.io-parser's rule: `_placeholder` is
/// `true` and `num` a valid index; when keys repeat, the last one counts, as in `JSON.parse`).
fn placeholder_target<'a>(
    entries: &[(String, serde_json::Value)],
    attachments: &'a [Bytes],
) -> Option<&'a Bytes> {
    let last = |name: &str| {
        entries
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    };
    if last("_placeholder")? != &serde_json::Value::Bool(true) {
        return None;
    }
    let num = last("num")?.as_u64()?;
    attachments.get(usize::try_from(num).ok()?)
}

struct WrapSeq<'a, A> {
    inner: A,
    attachments: &'a [Bytes],
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for WrapSeq<'_, A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        self.inner.next_element_seed(WrapSeed {
            seed,
            attachments: self.attachments,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// A map whose first key may already have been read.
struct WrapMap<'a, A> {
    first_key: Option<String>,
    inner: A,
    attachments: &'a [Bytes],
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for WrapMap<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.first_key.take() {
            Some(key) => seed
                .deserialize(IntoDeserializer::<A::Error>::into_deserializer(key))
                .map(Some),
            None => self.inner.next_key_seed(seed),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.inner.next_value_seed(WrapSeed {
            seed,
            attachments: self.attachments,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

/// The entries of an object that looked like a placeholder but was not one.
struct Replay<'a, E> {
    entries: std::vec::IntoIter<(String, serde_json::Value)>,
    value: Option<serde_json::Value>,
    attachments: &'a [Bytes],
    error: std::marker::PhantomData<E>,
}

impl<'de, E: de::Error> MapAccess<'de> for Replay<'_, E> {
    type Error = E;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, E> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(IntoDeserializer::<E>::into_deserializer(key))
            .map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, E> {
        let value = self
            .value
            .take()
            .ok_or_else(|| E::custom("value requested before its key"))?;
        seed.deserialize(Binary {
            inner: value,
            attachments: self.attachments,
        })
        .map_err(E::custom)
    }
}

struct WrapEnum<'a, A> {
    inner: A,
    attachments: &'a [Bytes],
}

impl<'de, 'a, A: EnumAccess<'de>> EnumAccess<'de> for WrapEnum<'a, A> {
    type Error = A::Error;
    type Variant = WrapVariant<'a, A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let (value, variant) = self.inner.variant_seed(seed)?;
        Ok((
            value,
            WrapVariant {
                inner: variant,
                attachments: self.attachments,
            },
        ))
    }
}

struct WrapVariant<'a, A> {
    inner: A,
    attachments: &'a [Bytes],
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for WrapVariant<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        self.inner.newtype_variant_seed(WrapSeed {
            seed,
            attachments: self.attachments,
        })
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.inner.tuple_variant(
            len,
            Wrap {
                inner: visitor,
                attachments: self.attachments,
                want: Want::Plain,
            },
        )
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.inner.struct_variant(
            fields,
            Wrap {
                inner: visitor,
                attachments: self.attachments,
                want: Want::Plain,
            },
        )
    }
}
