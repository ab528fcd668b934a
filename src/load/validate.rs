//! Semantic checks on a typed project, reported at the spans of the
//! document they came from.
//!
//! Owns: references to things that are not defined (services, networks,
//! volumes, secrets, configs, models), dependency cycles, and mutually exclusive keys.
//! Values with a fixed vocabulary are parsed (and reported) while the model
//! is deserialized. Pure: reads the project and the tree.

use super::de::did_you_mean;
use super::node::Node;
use super::source::Span;
use crate::diag::{Problem, Problems};
use crate::graph::ServiceGraph;
use crate::model::{MountType, Project};

/// Span of the key at the end of `path` (falls back to the nearest parent).
fn key_span(doc: &Node, path: &[&str]) -> Option<Span> {
    for len in (1..=path.len()).rev() {
        let (parent, last) = (&path[..len - 1], path[len - 1]);
        if let Some(e) = doc.at(parent).and_then(Node::as_map).and_then(|m| m.entry(last)) {
            return Some(e.key_span);
        }
    }
    None
}

/// Span of the `index`-th item of the list at `path`.
fn item_span(doc: &Node, path: &[&str], index: usize) -> Option<Span> {
    doc.at(path).and_then(Node::as_seq).and_then(|s| s.get(index)).map(|n| n.span).or_else(|| key_span(doc, path))
}

fn value_span(doc: &Node, path: &[&str]) -> Option<Span> {
    doc.at(path).map(|n| n.span).or_else(|| key_span(doc, path))
}

fn unknown(what: &str, name: &str, service: &str, candidates: &[&str], hint: &str) -> Problem {
    let help = match did_you_mean(name, candidates) {
        Some(s) => format!("did you mean `{s}`?"),
        None => hint.to_string(),
    };
    Problem::new("rcompose::undefined_reference", format!("service `{service}` refers to undefined {what} `{name}`"))
        .label(format!("no {what} named `{name}`"))
        .help(help)
}

