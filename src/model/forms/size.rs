//! Byte sizes.
//!
//! Owns: parsing a number of bytes or a size with a unit (`512m`, `1g`,
//! `100kb`) and printing it as a string of bytes. It checks no size against
//! the host.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use super::ScalarText;
use crate::load::de::with_help;

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

plain_schema!(ByteSize, "byte_size", {"type": ["string", "integer"], "description": "A size in bytes, or with a unit: 512m, 1g"});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes() {
        assert_eq!(ByteSize::parse("512m").unwrap().0, 512 << 20);
        assert_eq!(ByteSize::parse("1G").unwrap().0, 1 << 30);
        assert_eq!(ByteSize::parse("100kb").unwrap().0, 100 << 10);
        assert_eq!(ByteSize::parse("2048").unwrap().0, 2048);
        assert!(ByteSize::parse("12q").is_err());
        assert!(ByteSize::parse("1e400").is_err());
    }
}
