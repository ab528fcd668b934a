//! Merging compose documents: later files (and `extends`) over earlier ones.
//!
//! Owns: compose's merge rules on long-form trees. Mappings merge key by key;
//! sequences append, except `command`, `entrypoint` and `healthcheck.test`,
//! which are replaced, `ports`, `volumes`, `secrets`, `configs`, which
//! merge entries that share a unique key, and `extra_hosts`, which adds only
//! addresses a host does not have yet (other lists are made unique
//! afterwards by `unique`). `!reset` drops the inherited value,
//! `!override` replaces it whole, both across files and through `extends`
//! (tags are kept until [`strip`] runs after `extends`). No I/O.

use super::node::{Kind, Node, Tag};

/// Merges the document `over` into `base`.
pub fn merge_documents(base: &mut Node, over: Node) {
    merge_at(base, over, Ctx::Root);
}

/// Merges one service definition over another.
pub fn merge_service(base: &mut Node, over: Node) {
    merge_at(base, over, Ctx::Service);
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Root,
    Services,
    Service,
    Healthcheck,
    Build,
    /// `extra_hosts`, and the addresses of one host in it.
    Hosts,
    HostAddresses,
    /// Mappings v2 merges as `KEY=VALUE` lists (`environment`, `labels`,
    /// ...): there a null value replaces the one before.
    KeyValues,
    Other,
}

fn child_ctx(ctx: Ctx, key: &str) -> Ctx {
    match (ctx, key) {
        (Ctx::Root, "services") => Ctx::Services,
        (Ctx::Services, _) => Ctx::Service,
        (Ctx::Service, "healthcheck") => Ctx::Healthcheck,
        (Ctx::Service, "build") => Ctx::Build,
        (Ctx::Service | Ctx::Build, "extra_hosts") => Ctx::Hosts,
        (Ctx::Hosts, _) => Ctx::HostAddresses,
        (Ctx::Service, "environment" | "labels" | "annotations" | "sysctls") | (Ctx::Build, "args" | "labels" | "additional_contexts") => Ctx::KeyValues,
        _ => Ctx::Other,
    }
}

fn replaces(ctx: Ctx, key: &str) -> bool {
    matches!((ctx, key), (Ctx::Service, "command" | "entrypoint") | (Ctx::Healthcheck, "test"))
}

fn merge_at(base: &mut Node, over: Node, ctx: Ctx) {
    if over.tag == Some(Tag::Override) {
        *base = Node { tag: None, ..over };
        return;
    }
    match (&mut base.kind, over.kind) {
        (Kind::Map(b), Kind::Map(o)) => {
            for entry in o.into_entries() {
                if entry.value.tag == Some(Tag::Reset) {
                    b.remove(&entry.key);
                    continue;
                }
                let child = child_ctx(ctx, &entry.key);
                match b.get_mut(&entry.key) {
                    // Elsewhere a null says nothing: the value before stays.
                    Some(_) if entry.value.is_null() && entry.value.tag.is_none() && !replaces(ctx, &entry.key) && ctx != Ctx::KeyValues => {}
                    Some(existing) if !replaces(ctx, &entry.key) && !entry.value.is_null() => merge_entry(existing, entry.value, child, ctx, &entry.key),
                    // Tags inside stay for `extends` to apply; `strip`
                    // removes what is left once every merge is done.
                    _ => b.insert(entry),
                }
            }
        }
        // A host's address given again is not added twice.
        (Kind::Seq(b), Kind::Seq(o)) if ctx == Ctx::HostAddresses => {
            for item in o {
                if !b.iter().any(|x| x.as_str().is_some() && x.as_str() == item.as_str()) {
                    b.push(strip(item));
                }
            }
        }
        (Kind::Seq(b), Kind::Seq(o)) => {
            b.extend(o.into_iter().map(strip));
        }
        (_, kind) => {
            *base = strip(Node { kind, span: over.span, tag: None });
        }
    }
}

fn merge_entry(existing: &mut Node, value: Node, child: Ctx, ctx: Ctx, key: &str) {
    let unique = ctx == Ctx::Service && matches!(key, "ports" | "volumes" | "secrets" | "configs");
    if unique && value.tag.is_none() {
        if let (Kind::Seq(b), Kind::Seq(o)) = (&mut existing.kind, value.kind.clone()) {
            for item in o {
                let id = unique_key(key, &item);
                match b.iter_mut().find(|x| id.is_some() && unique_key(key, x) == id) {
                    Some(found) => *found = strip(item),
                    None => b.push(strip(item)),
                }
            }
            return;
        }
    }
    merge_at(existing, value, child);
}

