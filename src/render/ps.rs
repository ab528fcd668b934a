//! `ps` rows as docker compose v2 shows them: the same field names, value
//! formats and JSON, so programs written against `docker compose ps
//! --format json` read ours unchanged.
//!
//! Owns: turning a [`PsEntry`] into a [`PsRow`] (ports text, publishers,
//! labels, ages, quoting and truncation). No I/O: the clock and the local
//! time zone come in through [`Clock`].

use serde::Serialize;

use crate::compose::ps::PsEntry;
use crate::engine::{Health, PortSummary};

/// What a row needs from outside: the time now and the local zone.
pub struct Clock<'a> {
    /// Seconds since the Unix epoch.
    pub now: f64,
    /// The local zone at a Unix time: offset east of UTC in seconds and its
    /// abbreviation ("UTC", "CET").
    pub zone: &'a dyn Fn(i64) -> (i64, String),
}

/// One container, field for field as v2 prints it (fields in the order Go
/// sorts map keys, which is the order of v2's JSON).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PsRow {
    #[serde(rename = "Command")]
    pub command: String,
    #[serde(rename = "CreatedAt")]
    pub created_at: String,
    #[serde(rename = "ExitCode")]
    pub exit_code: i64,
    #[serde(rename = "Health")]
    pub health: String,
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Image")]
    pub image: String,
    #[serde(rename = "Labels")]
    pub labels: String,
    #[serde(rename = "LocalVolumes")]
    pub local_volumes: String,
    #[serde(rename = "Mounts")]
    pub mounts: String,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Names")]
    pub names: String,
    #[serde(rename = "Networks")]
    pub networks: String,
    #[serde(rename = "Ports")]
    pub ports: String,
    #[serde(rename = "Project")]
    pub project: String,
    #[serde(rename = "Publishers")]
    pub publishers: Vec<Publisher>,
    #[serde(rename = "RunningFor")]
    pub running_for: String,
    #[serde(rename = "Service")]
    pub service: String,
    #[serde(rename = "Size")]
    pub size: String,
    #[serde(rename = "State")]
    pub state: String,
    #[serde(rename = "Status")]
    pub status: String,
}

/// One port of a container: published (`published_port` > 0) or only
/// exposed (`url` empty, `published_port` 0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Publisher {
    #[serde(rename = "URL")]
    pub url: String,
    #[serde(rename = "TargetPort")]
    pub target_port: u16,
    #[serde(rename = "PublishedPort")]
    pub published_port: u16,
    #[serde(rename = "Protocol")]
    pub protocol: String,
}

impl PsRow {
    /// The row for `entry`; `trunc` shortens the id, command and mounts as
    /// v2 does unless `--no-trunc`.
    pub fn new(entry: &PsEntry, trunc: bool, clock: &Clock) -> PsRow {
        let c = &entry.container;
        let publishers = publishers(&c.ports);
        let command = if trunc { ellipsis(&c.command, 20) } else { c.command.clone() };
        let mounts: Vec<String> = c
            .mounts
            .iter()
            .map(|m| {
                let name = m.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| m.source.clone());
                if trunc {
                    ellipsis(&name, 15)
                } else {
                    name
                }
            })
            .collect();
        let (offset, zone) = (clock.zone)(c.created);
        PsRow {
            command: go_quote(&command),
            created_at: created_at(c.created, offset, &zone),
            exit_code: entry.exit_code,
            health: health(entry.health).into(),
            id: if trunc { c.id.chars().take(12).collect() } else { c.id.clone() },
            image: c.image.clone(),
            labels: labels(c.all_labels.iter()),
            local_volumes: c.mounts.iter().filter(|m| m.driver.as_deref() == Some("local")).count().to_string(),
            mounts: mounts.join(","),
            name: c.name.clone(),
            names: c.name.clone(),
            networks: c.networks.join(","),
            ports: ports_text(&publishers),
            project: c.labels.project.clone(),
            publishers,
            running_for: format!("{} ago", human_duration(clock.now - c.created as f64)),
            service: c.labels.service.clone(),
            // v2 never asks the engine for sizes, so it always shows zero.
            size: crate::engine::df::human_size(0),
            state: c.state.as_str().into(),
            status: c.status.clone(),
        }
    }

    /// One line of JSON, escaped as Go's encoder escapes (`<`, `>`, `&`,
    /// U+2028 and U+2029 as `\u` sequences).
    pub fn to_json(&self) -> String {
        go_json(&serde_json::to_value(self).expect("a row serialises"))
    }
}

/// JSON text of `value` with Go's HTML-safe escapes. The escaped characters
/// can only occur inside strings, so replacing them in the text is safe.
pub fn go_json(value: &serde_json::Value) -> String {
    let text = serde_json::to_string(value).expect("a value serialises");
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn health(h: Option<Health>) -> &'static str {
    match h {
        Some(Health::Starting) => "starting",
        Some(Health::Healthy) => "healthy",
        Some(Health::Unhealthy) => "unhealthy",
        None => "",
    }
}

