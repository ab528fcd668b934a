//! Entries that must be unique within a service's lists, as docker compose
//! v2 enforces after every file is merged (and so also within one file).
//!
//! Owns: the identity of a list entry (a capability, a DNS server, a port by
//! host IP, published port, target and protocol, a mount by target, ...) and
//! the rule that a later entry with the same identity replaces the earlier
//! one in its place. Runs on long-form trees (after `shorthand`). No I/O.

use super::node::{Kind, Node};

/// How the identity of an entry of a list is found.
#[derive(Clone, Copy)]
enum Id {
    /// A string, up to its first `=`.
    KeyValue,
    /// A string or number, as written.
    Text,
    /// A mapping's `target`.
    Target,
    /// A secret or config: `target`, else `DIR/source`.
    Mount(&'static str),
    /// A port: host IP, published port, target and protocol.
    Port,
    /// An env file's `path`.
    Path,
}

/// Service attributes (paths below the service) and their identities.
const LISTS: &[(&[&str], Id)] = &[
    (&["cap_add"], Id::KeyValue),
    (&["cap_drop"], Id::KeyValue),
    (&["dns"], Id::KeyValue),
    (&["dns_opt"], Id::KeyValue),
    (&["dns_search"], Id::KeyValue),
    (&["links"], Id::KeyValue),
    (&["profiles"], Id::KeyValue),
    (&["tmpfs"], Id::KeyValue),
    (&["build", "tags"], Id::KeyValue),
    (&["deploy", "labels"], Id::KeyValue),
    (&["expose"], Id::Text),
    (&["devices"], Id::Target),
    (&["volumes"], Id::Target),
    (&["ports"], Id::Port),
    (&["secrets"], Id::Mount("/run/secrets")),
    (&["configs"], Id::Mount("")),
    (&["env_file"], Id::Path),
];

/// Makes the lists of every service in `doc` unique.
pub fn enforce(doc: &mut Node) {
    let Some(services) = doc.as_map_mut().and_then(|m| m.get_mut("services")).and_then(Node::as_map_mut) else { return };
    for service in services.iter_mut() {
        for (path, id) in LISTS {
            if let Some(list) = at_mut(&mut service.value, path) {
                dedup(list, *id);
            }
        }
        if let Some(networks) = service.value.as_map_mut().and_then(|m| m.get_mut("networks")).and_then(Node::as_map_mut) {
            for net in networks.iter_mut() {
                for key in ["aliases", "link_local_ips"] {
                    if let Some(list) = net.value.as_map_mut().and_then(|m| m.get_mut(key)) {
                        dedup(list, Id::KeyValue);
                    }
                }
            }
        }
    }
}

fn at_mut<'a>(node: &'a mut Node, path: &[&str]) -> Option<&'a mut Node> {
    path.iter().try_fold(node, |n, key| n.as_map_mut()?.get_mut(key))
}

fn text(node: Option<&Node>) -> Option<String> {
    node.and_then(Node::as_scalar).filter(|s| !s.is_null()).map(|s| s.text.clone())
}

fn identity(item: &Node, id: Id) -> Option<String> {
    let field = |k: &str| text(item.get(k));
    match id {
        Id::KeyValue => item.as_str().map(|s| s.split_once('=').map_or(s, |(k, _)| k).to_string()),
        Id::Text => text(Some(item)),
        Id::Target => field("target"),
        Id::Path => field("path"),
        Id::Mount(dir) => field("target").or_else(|| Some(format!("{dir}/{}", field("source")?))),
        Id::Port => {
            item.as_map()?;
            let host = field("host_ip").unwrap_or_else(|| "0.0.0.0".into());
            let protocol = field("protocol").unwrap_or_else(|| "tcp".into());
            Some(format!("{host}:{}:{}/{protocol}", field("published").unwrap_or_default(), field("target").unwrap_or_default()))
        }
    }
}

/// Keeps the first place of each identity and the last value given for it;
/// entries without an identity stay as they are.
fn dedup(list: &mut Node, id: Id) {
    let Kind::Seq(items) = &mut list.kind else { return };
    let mut out: Vec<Node> = Vec::with_capacity(items.len());
    let mut seen: Vec<(String, usize)> = Vec::new();
    for item in items.drain(..) {
        match identity(&item, id) {
            Some(key) => match seen.iter().find(|(k, _)| *k == key) {
                Some(&(_, at)) => out[at] = item,
                None => {
                    seen.push((key, out.len()));
                    out.push(item);
                }
            },
            None => out.push(item),
        }
    }
    *items = out;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::source::SourceMap;
    use crate::load::yaml;
    use std::path::Path;

    fn service(text: &str) -> Node {
        let mut map = SourceMap::new();
        let id = map.add(Path::new("t.yaml"), "t.yaml".into(), text.into());
        let mut doc = yaml::parse(id, map.get(id)).unwrap().remove(0);
        enforce(&mut doc);
        doc.at(&["services", "a"]).unwrap().clone()
    }

    fn texts(node: &Node) -> Vec<String> {
        node.as_seq().unwrap().iter().map(|n| n.as_str().map_or_else(|| format!("{:?}", n.get("target").and_then(Node::as_str)), str::to_string)).collect()
    }

    #[test]
    fn later_entries_replace_earlier_ones_in_place() {
        let a = service("services: {a: {cap_add: [NET_ADMIN, SYS_PTRACE, NET_ADMIN], dns: [1.1.1.1, 8.8.8.8, 1.1.1.1], expose: ['80', 81, '80']}}");
        assert_eq!(texts(a.get("cap_add").unwrap()), ["NET_ADMIN", "SYS_PTRACE"]);
        assert_eq!(texts(a.get("dns").unwrap()), ["1.1.1.1", "8.8.8.8"]);
        assert_eq!(texts(a.get("expose").unwrap()), ["80", "81"]);
        let a = service("services: {a: {tmpfs: [/run, '/run=x'], secrets: [{source: s}, {source: t, target: /run/secrets/s}]}}");
        assert_eq!(texts(a.get("tmpfs").unwrap()), ["/run=x"]);
        assert_eq!(texts(a.get("secrets").unwrap()), ["Some(\"/run/secrets/s\")"]);
    }
}
