//! Go-style durations.
//!
//! Owns: parsing `1m30s`, `500ms`, `2h` (or a bare number of seconds) and
//! printing the way Go's `time.Duration` does. No clock and no waiting.

use std::fmt;
use std::time::Duration as StdDuration;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use super::ScalarText;
use crate::load::de::with_help;

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

plain_schema!(Duration, "duration", {"type": ["string", "number"], "description": "A duration such as 30s, 1m30s, 500ms or 2h"});

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
}
