//! File modes.
//!
//! Owns: reading a mode as octal (`0440`, `0o440`) or decimal, and printing
//! it as an octal string. It sets no mode on any file.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use crate::load::de::with_help;

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

plain_schema!(FileMode, "file_mode", {"type": ["string", "integer"], "description": "A file mode such as 0440"});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_modes_are_octal_with_a_leading_zero() {
        assert_eq!(FileMode::parse("0440").unwrap().0, 0o440);
        assert_eq!(FileMode::parse("0o400").unwrap().0, 0o400);
        assert_eq!(FileMode::parse("288").unwrap().0, 288);
        assert_eq!(serde_json::to_string(&FileMode(0o400)).unwrap(), "\"0400\"");
        assert!(FileMode::parse("09").is_err());
    }
}
