//! Value forms that compose accepts in more than one spelling: command
//! strings or lists, list-or-mapping environments, Go-style durations, byte
//! sizes. Each type parses every accepted spelling and serializes in the one
//! canonical form `docker compose config` prints.
//!
//! Owns: parsing and printing of these small value types. No I/O.

use std::fmt;
use std::time::Duration as StdDuration;

use indexmap::IndexMap;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use crate::load::de::with_help;

/// Accepts any scalar (string, number, boolean) as its text.
pub struct ScalarText(pub Option<String>);

impl<'de> Deserialize<'de> for ScalarText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ScalarText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ScalarText, E> {
                Ok(ScalarText(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ScalarText, E> {
                Ok(ScalarText(Some(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ScalarText, E> {
                Ok(ScalarText(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ScalarText, E> {
                Ok(ScalarText(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ScalarText, E> {
                Ok(ScalarText(Some(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<ScalarText, E> {
                Ok(ScalarText(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<ScalarText, E> {
                Ok(ScalarText(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A command: a string (split like a shell does) or a list of arguments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct Command(pub Vec<String>);

impl<'de> Deserialize<'de> for Command {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Command;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a command string or a list of arguments")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Command, E> {
                shell_words::split(v).map(Command).map_err(|_| {
                    E::custom(with_help(
                        format!("cannot split command `{v}`: unbalanced quotes"),
                        "close the quote, or write the command as a list of arguments",
                    ))
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Command, A::Error> {
                text_list(seq).map(Command)
            }
        }
        d.deserialize_any(V)
    }
}

fn text_list<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Vec<String>, A::Error> {
    let mut out = Vec::new();
    while let Some(ScalarText(t)) = seq.next_element()? {
        out.push(t.unwrap_or_default());
    }
    Ok(out)
}

/// A single string or a list of strings (`dns`, `tmpfs`, `env_file`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Default)]
pub struct StringList(pub Vec<String>);

impl<'de> Deserialize<'de> for StringList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StringList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StringList, E> {
                Ok(StringList(vec![v.to_string()]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<StringList, E> {
                Ok(StringList(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<StringList, A::Error> {
                text_list(seq).map(StringList)
            }
        }
        d.deserialize_any(V)
    }
}

/// A list of scalars, each taken as text (`expose: [80, "443"]`).
pub fn text_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Vec<String>, A::Error> {
            text_list(seq)
        }
    }
    d.deserialize_seq(V)
}

/// `KEY=VALUE` list or mapping; a key without a value maps to `None`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ListOrDict(pub IndexMap<String, Option<String>>);

impl<'de> Deserialize<'de> for ListOrDict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ListOrDict;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping or a list of KEY=VALUE strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ListOrDict, A::Error> {
                let mut out = IndexMap::new();
                for item in text_list(seq)? {
                    match item.split_once('=') {
                        Some((k, v)) => out.insert(k.to_string(), Some(v.to_string())),
                        None => out.insert(item, None),
                    };
                }
                Ok(ListOrDict(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ListOrDict, A::Error> {
                let mut out = IndexMap::new();
                while let Some((k, ScalarText(v))) = map.next_entry::<String, ScalarText>()? {
                    out.insert(k, v);
                }
                Ok(ListOrDict(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A mapping or `KEY=VALUE` list where a missing value means empty text
/// (labels, sysctls, annotations).
pub fn string_map<'de, D: Deserializer<'de>>(d: D) -> Result<IndexMap<String, String>, D::Error> {
    let ListOrDict(m) = ListOrDict::deserialize(d)?;
    Ok(m.into_iter().map(|(k, v)| (k, v.unwrap_or_default())).collect())
}

/// `environment`-style map; keeps `None` for keys without a value.
pub fn env_map<'de, D: Deserializer<'de>>(d: D) -> Result<IndexMap<String, Option<String>>, D::Error> {
    ListOrDict::deserialize(d).map(|l| l.0)
}

/// A file mode: `0440` and `0o440` are octal, other numbers decimal;
/// printed as an octal string with a leading 0, as docker compose does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct FileMode(pub u32);

impl FileMode {
    pub fn parse(text: &str) -> Result<FileMode, String> {
        let t = text.trim();
        let parsed = if let Some(oct) = t.strip_prefix("0o") {
            u32::from_str_radix(oct, 8)
        } else if t.len() > 1 && t.starts_with('0') {
            u32::from_str_radix(&t[1..], 8)
        } else {
            t.parse::<u32>()
        };
        parsed.map(FileMode).map_err(|_| format!("invalid file mode `{text}`"))
    }
}

impl Serialize for FileMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("0{:o}", self.0))
    }
}

impl<'de> Deserialize<'de> for FileMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The text as written: `0440` must not become the number 440 first.
        let text = String::deserialize(d)?;
        FileMode::parse(&text).map_err(|e| de::Error::custom(with_help(e, "write an octal mode such as 0440")))
    }
}

/// `extra_hosts` as docker compose prints them: `host=ip` strings, by host.
pub fn host_list<S: Serializer>(m: &IndexMap<String, Vec<String>>, s: S) -> Result<S::Ok, S::Error> {
    let sorted: std::collections::BTreeMap<&String, &Vec<String>> = m.iter().collect();
    let list: Vec<String> = sorted.iter().flat_map(|(h, ips)| ips.iter().map(move |ip| format!("{h}={ip}"))).collect();
    list.serialize(s)
}

/// Serializes a map with its keys sorted, as Go prints maps.
pub fn sorted_map<S: Serializer, V: Serialize>(m: &IndexMap<String, V>, s: S) -> Result<S::Ok, S::Error> {
    let sorted: std::collections::BTreeMap<&String, &V> = m.iter().collect();
    sorted.serialize(s)
}

/// A Go-style duration (`1m30s`, `500ms`, `2h`), printed the way Go does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Duration(pub StdDuration);

impl Duration {
    /// Parses `[-]N[.N]unit...` with units ns, us, µs, ms, s, m, h; a bare
    /// number is taken as seconds.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("empty duration".into());
        }
        if let Ok(secs) = t.parse::<f64>() {
            if secs >= 0.0 && secs.is_finite() {
                return Ok(Duration(StdDuration::from_secs_f64(secs)));
            }
        }
        let mut total: f64 = 0.0;
        let mut rest = t;
        while !rest.is_empty() {
            let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
            if num_len == 0 {
                return Err(format!("invalid duration `{text}`"));
            }
            let n: f64 = rest[..num_len].parse().map_err(|_| format!("invalid duration `{text}`"))?;
            rest = &rest[num_len..];
            let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
            let nanos_per = match &rest[..unit_len] {
                "ns" => 1.0,
                "us" | "µs" | "μs" => 1e3,
                "ms" => 1e6,
                "s" => 1e9,
                "m" => 60e9,
                "h" => 3600e9,
                "" => return Err(format!("missing unit in duration `{text}`")),
                u => return Err(format!("unknown unit `{u}` in duration `{text}`")),
            };
            total += n * nanos_per;
            rest = &rest[unit_len..];
        }
        if !total.is_finite() || total > u64::MAX as f64 {
            return Err(format!("duration `{text}` is too large"));
        }
        Ok(Duration(StdDuration::from_nanos(total.round() as u64)))
    }
}

impl fmt::Display for Duration {
    /// Go's `time.Duration.String()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        if nanos == 0 {
            return f.write_str("0s");
        }
        if nanos < 1_000 {
            return write!(f, "{nanos}ns");
        }
        if nanos < 1_000_000 {
            return write!(f, "{}µs", trim_fraction(nanos, 1_000));
        }
        if nanos < 1_000_000_000 {
            return write!(f, "{}ms", trim_fraction(nanos, 1_000_000));
        }
        let hours = nanos / 3_600_000_000_000;
        let minutes = (nanos / 60_000_000_000) % 60;
        let secs_nanos = nanos % 60_000_000_000;
        let mut out = String::new();
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        if hours > 0 || minutes > 0 {
            out.push_str(&format!("{minutes}m"));
        }
        out.push_str(&format!("{}s", trim_fraction(secs_nanos, 1_000_000_000)));
        f.write_str(&out)
    }
}

fn trim_fraction(value: u128, unit: u128) -> String {
    let whole = value / unit;
    let frac = value % unit;
    if frac == 0 {
        return whole.to_string();
    }
    let width = unit.to_string().len() - 1;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let ScalarText(text) = ScalarText::deserialize(d)?;
        let text = text.unwrap_or_default();
        Duration::parse(&text).map_err(|e| de::Error::custom(with_help(e, "write a duration like `30s`, `1m30s`, `500ms` or `2h`")))
    }
}

/// A byte count given as a number or with a unit (`512m`, `1g`, `100kb`).
/// Printed as a string of bytes, as docker compose does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct ByteSize(pub u64);

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl ByteSize {
    pub fn parse(text: &str) -> Result<ByteSize, String> {
        let t = text.trim().to_ascii_lowercase();
        let num_len = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
        let (num, unit) = t.split_at(num_len);
        let n: f64 = num.parse().map_err(|_| format!("invalid size `{text}`"))?;
        let mult: u64 = match unit.trim() {
            "" | "b" => 1,
            "k" | "kb" | "kib" => 1 << 10,
            "m" | "mb" | "mib" => 1 << 20,
            "g" | "gb" | "gib" => 1 << 30,
            "t" | "tb" | "tib" => 1 << 40,
            "p" | "pb" | "pib" => 1 << 50,
            u => return Err(format!("unknown unit `{u}` in size `{text}`")),
        };
        let bytes = n * mult as f64;
        if !bytes.is_finite() || bytes > i64::MAX as f64 {
            return Err(format!("size `{text}` is too large"));
        }
        Ok(ByteSize(bytes as u64))
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let ScalarText(text) = ScalarText::deserialize(d)?;
        ByteSize::parse(&text.unwrap_or_default()).map_err(|e| de::Error::custom(with_help(e, "write a size like `512m`, `1g` or a number of bytes")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_print_like_go() {
        for (input, shown) in [
            ("1m30s", "1m30s"),
            ("90s", "1m30s"),
            ("10s", "10s"),
            ("500ms", "500ms"),
            ("1.5s", "1.5s"),
            ("2h", "2h0m0s"),
            ("1h2m3s", "1h2m3s"),
            ("0s", "0s"),
            ("100us", "100µs"),
            ("30", "30s"),
        ] {
            assert_eq!(Duration::parse(input).unwrap().to_string(), shown, "{input}");
        }
        assert!(Duration::parse("10x").is_err());
        assert!(Duration::parse("s").is_err());
        assert!(Duration::parse("").is_err());
        assert!(Duration::parse("5").is_ok());
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(ByteSize::parse("512m").unwrap().0, 512 << 20);
        assert_eq!(ByteSize::parse("1G").unwrap().0, 1 << 30);
        assert_eq!(ByteSize::parse("100kb").unwrap().0, 100 << 10);
        assert_eq!(ByteSize::parse("2048").unwrap().0, 2048);
        assert!(ByteSize::parse("12q").is_err());
        assert!(ByteSize::parse("1e400").is_err());
    }

    #[test]
    fn file_modes_are_octal_with_a_leading_zero() {
        assert_eq!(FileMode::parse("0440").unwrap().0, 0o440);
        assert_eq!(FileMode::parse("0o400").unwrap().0, 0o400);
        assert_eq!(FileMode::parse("288").unwrap().0, 288);
        assert_eq!(serde_json::to_string(&FileMode(0o400)).unwrap(), "\"0400\"");
        assert!(FileMode::parse("09").is_err());
    }
}

macro_rules! plain_schema {
    ($ty:ty, $name:literal, $schema:tt) => {
        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!($schema)
            }
        }
    };
}

plain_schema!(Command, "command", {"oneOf": [{"type": "null"}, {"type": "string"}, {"type": "array", "items": {"type": "string"}}]});
plain_schema!(StringList, "string_or_list", {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]});
plain_schema!(Duration, "duration", {"type": ["string", "number"], "description": "A duration such as 30s, 1m30s, 500ms or 2h"});
plain_schema!(FileMode, "file_mode", {"type": ["string", "integer"], "description": "A file mode such as 0440"});
plain_schema!(ByteSize, "byte_size", {"type": ["string", "integer"], "description": "A size in bytes, or with a unit: 512m, 1g"});
