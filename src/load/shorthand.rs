//! Short syntax to long syntax, on the document tree.
//!
//! Owns: rewriting every service attribute that compose accepts in several
//! spellings (ports `"8080:80"`, volumes `"./src:/app:ro"`, list-form
//! environments, `depends_on: [db]`, `build: ./dir`, ...) into the one long
//! form the model reads and the merge rules compare. Errors point at the short
//! value that could not be read. No I/O.

use super::node::{Entry, Kind, Map, Node};
use super::source::Span;
use crate::diag::{Problem, Problems};

/// Map-valued attributes that may be written as `KEY=VALUE` lists.
const LIST_OR_DICT: &[&str] = &["environment", "labels", "annotations", "sysctls", "storage_opt"];

/// Rewrites one service (a mapping node) in place.
pub fn normalize_service(service: &mut Node, problems: &mut Problems) {
    let Some(map) = service.as_map_mut() else { return };
    for key in LIST_OR_DICT {
        if let Some(node) = map.get_mut(key) {
            list_to_map(node, '=');
        }
    }
    if let Some(node) = map.get_mut("extra_hosts") {
        extra_hosts(node);
    }
    // One string for a list: a list of one, so a later file adds to it.
    for key in ["dns", "dns_opt", "dns_search", "tmpfs"] {
        if let Some(node) = map.get_mut(key).filter(|n| n.as_scalar().is_some_and(|s| !s.is_null() && !s.text.is_empty())) {
            *node = Node { tag: node.tag, ..Node::seq(vec![Node { tag: None, ..node.clone() }], node.span) };
        }
    }
    if let Some(node) = map.get_mut("build") {
        if let Some(text) = node.as_str().map(str::to_string) {
            *node = single_key_map("context", Node::scalar(text, node.span), node.span, node.tag);
        }
        if let Some(b) = node.as_map_mut() {
            if let Some(n) = b.get("ssh") {
                check_ssh(n, problems);
            }
            for key in ["args", "labels", "ssh", "additional_contexts"] {
                if let Some(n) = b.get_mut(key) {
                    list_to_map(n, '=');
                }
            }
            if let Some(n) = b.get_mut("extra_hosts") {
                extra_hosts(n);
            }
            if let Some(n) = b.get_mut("secrets") {
                refs(n);
            }
        }
    }
    if let Some(node) = map.get_mut("extends") {
        if let Some(text) = node.as_str().map(str::to_string) {
            *node = single_key_map("service", Node::scalar(text, node.span), node.span, node.tag);
        }
    }
    if let Some(node) = map.get_mut("depends_on") {
        depends_on(node);
    }
    if let Some(node) = map.get_mut("networks") {
        names_to_map(node);
    }
    if let Some(node) = map.get_mut("models") {
        names_to_map(node);
    }
    for key in ["secrets", "configs"] {
        if let Some(node) = map.get_mut(key) {
            refs(node);
        }
    }
    if let Some(node) = map.get_mut("env_file") {
        env_file(node);
    }
    if let Some(node) = map.get_mut("ports") {
        ports(node, problems);
    }
    if let Some(node) = map.get_mut("volumes") {
        volumes(node, problems);
    }
    if let Some(node) = map.get_mut("devices") {
        devices(node, problems);
    }
    if let Some(node) = map.get_mut("ulimits") {
        ulimits(node);
    }
    if let Some(node) = map.get_mut("healthcheck") {
        if let Some(test) = node.as_map_mut().and_then(|h| h.get_mut("test")) {
            if let Some(text) = test.as_str().map(str::to_string) {
                let span = test.span;
                *test = Node { tag: test.tag, ..Node::seq(vec![Node::scalar("CMD-SHELL", span), Node::scalar(text, span)], span) };
            }
        }
    }
    if let Some(node) = map.get_mut("gpus") {
        if node.as_str() == Some("all") {
            let span = node.span;
            let mut m = Map::new();
            insert(&mut m, "capabilities", Node::seq(vec![Node::scalar("gpu", span)], span));
            insert(&mut m, "count", Node::scalar("-1", span).plain());
            *node = Node::seq(vec![Node::map(m, span)], span);
        }
    }
}

impl Node {
    /// Marks a scalar as plain so it is typed by content.
    fn plain(mut self) -> Node {
        if let Kind::Scalar(s) = &mut self.kind {
            s.plain = true;
        }
        self
    }
}

fn insert(map: &mut Map, key: &str, value: Node) {
    let key_span = value.span;
    map.insert(Entry { key: key.to_string(), key_span, value });
}