/// Ports by container port; ties keep the engine's order.
pub fn publishers(ports: &[PortSummary]) -> Vec<Publisher> {
    let mut v: Vec<Publisher> = ports
        .iter()
        .map(|p| Publisher {
            url: p.ip.clone().unwrap_or_default(),
            target_port: p.private_port,
            published_port: p.public_port.unwrap_or(0),
            protocol: p.protocol.clone(),
        })
        .collect();
    v.sort_by_key(|p| p.target_port);
    v
}

/// The `PORTS` text: ports published on the same address and number as the
/// container's are grouped into ranges (`127.0.0.1:9000-9001->9000-9001/tcp`,
/// `80-81/tcp` for exposed ones); mappings to another number follow, one
/// each.
pub fn ports_text(publishers: &[Publisher]) -> String {
    let mut sorted = publishers.to_vec();
    sorted.sort_by(|a, b| (a.target_port, &a.url, a.published_port, &a.protocol).cmp(&(b.target_port, &b.url, b.published_port, &b.protocol)));
    // (address, protocol) -> open range, in the order first seen.
    let mut open: Vec<((String, String), u16, u16)> = Vec::new();
    let mut ranges = Vec::new();
    let mut mappings = Vec::new();
    for p in &sorted {
        if !p.url.is_empty() && p.published_port != p.target_port {
            mappings.push(format!("{}->{}/{}", host_port(&p.url, &p.published_port.to_string()), p.target_port, p.protocol));
            continue;
        }
        let key = (p.url.clone(), p.protocol.clone());
        match open.iter_mut().find(|(k, _, _)| *k == key) {
            None => open.push((key, p.target_port, p.target_port)),
            Some((_, _, last)) if p.target_port == last.wrapping_add(1) => *last = p.target_port,
            Some(range) => {
                ranges.push(range_text(&range.0, range.1, range.2));
                (range.1, range.2) = (p.target_port, p.target_port);
            }
        }
    }
    ranges.extend(open.iter().map(|(key, first, last)| range_text(key, *first, *last)));
    ranges.extend(mappings);
    ranges.join(", ")
}

fn range_text((url, protocol): &(String, String), first: u16, last: u16) -> String {
    let ports = if first == last { first.to_string() } else { format!("{first}-{last}") };
    match url.is_empty() {
        true => format!("{ports}/{protocol}"),
        false => format!("{}->{ports}/{protocol}", host_port(url, &ports)),
    }
}

/// `host:port`, with an IPv6 address in brackets.
fn host_port(host: &str, port: &str) -> String {
    match host.contains(':') {
        true => format!("[{host}]:{port}"),
        false => format!("{host}:{port}"),
    }
}

/// `key=value` pairs joined by commas, sorted by key (v2's order is Go's
/// random map order; any order reads the same).
pub fn labels<'a>(labels: impl Iterator<Item = (&'a String, &'a String)>) -> String {
    let mut pairs: Vec<String> = labels.map(|(k, v)| format!("{k}={v}")).collect();
    pairs.sort();
    pairs.join(",")
}

/// At most `width` characters, the last one `…` when cut.
pub fn ellipsis(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut cut: String = s.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// A string as Go's `strconv.Quote` writes it: in double quotes, with `"`,
/// `\` and control characters escaped, printable text as is.
pub fn go_quote(s: &str) -> String {
    let mut out = String::from('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An age the way the docker CLI words it ("Less than a second",
/// "About a minute", "3 hours", "2 weeks").
pub fn human_duration(seconds: f64) -> String {
    let secs = seconds.max(0.0);
    let s = secs as i64;
    let minutes = (secs / 60.0) as i64;
    let hours = (secs / 3600.0 + 0.5) as i64;
    match () {
        _ if s < 1 => "Less than a second".into(),
        _ if s == 1 => "1 second".into(),
        _ if s < 60 => format!("{s} seconds"),
        _ if minutes == 1 => "About a minute".into(),
        _ if minutes < 60 => format!("{minutes} minutes"),
        _ if hours == 1 => "About an hour".into(),
        _ if hours < 48 => format!("{hours} hours"),
        _ if hours < 24 * 7 * 2 => format!("{} days", hours / 24),
        _ if hours < 24 * 30 * 2 => format!("{} weeks", hours / 24 / 7),
        _ if hours < 24 * 365 * 2 => format!("{} months", hours / 24 / 30),
        _ => format!("{} years", (secs / 3600.0) as i64 / 24 / 365),
    }
}

/// A Unix time as Go's `Time.String` prints it in a zone:
/// `2024-05-01 09:30:00 +0200 CEST`.
pub fn created_at(unix: i64, offset: i64, zone: &str) -> String {
    let local = unix + offset;
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let sign = if offset < 0 { '-' } else { '+' };
    let off = offset.abs();
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} {sign}{:02}{:02} {zone}", secs / 3600, secs / 60 % 60, secs % 60, off / 3600, off / 60 % 60)
}

/// A moment as RFC 3339 in UTC, to the second: `2026-12-02T13:00:00Z`.
pub fn rfc3339_utc(at: std::time::SystemTime) -> String {
    let unix = at.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Year, month and day of a count of days since 1970-01-01 (proleptic
/// Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    // Shift to eras of 400 years starting on 0000-03-01.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests;
