//! Volume sizes as the engine reports them (`GET /system/df`).
//!
//! bollard parses only the newest shape of this answer (`VolumeUsage.Items`,
//! API 1.52+); engines before that answer with a `Volumes` list, each entry
//! carrying `UsageData.Size`. So this one request is made by hand over the
//! engine's socket, and both shapes are read. Sizes are a nicety: any failure
//! yields an empty map and a debug log line, never an error.

use std::collections::HashMap;
use std::time::Duration;

use serde::Deserialize;

/// The size in bytes of every volume whose size the engine knows.
pub async fn volume_sizes(host: &str) -> HashMap<String, u64> {
    match tokio::time::timeout(Duration::from_secs(60), fetch(host)).await {
        Ok(Ok(body)) => parse(&body),
        Ok(Err(e)) => {
            tracing::debug!("volume sizes unavailable: {e}");
            HashMap::new()
        }
        Err(_) => {
            tracing::debug!("volume sizes unavailable: the engine took over 60 s");
            HashMap::new()
        }
    }
}

async fn fetch(host: &str) -> std::io::Result<Vec<u8>> {
    let answer = super::raw::get(host, "/system/df?type=volume&verbose=1").await?;
    if answer.status != 200 {
        return Err(std::io::Error::other(format!("engine answered {}", answer.status)));
    }
    Ok(answer.body)
}

#[derive(Deserialize, Default)]
struct Answer {
    #[serde(rename = "Volumes", default)]
    volumes: Option<Vec<VolumeEntry>>,
    #[serde(rename = "VolumeUsage", default)]
    volume_usage: Option<Usage>,
}

#[derive(Deserialize, Default)]
struct Usage {
    #[serde(rename = "Items", default)]
    items: Option<Vec<VolumeEntry>>,
}

#[derive(Deserialize)]
struct VolumeEntry {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "UsageData", default)]
    usage: Option<UsageData>,
}

#[derive(Deserialize)]
struct UsageData {
    #[serde(rename = "Size")]
    size: i64,
}

/// Reads either shape of the answer; a size of -1 means "not known".
fn parse(body: &[u8]) -> HashMap<String, u64> {
    let answer: Answer = serde_json::from_slice(body).unwrap_or_else(|e| {
        tracing::debug!("volume sizes unreadable: {e}");
        Answer::default()
    });
    let entries = answer.volumes.or(answer.volume_usage.and_then(|u| u.items)).unwrap_or_default();
    entries
        .into_iter()
        .filter_map(|v| {
            let size = v.usage?.size;
            (size >= 0).then_some((v.name, size as u64))
        })
        .collect()
}

/// A size the way the docker CLI prints one: decimal units, four significant
/// digits ("0B", "512B", "12.3kB", "1.5GB").
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    // Four significant digits, trailing zeros dropped (Go's `%.4g`).
    let decimals = if value < 1.0 { 0 } else { (3 - value.log10().floor() as i32).max(0) as usize };
    let mut short = format!("{value:.decimals$}");
    if short.contains('.') {
        short = short.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    format!("{short}{}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_list_shape_of_older_engines() {
        let body = br#"{"LayersSize":0,"Volumes":[{"Name":"a","UsageData":{"Size":4096,"RefCount":1}},{"Name":"b","UsageData":{"Size":-1,"RefCount":0}},{"Name":"c"}]}"#;
        let sizes = parse(body);
        assert_eq!(sizes.get("a"), Some(&4096));
        assert_eq!(sizes.len(), 1, "unknown sizes are left out: {sizes:?}");
    }

    #[test]
    fn reads_the_usage_shape_of_newer_engines() {
        let body = br#"{"VolumeUsage":{"ActiveCount":1,"TotalCount":1,"Items":[{"Name":"v","UsageData":{"Size":12,"RefCount":1}}]}}"#;
        assert_eq!(parse(body).get("v"), Some(&12));
    }

    #[test]
    fn garbage_gives_no_sizes_and_no_panic() {
        assert!(parse(b"<html>").is_empty());
    }

    #[test]
    fn sizes_print_like_the_docker_cli() {
        assert_eq!(human_size(0), "0B");
        assert_eq!(human_size(512), "512B");
        assert_eq!(human_size(12_345), "12.35kB");
        assert_eq!(human_size(1_500_000_000), "1.5GB");
        assert_eq!(human_size(999_999), "1000kB");
    }
}
