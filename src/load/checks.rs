//! Value checks docker compose v2 makes that the types alone do not: the
//! compose-spec patterns and enums it validates after interpolation
//! (`container_name`, `cgroup`, a port's `host_ip`), and its build rules
//! (`platform` among `build.platforms`; the `build.ssh` form is checked
//! where its list form is read, in `shorthand`).
//!
//! Owns: those rules and where their problems point. Pure: reads the
//! project and the document tree.

use std::net::IpAddr;

use super::node::Node;
use super::source::Span;
use crate::diag::{Problem, Problems};
use crate::model::{Project, Service};

/// Runs every check on the enabled services.
pub fn check(project: &Project, doc: &Node, problems: &mut Problems) {
    for (name, svc) in &project.services {
        let at = |rest: &[&str]| {
            let mut path = vec!["services", name.as_str()];
            path.extend_from_slice(rest);
            locate(doc, &path).or_else(|| doc.get("services").and_then(|s| s.as_map()?.entry(name)).map(|e| e.key_span))
        };
        check_service(name, svc, &at, problems);
    }
}

fn check_service(name: &str, svc: &Service, at: &dyn Fn(&[&str]) -> Option<Span>, problems: &mut Problems) {
    if let Some(cn) = &svc.container_name {
        if !container_name_ok(cn) {
            problems.push(
                Problem::new("rcompose::invalid_value", format!("service `{name}`: container_name `{cn}` is not a valid container name"))
                    .at_opt(at(&["container_name"]))
                    .label("not a container name")
                    .help("start with a letter or digit, then letters, digits, `_`, `.` or `-` (two characters at least)"),
            );
        }
    }
    if let Some(mode) = &svc.cgroup {
        let text = mode.to_string();
        if text != "host" && text != "private" {
            problems.push(
                Problem::new("rcompose::invalid_value", format!("service `{name}`: cgroup `{text}` must be `host` or `private`"))
                    .at_opt(at(&["cgroup"]))
                    .help("use `cgroup: host` or `cgroup: private`"),
            );
        }
    }
    if let (Some(platform), Some(build)) = (&svc.platform, &svc.build) {
        if !build.platforms.is_empty() && !build.platforms.contains(platform) {
            problems.push(
                Problem::new("rcompose::invalid_value", format!("service `{name}`: platform `{platform}` is not one of build.platforms"))
                    .at_opt(at(&["platform"]))
                    .label("not built for this platform")
                    .help(format!("add {platform} to build.platforms ({}), or change platform", build.platforms.join(", "))),
            );
        }
    }
    for (i, port) in svc.ports.iter().enumerate() {
        if let Some(ip) = &port.host_ip {
            if ip.parse::<IpAddr>().is_err() {
                let index = i.to_string();
                problems.push(
                    Problem::new("rcompose::invalid_port", format!("service `{name}`: `{ip}` is not an IP address"))
                        .at_opt(at(&["ports", &index]))
                        .help("host_ip takes an IPv4 or IPv6 address, such as 127.0.0.1 or ::1"),
                );
            }
        }
    }
}

/// The span of the node at `path`, where a number steps into a list.
fn locate(doc: &Node, path: &[&str]) -> Option<Span> {
    let mut node = doc;
    for step in path {
        node = match node.as_seq() {
            Some(items) => items.get(step.parse::<usize>().ok()?)?,
            None => node.get(step)?,
        };
    }
    Some(node.span)
}

/// compose-spec's `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, found anywhere in the name
/// (JSON Schema patterns are not anchored).
fn container_name_ok(name: &str) -> bool {
    let b = name.as_bytes();
    b.windows(2).any(|w| w[0].is_ascii_alphanumeric() && (w[1].is_ascii_alphanumeric() || matches!(w[1], b'_' | b'.' | b'-')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_names_as_the_schema_pattern_finds_them() {
        for ok in ["ab", "-x-", "my_app.1", "a b-c"] {
            assert!(container_name_ok(ok), "{ok}");
        }
        for bad in ["", "a", "-a", "a b", "é"] {
            assert!(!container_name_ok(bad), "{bad}");
        }
    }
}