/// The identity of an entry in a uniquely-keyed list.
fn unique_key(list: &str, item: &Node) -> Option<String> {
    let field = |k: &str| item.get(k).and_then(Node::as_str).unwrap_or("").to_string();
    item.as_map()?;
    Some(match list {
        "volumes" => field("target"),
        "ports" => format!("{}|{}|{}|{}", field("host_ip"), field("target"), field("published"), field("protocol")),
        _ => {
            let target = field("target");
            if target.is_empty() {
                field("source")
            } else {
                target
            }
        }
    })
}

/// Drops `!reset` entries and tags from a subtree that is taken as it is,
/// and from the whole document once files and `extends` are merged.
pub fn strip(mut node: Node) -> Node {
    node.tag = None;
    match &mut node.kind {
        Kind::Map(m) => {
            m.retain(|e| e.value.tag != Some(Tag::Reset));
            for e in m.iter_mut() {
                let span = e.value.span;
                let v = std::mem::replace(&mut e.value, Node::null(span));
                e.value = strip(v);
            }
        }
        Kind::Seq(items) => {
            let taken = std::mem::take(items);
            *items = taken.into_iter().filter(|n| n.tag != Some(Tag::Reset)).map(strip).collect();
        }
        Kind::Scalar(_) => {}
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Problems;
    use crate::load::source::SourceMap;
    use crate::load::{shorthand, yaml};
    use std::path::Path;

    fn doc(map: &mut SourceMap, text: &str) -> Node {
        let id = map.add(Path::new("t.yaml"), "t.yaml".into(), text.into());
        let mut n = yaml::parse(id, map.get(id)).unwrap().remove(0);
        if let Some(services) = n.as_map_mut().and_then(|m| m.get_mut("services")).and_then(Node::as_map_mut) {
            for e in services.iter_mut() {
                shorthand::normalize_service(&mut e.value, &mut Problems::default());
            }
        }
        n
    }

    fn merged(a: &str, b: &str) -> Node {
        let mut map = SourceMap::new();
        let mut base = doc(&mut map, a);
        let over = doc(&mut map, b);
        merge_documents(&mut base, over);
        base
    }

    #[test]
    fn maps_merge_and_scalars_replace() {
        let n = merged("services: {a: {image: x, environment: [A=1, B=2]}}", "services: {a: {image: y, environment: {B: 3}}}");
        let a = n.at(&["services", "a"]).unwrap();
        assert_eq!(a.get("image").unwrap().as_str(), Some("y"));
        assert_eq!(a.at(&["environment", "A"]).unwrap().as_str(), Some("1"));
        assert_eq!(a.at(&["environment", "B"]).unwrap().as_str(), Some("3"));
    }

    #[test]
    fn command_replaces_and_dns_appends() {
        let n = merged("services: {a: {command: [a, b], dns: [1.1.1.1]}}", "services: {a: {command: [c], dns: [8.8.8.8]}}");
        let a = n.at(&["services", "a"]).unwrap();
        assert_eq!(a.get("command").unwrap().as_seq().unwrap().len(), 1);
        assert_eq!(a.get("dns").unwrap().as_seq().unwrap().len(), 2);
    }

    #[test]
    fn volumes_merge_by_target_and_ports_by_identity() {
        let n = merged(
            "services: {a: {volumes: ['vol:/data', '/cache'], ports: ['80:80']}}",
            "services: {a: {volumes: ['./d:/data:ro'], ports: ['80:80', '443:443']}}",
        );
        let a = n.at(&["services", "a"]).unwrap();
        let vols = a.get("volumes").unwrap().as_seq().unwrap();
        assert_eq!(vols.len(), 2, "{vols:#?}");
        assert_eq!(vols[0].get("source").unwrap().as_str(), Some("./d"));
        assert_eq!(vols[0].get("type").unwrap().as_str(), Some("bind"));
        assert_eq!(a.get("ports").unwrap().as_seq().unwrap().len(), 2);
    }

    #[test]
    fn reset_and_override_tags() {
        let n = merged("services: {a: {ports: ['80:80'], environment: {A: 1, B: 2}}}", "services: {a: {ports: !reset [], environment: !override {C: 3}}}");
        let a = n.at(&["services", "a"]).unwrap();
        assert!(a.get("ports").is_none());
        let env = a.get("environment").unwrap().as_map().unwrap();
        assert_eq!(env.keys().collect::<Vec<_>>(), vec!["C"]);
    }

    #[test]
    fn healthcheck_test_replaces() {
        let n = merged("services: {a: {healthcheck: {test: [CMD, a, b], interval: 5s}}}", "services: {a: {healthcheck: {test: [CMD, c]}}}");
        let h = n.at(&["services", "a", "healthcheck"]).unwrap();
        assert_eq!(h.get("test").unwrap().as_seq().unwrap().len(), 2);
        assert_eq!(h.get("interval").unwrap().as_str(), Some("5s"));
    }
}
