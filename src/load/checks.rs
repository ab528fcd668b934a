//! Value checks docker compose v2 makes that the types alone do not: the
//! compose-spec patterns and enums it validates after interpolation
//! (`container_name`, `cgroup`, a port's `host_ip`), and its build rules
//! (`platform` among `build.platforms`; the `build.ssh` form is checked
//! where its list form is read, in `shorthand`), and that a value given both
//! at the service level and under `deploy` (`scale` and `replicas`, `cpus`,
//! `mem_limit`, `mem_reservation`, `pids_limit`) is the same in both, and
//! the schema's `uniqueItems` lists (`security_opt`, `group_add`, ...).
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
    unique_items(doc, problems);
}

/// Lists the compose schema wants without repeats (those not made unique
/// by `unique`), in every service, enabled or not; a repeat across files
/// counts too, as docker compose v2 appends these lists when merging.
fn unique_items(doc: &Node, problems: &mut Problems) {
    let Some(services) = doc.get("services").and_then(Node::as_map) else { return };
    for svc in services.iter() {
        for key in ["security_opt", "group_add", "external_links", "volumes_from"] {
            let Some(items) = svc.value.get(key).and_then(Node::as_seq) else { continue };
            let repeat = items.iter().enumerate().find_map(|(j, b)| items[..j].iter().position(|a| a.same_as(b)).map(|i| (i, j)));
            if let Some((i, j)) = repeat {
                problems.push(
                    Problem::new("rcompose::invalid_value", format!("services.{}.{key} items at {i} and {j} are equal", svc.key))
                        .at(items[j].span)
                        .label("repeats an earlier entry")
                        .help(format!("list each entry of `{key}` once (across all files)")),
                );
            }
        }
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
    distinct_values(name, svc, at, problems);
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

/// A value set twice, at the service level and under `deploy`, must be
/// the same. (docker compose v2 also refuses a service-level value when the
/// `deploy` block has a `limits` or `reservations` without that field; this
/// check only refuses values that disagree.)
fn distinct_values(name: &str, svc: &Service, at: &dyn Fn(&[&str]) -> Option<Span>, problems: &mut Problems) {
    let Some(deploy) = &svc.deploy else { return };
    let limits = deploy.resources.limits.as_ref();
    let reservations = deploy.resources.reservations.as_ref();
    let pairs: [(&str, &str, bool); 5] = [
        ("scale", "deploy.replicas", matches!((svc.scale, deploy.replicas), (Some(a), Some(b)) if a != b)),
        ("cpus", "deploy.resources.limits.cpus", matches!((svc.cpus, limits.and_then(|l| l.cpus)), (Some(a), Some(b)) if a != b)),
        ("mem_limit", "deploy.resources.limits.memory", matches!((svc.mem_limit, limits.and_then(|l| l.memory)), (Some(a), Some(b)) if a != b)),
        (
            "mem_reservation",
            "deploy.resources.reservations.memory",
            matches!((svc.mem_reservation, reservations.and_then(|l| l.memory)), (Some(a), Some(b)) if a != b),
        ),
        ("pids_limit", "deploy.resources.limits.pids", matches!((svc.pids_limit, limits.and_then(|l| l.pids)), (Some(a), Some(b)) if a != b)),
    ];
    for (own, nested, differ) in pairs {
        if differ {
            problems.push(
                Problem::new("rcompose::invalid_value", format!("service `{name}`: can't set distinct values on '{own}' and '{nested}'"))
                    .at_opt(at(&[own]))
                    .help(format!("give `{own}` and `{nested}` the same value, or keep only one of them")),
            );
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
