//! A serde `Deserializer` over [`Node`] trees that pins every error to a span.
//!
//! Owns: typing plain scalars (null, booleans, numbers) the way compose does,
//! skipping `x-` extension keys inside typed structs, and attaching the span of
//! the innermost offending node (or key) to every error, with a did-you-mean
//! for unknown keys. No I/O. The error type and its help texts are in
//! `error`.

mod error;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use super::node::{Kind, Node};

pub use error::{did_you_mean, with_help, DeError, HELP_MARKER};

/// Deserializes `T` from `node`.
pub fn from_node<'de, T: de::Deserialize<'de>>(node: &Node) -> Result<T, DeError> {
    T::deserialize(NodeDe { node }).map_err(|e| e.or_span(node.span))
}

#[derive(Clone, Copy)]
pub struct NodeDe<'a> {
    pub node: &'a Node,
}

/// Plain scalar typing, as compose's YAML reader does.
enum Typed<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(&'a str),
}

fn type_plain(text: &str) -> Typed<'_> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Typed::Null,
        "true" | "True" | "TRUE" => return Typed::Bool(true),
        "false" | "False" | "FALSE" => return Typed::Bool(false),
        _ => {}
    }
    let looks_numeric = text.bytes().next().is_some_and(|b| b.is_ascii_digit() || b == b'-' || b == b'+' || b == b'.');
    if looks_numeric {
        if let Ok(u) = text.parse::<u64>() {
            return Typed::Uint(u);
        }
        if let Ok(i) = text.parse::<i64>() {
            return Typed::Int(i);
        }
        if let Some(hex) = text.strip_prefix("0x") {
            if let Ok(u) = u64::from_str_radix(hex, 16) {
                return Typed::Uint(u);
            }
        }
        if let Some(oct) = text.strip_prefix("0o") {
            if let Ok(u) = u64::from_str_radix(oct, 8) {
                return Typed::Uint(u);
            }
        }
        if text.bytes().any(|b| b.is_ascii_digit()) && !text.contains(':') {
            if let Ok(f) = text.parse::<f64>() {
                if f.is_finite() {
                    return Typed::Float(f);
                }
            }
        }
    }
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" => Typed::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Typed::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => Typed::Float(f64::NAN),
        _ => Typed::Str(text),
    }
}

macro_rules! number_method {
    ($method:ident, $ty:ty, $visit:ident, $what:literal) => {
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            let span = self.node.span;
            match &self.node.kind {
                Kind::Scalar(s) if !s.is_null() => {
                    let text = s.text.trim();
                    match text.parse::<$ty>() {
                        Ok(n) => visitor.$visit(n),
                        Err(_) => Err(DeError {
                            code: "rcompose::wrong_type",
                            message: format!("expected {}, found `{}`", $what, s.text),
                            span: Some(span),
                            help: None,
                        }),
                    }
                }
                _ => Err(de::Error::invalid_type(self.unexpected(), &$what)),
            }
            .map_err(|e: DeError| e.or_span(span))
        }
    };
}

impl<'a> NodeDe<'a> {
    fn unexpected(&self) -> de::Unexpected<'a> {
        match &self.node.kind {
            Kind::Map(_) => de::Unexpected::Map,
            Kind::Seq(_) => de::Unexpected::Seq,
            Kind::Scalar(s) if s.is_null() => de::Unexpected::Unit,
            Kind::Scalar(s) => de::Unexpected::Str(&s.text),
        }
    }
}