fn single_key_map(key: &str, value: Node, span: Span, tag: Option<super::node::Tag>) -> Node {
    let mut m = Map::new();
    insert(&mut m, key, value);
    Node { tag, ..Node::map(m, span) }
}

/// `[A=1, B]` into `{A: "1", B: null}`.
fn list_to_map(node: &mut Node, sep: char) {
    let Some(items) = node.as_seq() else { return };
    let mut m = Map::new();
    for item in items {
        let Some(text) = item.as_scalar().map(|s| s.text.clone()) else { continue };
        let (key, value) = match text.split_once(sep) {
            Some((k, v)) => (k.to_string(), Node::scalar(v, item.span)),
            None => (text.clone(), Node::null(item.span)),
        };
        m.insert(Entry { key, key_span: item.span, value });
    }
    *node = Node { tag: node.tag, ..Node::map(m, node.span) };
}

/// `build.ssh` as docker compose v2 accepts it: list items are `default`
/// or `ID=PATH`; mapping keys are not empty.
fn check_ssh(ssh: &Node, problems: &mut Problems) {
    let invalid = |key: &str, span: Span| {
        Problem::new("rcompose::invalid_value", format!("invalid build.ssh entry `{key}`"))
            .at(span)
            .label("not an SSH agent or key")
            .help("write `default` for the SSH agent, or ID=PATH for a key file")
    };
    match &ssh.kind {
        Kind::Seq(items) => {
            for item in items {
                match item.as_str() {
                    Some(text) if text == "default" || text.contains('=') => {}
                    text => problems.push(invalid(text.unwrap_or_default(), item.span)),
                }
            }
        }
        Kind::Map(m) => m.iter().filter(|e| e.key.is_empty()).for_each(|e| problems.push(invalid("", e.key_span))),
        Kind::Scalar(_) => {}
    }
}

/// `extra_hosts`: `["host:ip", "host=ip"]` or `{host: ip}` into `{host: [ip, ...]}`.
fn extra_hosts(node: &mut Node) {
    let mut m = Map::new();
    let mut add = |host: &str, ip: Node, key_span: Span| {
        let ip_span = ip.span;
        match m.get_mut(host) {
            Some(Node { kind: Kind::Seq(items), .. }) => items.push(ip),
            _ => m.insert(Entry { key: host.to_string(), key_span, value: Node::seq(vec![ip], ip_span) }),
        }
    };
    match &node.kind {
        Kind::Seq(items) => {
            for item in items {
                let Some(text) = item.as_str() else { continue };
                let split = text.split_once('=').or_else(|| text.split_once(':'));
                if let Some((host, ip)) = split {
                    add(host, Node::scalar(ip, item.span), item.span);
                }
            }
        }
        Kind::Map(map) => {
            for e in map.iter() {
                match &e.value.kind {
                    Kind::Seq(ips) => ips.iter().for_each(|ip| add(&e.key, ip.clone(), e.key_span)),
                    _ => add(&e.key, e.value.clone(), e.key_span),
                }
            }
        }
        Kind::Scalar(_) => return,
    }
    *node = Node { tag: node.tag, ..Node::map(m, node.span) };
}

fn depends_on(node: &mut Node) {
    let Some(items) = node.as_seq() else { return };
    let mut m = Map::new();
    for item in items {
        let Some(name) = item.as_str() else { continue };
        let mut dep = Map::new();
        insert(&mut dep, "condition", Node::scalar("service_started", item.span));
        insert(&mut dep, "required", Node::scalar("true", item.span).plain());
        m.insert(Entry { key: name.to_string(), key_span: item.span, value: Node::map(dep, item.span) });
    }
    *node = Node { tag: node.tag, ..Node::map(m, node.span) };
}

/// `[a, b]` into `{a: null, b: null}`.
fn names_to_map(node: &mut Node) {
    let Some(items) = node.as_seq() else { return };
    let mut m = Map::new();
    for item in items {
        if let Some(name) = item.as_str() {
            m.insert(Entry { key: name.to_string(), key_span: item.span, value: Node::null(item.span) });
        }
    }
    *node = Node { tag: node.tag, ..Node::map(m, node.span) };
}

/// Secret/config references: `- name` into `- {source: name}`.
fn refs(node: &mut Node) {
    let Kind::Seq(items) = &mut node.kind else { return };
    for item in items.iter_mut() {
        if let Some(name) = item.as_str().map(str::to_string) {
            *item = single_key_map("source", Node::scalar(name, item.span), item.span, None);
        }
    }
}

