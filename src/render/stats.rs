//! `stats` rows as docker compose v2 prints them: the field names of its
//! `--format json` (`BlockIO`, `CPUPerc`, `Container`, `ID`, `MemPerc`,
//! `MemUsage`, `Name`, `NetIO`, `PIDs`, all strings), memory in binary
//! units to four significant digits (`1.777MiB / 23.54GiB`), traffic in
//! decimal units to three (`1.01kB / 0B`). No I/O.

use serde::Serialize;

use crate::compose::Usage;

/// v2's default columns.
pub const TABLE: &str = "{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

/// Column headers, as v2 names them.
pub const HEADERS: &[(&str, &str)] = &[
    ("ID", "CONTAINER ID"),
    ("Container", "CONTAINER"),
    ("Name", "NAME"),
    ("CPUPerc", "CPU %"),
    ("MemUsage", "MEM USAGE / LIMIT"),
    ("MemPerc", "MEM %"),
    ("NetIO", "NET I/O"),
    ("BlockIO", "BLOCK I/O"),
    ("PIDs", "PIDS"),
];

/// One container's row; the fields in v2's JSON order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatsRow {
    #[serde(rename = "BlockIO")]
    pub block_io: String,
    #[serde(rename = "CPUPerc")]
    pub cpu_perc: String,
    /// The full id.
    #[serde(rename = "Container")]
    pub container: String,
    /// The id, 12 characters unless not truncated.
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "MemPerc")]
    pub mem_perc: String,
    #[serde(rename = "MemUsage")]
    pub mem_usage: String,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "NetIO")]
    pub net_io: String,
    #[serde(rename = "PIDs")]
    pub pids: String,
}

impl StatsRow {
    pub fn new(id: &str, name: &str, u: &Usage, trunc: bool) -> StatsRow {
        StatsRow {
            block_io: format!("{} / {}", decimal(u.blk_read), decimal(u.blk_write)),
            cpu_perc: format!("{:.2}%", u.cpu_percent),
            container: id.to_string(),
            id: if trunc { id.chars().take(12).collect() } else { id.to_string() },
            mem_perc: format!("{:.2}%", u.mem_percent),
            mem_usage: format!("{} / {}", binary(u.mem_used), binary(u.mem_limit)),
            name: name.to_string(),
            net_io: format!("{} / {}", decimal(u.net_rx), decimal(u.net_tx)),
            pids: u.pids.to_string(),
        }
    }

    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a stats row serialises")
    }
}

/// Bytes in KiB, MiB, ... to four significant digits.
pub fn binary(bytes: u64) -> String {
    scaled(bytes, 1024.0, &["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"], 4)
}

/// Bytes in kB, MB, ... to three significant digits.
pub fn decimal(bytes: u64) -> String {
    scaled(bytes, 1000.0, &["B", "kB", "MB", "GB", "TB", "PB", "EB"], 3)
}

fn scaled(bytes: u64, base: f64, units: &[&str], digits: usize) -> String {
    let mut size = bytes as f64;
    let mut i = 0;
    while size >= base && i < units.len() - 1 {
        size /= base;
        i += 1;
    }
    format!("{}{}", go_g(size, digits), units[i])
}

/// `value` as Go's `%.{digits}g` writes it: `digits` significant digits,
/// trailing zeros dropped, an exponent only when the number needs one.
pub fn go_g(value: f64, digits: usize) -> String {
    if value == 0.0 {
        return "0".into();
    }
    let sci = format!("{:.*e}", digits.saturating_sub(1), value);
    let (mantissa, exp) = sci.split_once('e').expect("an exponent");
    let exp: i32 = exp.parse().expect("a number");
    let trim = |s: &str| if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s.to_string() };
    if exp < -4 || exp >= digits as i32 {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{}e{sign}{:02}", trim(mantissa), exp.abs());
    }
    let decimals = (digits as i32 - 1 - exp).max(0) as usize;
    trim(&format!("{value:.decimals$}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_as_v2_prints_them() {
        // Figures v2.40 printed for busybox containers on this engine.
        assert_eq!(binary(331_776), "324KiB");
        assert_eq!(binary(1_863_680), "1.777MiB");
        assert_eq!(binary(25_275_138_048), "23.54GiB");
        assert_eq!(binary(0), "0B");
        assert_eq!(decimal(516), "516B");
        assert_eq!(decimal(1010), "1.01kB");
        assert_eq!(decimal(0), "0B");
        assert_eq!(decimal(2_500_000), "2.5MB");
        assert_eq!(go_g(999.7, 3), "1e+03");
        assert_eq!(go_g(1023.0, 4), "1023");
    }

    #[test]
    fn a_row_has_v2s_json_fields_in_order() {
        let u = Usage { cpu_percent: 0.154, mem_used: 1_863_680, mem_limit: 25_275_138_048, mem_percent: 0.0074, net_rx: 1010, pids: 2, ..Usage::default() };
        let id = "444b9594497dae65ef68a568070b6303fc5913ab615c9a65900d4ab545a75a80";
        let json = crate::render::ps::go_json(&StatsRow::new(id, "v2s-web-1", &u, true).to_value());
        assert_eq!(
            json,
            r#"{"BlockIO":"0B / 0B","CPUPerc":"0.15%","Container":"444b9594497dae65ef68a568070b6303fc5913ab615c9a65900d4ab545a75a80","ID":"444b9594497d","MemPerc":"0.01%","MemUsage":"1.777MiB / 23.54GiB","Name":"v2s-web-1","NetIO":"1.01kB / 0B","PIDs":"2"}"#
        );
    }
}