impl<'de, 'a> de::Deserializer<'de> for NodeDe<'a> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let span = self.node.span;
        match &self.node.kind {
            Kind::Scalar(s) if s.plain => match type_plain(&s.text) {
                Typed::Null => visitor.visit_unit(),
                Typed::Bool(b) => visitor.visit_bool(b),
                Typed::Int(i) => visitor.visit_i64(i),
                Typed::Uint(u) => visitor.visit_u64(u),
                Typed::Float(f) => visitor.visit_f64(f),
                Typed::Str(t) => visitor.visit_str(t),
            },
            Kind::Scalar(s) => visitor.visit_str(&s.text),
            Kind::Seq(items) => visitor.visit_seq(Seq { items: items.iter() }),
            Kind::Map(map) => visitor.visit_map(Entries::new(map, false)),
        }
        .map_err(|e| e.or_span(span))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let span = self.node.span;
        match &self.node.kind {
            Kind::Scalar(s) => match s.text.as_str() {
                "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => visitor.visit_bool(true),
                "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => visitor.visit_bool(false),
                _ => Err(de::Error::invalid_type(self.unexpected(), &"a boolean (true or false)")),
            },
            _ => Err(de::Error::invalid_type(self.unexpected(), &"a boolean (true or false)")),
        }
        .map_err(|e: DeError| DeError { help: Some("write `true` or `false`".into()), ..e.or_span(span) })
    }

    number_method!(deserialize_i8, i8, visit_i8, "a small integer");
    number_method!(deserialize_i16, i16, visit_i16, "an integer");
    number_method!(deserialize_i32, i32, visit_i32, "an integer");
    number_method!(deserialize_i64, i64, visit_i64, "an integer");
    number_method!(deserialize_u8, u8, visit_u8, "a small non-negative integer");
    number_method!(deserialize_u16, u16, visit_u16, "an integer from 0 to 65535");
    number_method!(deserialize_u32, u32, visit_u32, "a non-negative integer");
    number_method!(deserialize_u64, u64, visit_u64, "a non-negative integer");
    number_method!(deserialize_f32, f32, visit_f32, "a number");
    number_method!(deserialize_f64, f64, visit_f64, "a number");

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let span = self.node.span;
        match &self.node.kind {
            Kind::Scalar(s) if !s.is_null() => visitor.visit_str(&s.text),
            _ => Err(de::Error::invalid_type(self.unexpected(), &"a string")),
        }
        .map_err(|e: DeError| e.or_span(span))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            visitor.visit_unit()
        } else {
            Err(<DeError as de::Error>::invalid_type(self.unexpected(), &"null").or_span(self.node.span))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        let span = self.node.span;
        visitor.visit_newtype_struct(self).map_err(|e| e.or_span(span))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let span = self.node.span;
        match &self.node.kind {
            Kind::Seq(items) => visitor.visit_seq(Seq { items: items.iter() }),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
        .map_err(|e: DeError| e.or_span(span))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _name: &'static str, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let span = self.node.span;
        match &self.node.kind {
            Kind::Map(map) => visitor.visit_map(Entries::new(map, false)),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
        .map_err(|e: DeError| e.or_span(span))
    }

    fn deserialize_struct<V: Visitor<'de>>(self, _name: &'static str, _fields: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        let span = self.node.span;
        match &self.node.kind {
            Kind::Map(map) => visitor.visit_map(Entries::new(map, true)),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
        .map_err(|e: DeError| e.or_span(span))
    }

    fn deserialize_enum<V: Visitor<'de>>(self, _name: &'static str, _variants: &'static [&'static str], visitor: V) -> Result<V::Value, DeError> {
        let span = self.node.span;
        match &self.node.kind {
            Kind::Scalar(s) if !s.is_null() => visitor.visit_enum(IntoDeserializer::<DeError>::into_deserializer(s.text.as_str())),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
        .map_err(|e: DeError| e.or_span(span))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct Seq<'a> {
    items: std::slice::Iter<'a, Node>,
}

impl<'de, 'a> SeqAccess<'de> for Seq<'a> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some(node) => seed.deserialize(NodeDe { node }).map(Some).map_err(|e| e.or_span(node.span)),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Entries<'a> {
    entries: Vec<&'a super::node::Entry>,
    next: usize,
}

impl<'a> Entries<'a> {
    fn new(map: &'a super::node::Map, skip_extensions: bool) -> Self {
        let entries = map.iter().filter(|e| !(skip_extensions && e.key.starts_with("x-"))).collect();
        Entries { entries, next: 0 }
    }
}

impl<'de, 'a> MapAccess<'de> for Entries<'a> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let Some(entry) = self.entries.get(self.next) else { return Ok(None) };
        let key: de::value::StrDeserializer<'_, DeError> = entry.key.as_str().into_deserializer();
        seed.deserialize(key).map(Some).map_err(|e| e.or_span(entry.key_span))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let entry = self.entries[self.next];
        self.next += 1;
        seed.deserialize(NodeDe { node: &entry.value }).map_err(|e| e.or_span(entry.value.span))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len() - self.next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::source::SourceMap;
    use crate::load::yaml;
    use serde::Deserialize;
    use std::path::Path;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct Svc {
        image: Option<String>,
        #[serde(default)]
        ports: Vec<u16>,
        init: Option<bool>,
    }

    fn node(text: &str) -> (SourceMap, Node) {
        let mut map = SourceMap::new();
        let id = map.add(Path::new("t.yaml"), "t.yaml".into(), text.into());
        let n = yaml::parse(id, map.get(id)).unwrap().remove(0);
        (map, n)
    }

    #[test]
    fn unknown_key_points_at_key_with_suggestion() {
        let (map, n) = node("image: x\nimgae: y\n");
        let err = from_node::<Svc>(&n).unwrap_err();
        assert_eq!(err.code, "rcompose::unknown_key");
        assert_eq!(map.location(err.span.unwrap()), "t.yaml:2:1");
        assert!(err.help.unwrap().contains("`image`"));
    }

    #[test]
    fn wrong_type_points_at_value() {
        let (map, n) = node("image: x\nports:\n  - 80\n  - lots\n");
        let err = from_node::<Svc>(&n).unwrap_err();
        assert_eq!(map.location(err.span.unwrap()), "t.yaml:4:5");
        assert!(err.message.contains("lots"), "{}", err.message);
    }

    #[test]
    fn extension_keys_are_skipped_in_structs() {
        let (_, n) = node("image: x\nx-note: hi\ninit: yes\n");
        let svc = from_node::<Svc>(&n).unwrap();
        assert_eq!(svc.init, Some(true));
        assert_eq!(svc.image.as_deref(), Some("x"));
        assert!(svc.ports.is_empty());
    }
}