fn env_file(node: &mut Node) {
    if let Some(text) = node.as_str().map(str::to_string) {
        *node = Node { tag: node.tag, ..Node::seq(vec![Node::scalar(text, node.span)], node.span) };
    }
    let Kind::Seq(items) = &mut node.kind else { return };
    for item in items.iter_mut() {
        if let Some(path) = item.as_str().map(str::to_string) {
            let mut m = Map::new();
            insert(&mut m, "path", Node::scalar(path, item.span));
            insert(&mut m, "required", Node::scalar("true", item.span).plain());
            *item = Node::map(m, item.span);
        }
    }
}

fn ulimits(node: &mut Node) {
    let Some(map) = node.as_map_mut() else { return };
    for entry in map.iter_mut() {
        if entry.value.as_scalar().is_some() && !entry.value.is_null() {
            let span = entry.value.span;
            let v = std::mem::replace(&mut entry.value, Node::null(span));
            entry.value = single_key_map("single", v, span, None);
        }
    }
}

fn devices(node: &mut Node, problems: &mut Problems) {
    let Kind::Seq(items) = &mut node.kind else { return };
    for item in items.iter_mut() {
        let Some(text) = item.as_str().map(str::to_string) else { continue };
        let parts: Vec<&str> = text.split(':').collect();
        let span = item.span;
        let mut m = Map::new();
        match parts.as_slice() {
            [src] => {
                insert(&mut m, "source", Node::scalar(*src, span));
                insert(&mut m, "target", Node::scalar(*src, span));
                insert(&mut m, "permissions", Node::scalar("rwm", span));
            }
            [src, dst] => {
                insert(&mut m, "source", Node::scalar(*src, span));
                insert(&mut m, "target", Node::scalar(*dst, span));
                insert(&mut m, "permissions", Node::scalar("rwm", span));
            }
            [src, dst, perms] => {
                insert(&mut m, "source", Node::scalar(*src, span));
                insert(&mut m, "target", Node::scalar(*dst, span));
                insert(&mut m, "permissions", Node::scalar(*perms, span));
            }
            _ => {
                problems.push(
                    Problem::new("rcompose::invalid_device", format!("invalid device `{text}`"))
                        .at(span)
                        .help("write HOST_PATH[:CONTAINER_PATH[:PERMISSIONS]]"),
                );
                continue;
            }
        }
        *item = Node::map(m, span);
    }
}

fn ports(node: &mut Node, problems: &mut Problems) {
    let Kind::Seq(items) = &mut node.kind else { return };
    let mut out = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        let Some(text) = item.as_str().map(str::to_string) else {
            out.push(item);
            continue;
        };
        match super::ports::parse(&text) {
            Ok(specs) => {
                for spec in specs {
                    let span = item.span;
                    let mut m = Map::new();
                    insert(&mut m, "mode", Node::scalar("ingress", span));
                    if let Some(ip) = spec.host_ip {
                        insert(&mut m, "host_ip", Node::scalar(ip, span));
                    }
                    insert(&mut m, "target", Node::scalar(spec.target.to_string(), span));
                    if let Some(p) = spec.published {
                        insert(&mut m, "published", Node::scalar(p, span));
                    }
                    insert(&mut m, "protocol", Node::scalar(spec.protocol, span));
                    out.push(Node::map(m, span));
                }
            }
            Err(e) => problems.push(
                Problem::new("rcompose::invalid_port", format!("invalid port `{text}`: {e}"))
                    .at(item.span)
                    .label("cannot read this port")
                    .help("write [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL], e.g. \"8080:80\" or \"127.0.0.1:5432:5432/tcp\""),
            ),
        }
    }
    *items = out;
}

fn volumes(node: &mut Node, problems: &mut Problems) {
    let Kind::Seq(items) = &mut node.kind else { return };
    for item in items.iter_mut() {
        let Some(text) = item.as_str().map(str::to_string) else { continue };
        match super::mounts::parse(&text) {
            Ok(spec) => *item = spec.into_node(item.span),
            Err(e) => problems.push(
                Problem::new("rcompose::invalid_volume", format!("invalid volume `{text}`: {e}"))
                    .at(item.span)
                    .label("cannot read this mount")
                    .help("write [SOURCE:]TARGET[:MODE], e.g. \"db-data:/var/lib/postgresql/data\" or \"./src:/app:ro\""),
            ),
        }
    }
}
