//! Empty text fields are absent, as in docker compose v2.
//!
//! v2 prints a field that holds an empty string (`image: ${UNSET}`,
//! `hostname: ""`, `build: ""`) as if it were not written: the project has
//! no image, the build has no context, a volume mount has no source. This
//! pass removes such entries from the merged document, before it becomes
//! the typed model, so every later step (defaults, checks, the engine) sees
//! what v2 sees.
//!
//! Owns: which keys are dropped. Kept are the values of free-form maps
//! (`labels`, `environment`, `args`, ...), where `""` is a value; the
//! fields v2 turns into something else (`command: ""` is `[]`, `dns_search`
//! and `tmpfs` a list holding `""`, `env_file` a file that is not there,
//! `dockerfile` no default `Dockerfile`);
//! and the fields v2 rejects when empty, left for the checks to report
//! (`container_name`, `pull_policy`, `cgroup`, a port's `host_ip`). A
//! long-syntax port's empty `mode` and `protocol` are kept for the defaults
//! to tell from absent ones. Resource `name`s are dropped too, but then get
//! their default name (a deliberate difference, see the README). Pure:
//! rewrites the tree.

use super::node::{Kind, Node};

/// Maps whose keys are the user's own, with values that may be `""`.
const FREE_FORM: &[&str] =
    &["labels", "environment", "annotations", "sysctls", "extra_hosts", "driver_opts", "args", "options", "additional_contexts", "storage_opt", "tags", "ssh"];

/// Maps from names to structures: the entries are walked, not dropped.
const NAMED: &[&str] = &["networks", "depends_on", "ulimits", "models"];

/// Fields an empty string means something in, or that v2 refuses empty.
const KEEP: &[&str] = &["command", "entrypoint", "dns_search", "tmpfs", "test", "env_file", "dockerfile", "container_name", "pull_policy", "cgroup", "host_ip"];

/// Fields kept empty only inside the list named first: a long-syntax port's
/// `mode` and `protocol` get their defaults when absent, not when empty.
const KEEP_IN: &[(&str, &str)] = &[("ports", "mode"), ("ports", "protocol")];

const RESOURCES: &[&str] = &["services", "networks", "volumes", "secrets", "configs", "models"];

/// Removes empty-string fields from every service and top-level resource.
pub fn drop_empty_fields(doc: &mut Node) {
    let Some(root) = doc.as_map_mut() else { return };
    for section in RESOURCES {
        if let Some(items) = root.get_mut(section).and_then(Node::as_map_mut) {
            for e in items.iter_mut() {
                walk_struct(&mut e.value, section);
            }
        }
    }
}

fn is_empty_text(node: &Node) -> bool {
    node.as_scalar().is_some_and(|s| !s.plain && s.text.is_empty())
}

/// `node` is a structure found under the key `within`.
fn walk_struct(node: &mut Node, within: &str) {
    let Some(map) = node.as_map_mut() else { return };
    let keep = |key: &str| key.starts_with("x-") || KEEP.contains(&key) || KEEP_IN.contains(&(within, key));
    map.retain(|e| keep(&e.key) || !is_empty_text(&e.value));
    for e in map.iter_mut() {
        let key = e.key.as_str();
        if key.starts_with("x-") || FREE_FORM.contains(&key) {
            continue;
        }
        if NAMED.contains(&key) {
            if let Some(named) = e.value.as_map_mut() {
                for item in named.iter_mut() {
                    walk_struct(&mut item.value, key);
                }
                continue;
            }
        }
        match &mut e.value.kind {
            Kind::Map(_) => walk_struct(&mut e.value, key),
            Kind::Seq(items) => items.iter_mut().for_each(|i| walk_struct(i, key)),
            Kind::Scalar(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::source::SourceMap;
    use crate::load::yaml;

    fn parse(text: &str) -> Node {
        let mut map = SourceMap::new();
        let id = map.add(std::path::Path::new("t.yaml"), "t.yaml".into(), text.into());
        yaml::parse(id, map.get(id)).unwrap().remove(0)
    }

    #[test]
    fn empty_fields_go_and_free_form_values_stay() {
        let text = "services:\n  a:\n    image: ''\n    ports: [{target: 80, protocol: '', mode: '', host_ip: '', name: ''}]\n    deploy: {mode: ''}\n    hostname: ''\n    labels: {l: ''}\n    command: ''\n    container_name: ''\n    build: {context: '', args: {A: ''}}\n    volumes: [{type: volume, source: '', target: /x}]\n    networks: {n: {ipv4_address: ''}}\n    x-e: ''\nvolumes:\n  v: {driver: '', name: ''}\n";
        let mut doc = parse(text);
        drop_empty_fields(&mut doc);
        let a = doc.at(&["services", "a"]).unwrap().as_map().unwrap();
        let keys: Vec<&String> = a.keys().collect();
        assert_eq!(keys, ["ports", "deploy", "labels", "command", "container_name", "build", "volumes", "networks", "x-e"]);
        let port: Vec<&String> = doc.at(&["services", "a", "ports"]).unwrap().as_seq().unwrap()[0].as_map().unwrap().keys().collect();
        assert_eq!(port, ["target", "protocol", "mode", "host_ip"]);
        assert!(doc.at(&["services", "a", "deploy", "mode"]).is_none());
        assert!(doc.at(&["services", "a", "labels", "l"]).is_some());
        assert!(doc.at(&["services", "a", "build", "context"]).is_none());
        assert!(doc.at(&["services", "a", "build", "args", "A"]).is_some());
        assert!(doc.at(&["services", "a", "networks", "n", "ipv4_address"]).is_none());
        assert!(doc.at(&["services", "a", "volumes"]).unwrap().as_seq().unwrap()[0].get("source").is_none());
        assert!(doc.at(&["volumes", "v", "driver"]).is_none());
        assert!(doc.at(&["volumes", "v", "name"]).is_none());
    }
}