pub fn check(project: &Project, doc: &Node, problems: &mut Problems) {
    let all_services: Vec<&str> = project.services.keys().chain(project.disabled_services.keys()).map(String::as_str).collect();
    let networks: Vec<&str> = project.networks.keys().map(String::as_str).collect();
    let volumes: Vec<&str> = project.volumes.keys().map(String::as_str).collect();
    let secrets: Vec<&str> = project.secrets.keys().map(String::as_str).collect();
    let configs: Vec<&str> = project.configs.keys().map(String::as_str).collect();
    let models: Vec<&str> = project.models.keys().map(String::as_str).collect();

    for (name, svc) in &project.services {
        let full = |rest: &[&'static str], extra: &[&str]| -> Vec<String> {
            let mut v = vec!["services".to_string(), name.clone()];
            v.extend(rest.iter().map(std::string::ToString::to_string));
            v.extend(extra.iter().map(std::string::ToString::to_string));
            v
        };
        let ks = |rest: &[&'static str], extra: &[&str]| {
            let v = full(rest, extra);
            key_span(doc, &v.iter().map(String::as_str).collect::<Vec<_>>())
        };
        let vs = |rest: &[&'static str]| {
            let v = full(rest, &[]);
            value_span(doc, &v.iter().map(String::as_str).collect::<Vec<_>>())
        };
        let is = |rest: &[&'static str], i: usize| {
            let v = full(rest, &[]);
            item_span(doc, &v.iter().map(String::as_str).collect::<Vec<_>>(), i)
        };
        // The loader adds a dependency for each `service:NAME` mode; a wrong
        // name is reported below, at the mode.
        let implied: Vec<&str> = svc.namespace_services().collect();
        for (dep, d) in &svc.depends_on {
            if !all_services.contains(&dep.as_str()) && d.required && !implied.contains(&dep.as_str()) {
                problems
                    .push(unknown("service", dep, name, &all_services, "define the service, or remove it from depends_on").at_opt(ks(&["depends_on"], &[dep])));
            } else if let Some(off) = project.disabled_services.get(dep).filter(|_| d.required && !implied.contains(&dep.as_str())) {
                // As docker compose v2: a required dependency must be enabled too.
                problems.push(
                    Problem::new("rcompose::undefined_reference", format!("service `{name}` depends on service `{dep}`, which its profiles disable"))
                        .at_opt(ks(&["depends_on"], &[dep]))
                        .label("not enabled")
                        .help(format!("enable a profile of `{dep}` ({}), or give this dependency `required: false`", off.profiles.join(", "))),
                );
            }
        }
        for (i, entry) in svc.volumes_from.iter().enumerate() {
            if let Some(s) = entry.service() {
                if !all_services.contains(&s) {
                    problems.push(
                        unknown("service", s, name, &all_services, "name a service of this project, or use `container:NAME`").at_opt(is(&["volumes_from"], i)),
                    );
                }
            }
        }
        for (i, link) in svc.links.iter().enumerate() {
            let target = link.split(':').next().unwrap_or(link);
            if !all_services.contains(&target) {
                problems.push(unknown("service", target, name, &all_services, "links name services of this project").at_opt(is(&["links"], i)));
            }
        }
        for (key, mode) in svc.namespaces() {
            if let Some(target) = mode.service() {
                if !all_services.contains(&target) {
                    problems.push(unknown("service", target, name, &all_services, "name a service of this project").at_opt(vs(&[key])));
                }
            }
        }
        for net in svc.networks.keys() {
            if net != "default" && !networks.contains(&net.as_str()) {
                problems.push(unknown("network", net, name, &networks, "declare it under the top-level `networks:`").at_opt(ks(&["networks"], &[net])));
            }
        }
        if svc.network_mode.is_some() && doc.at(&["services", name, "networks"]).is_some() {
            problems.push(
                Problem::new("rcompose::exclusive_keys", format!("service `{name}` sets both `network_mode` and `networks`"))
                    .at_opt(ks(&["network_mode"], &[]))
                    .help("a container with a network_mode joins no other networks; keep one of the two"),
            );
        }
        for (i, m) in svc.volumes.iter().enumerate() {
            if m.kind == MountType::Volume {
                if let Some(src) = &m.source {
                    if !volumes.contains(&src.as_str()) {
                        problems.push(unknown("volume", src, name, &volumes, "declare it under the top-level `volumes:`").at_opt(is(&["volumes"], i)));
                    }
                }
            }
            if m.target.is_empty() || !(m.target.starts_with('/') || m.target.contains(':')) {
                problems.push(
                    Problem::new("rcompose::invalid_volume", format!("mount target `{}` is not an absolute path", m.target))
                        .at_opt(is(&["volumes"], i))
                        .help("the container path must start with `/`"),
                );
            }
        }
        for (key, list, known) in [("secrets", &svc.secrets, &secrets), ("configs", &svc.configs, &configs)] {
            for (i, r) in list.iter().enumerate() {
                if !known.contains(&r.source.as_str()) {
                    let what = &key[..key.len() - 1];
                    problems.push(unknown(what, &r.source, name, known, &format!("declare it under the top-level `{key}:`")).at_opt(is(&[key], i)));
                }
            }
        }
        for (i, model) in svc.models.keys().enumerate() {
            if !models.contains(&model.as_str()) {
                let at = ks(&["models"], &[model]).or_else(|| is(&["models"], i));
                problems.push(unknown("model", model, name, &models, "declare it under the top-level `models:`").at_opt(at));
            }
        }
        if svc.image.is_none() && svc.build.is_none() && svc.provider.is_none() {
            problems.push(
                Problem::new("rcompose::no_image", format!("service `{name}` has neither an image nor a build context"))
                    .at_opt(ks(&[], &[]))
                    .help("add `image: NAME` or `build: PATH`"),
            );
        }
        if svc.container_name.is_some() && Project::replicas(svc) > 1 {
            problems.push(
                Problem::new("rcompose::exclusive_keys", format!("service `{name}` sets `container_name` and more than one replica"))
                    .at_opt(ks(&["container_name"], &[]))
                    .help("container names are unique; drop container_name or use one replica"),
            );
        }
        for (i, port) in svc.ports.iter().enumerate() {
            if port.target == 0 {
                problems.push(
                    Problem::new("rcompose::invalid_port", "container port 0 is not allowed").at_opt(is(&["ports"], i)).help("use a port from 1 to 65535"),
                );
            }
        }
    }

    for (name, vol) in &project.volumes {
        if vol.external && (vol.driver.is_some() || !vol.driver_opts.is_empty()) {
            problems.push(
                Problem::new("rcompose::exclusive_keys", format!("volume `{name}` is external but also sets a driver or driver_opts"))
                    .at_opt(key_span(doc, &["volumes", name, "external"]))
                    .help("an external volume is created outside this project; remove driver and driver_opts"),
            );
        }
    }
    for (name, net) in &project.networks {
        if net.external && (net.driver.is_some() || !net.driver_opts.is_empty()) {
            problems.push(
                Problem::new("rcompose::exclusive_keys", format!("network `{name}` is external but also sets a driver or driver_opts"))
                    .at_opt(key_span(doc, &["networks", name, "external"]))
                    .help("an external network is created outside this project; remove driver and driver_opts"),
            );
        }
    }
    for (section, items) in [("secrets", &project.secrets), ("configs", &project.configs)] {
        for (name, obj) in items {
            let sources = [obj.file.is_some(), obj.environment.is_some(), obj.content.is_some(), obj.external].iter().filter(|b| **b).count();
            if sources != 1 {
                problems.push(
                    Problem::new(
                        "rcompose::exclusive_keys",
                        format!("{} `{name}` must set exactly one of file, environment, content or external", &section[..section.len() - 1]),
                    )
                    .at_opt(key_span(doc, &[section, name]))
                    .help("say where the data comes from with one of these keys"),
                );
            }
        }
    }

    if let Some(cycle) = ServiceGraph::build(project).find_cycle() {
        let first = &cycle.0[0];
        let second = cycle.0.get(1).cloned().unwrap_or_default();
        let span = key_span(doc, &["services", first, "depends_on", &second]).or_else(|| key_span(doc, &["services", first]));
        problems.push(
            Problem::new("rcompose::dependency_cycle", format!("services depend on each other in a cycle: {cycle}"))
                .at_opt(span)
                .label("the cycle starts here")
                .help("remove one of these dependencies so that the services can start in order"),
        );
    }
}
