//! The merged document tree to the typed [`Project`], with compose's defaults.
//!
//! Owns: checking top-level keys, deserializing each service and resource
//! (collecting every error, not only the first), the project name rules,
//! default network, resource names, `env_file` contents, and profiles.

use std::path::PathBuf;

use indexmap::IndexMap;
use serde::de::DeserializeOwned;

use super::de::{did_you_mean, from_node};
use super::env::{self, Vars};
use super::node::{Kind, Node};
use crate::diag::{Problem, Problems};
use crate::model::{Extensions, Network, Project, Service};

pub struct Context {
    pub working_dir: PathBuf,
    pub config_files: Vec<PathBuf>,
    /// `-p` or COMPOSE_PROJECT_NAME.
    pub project_name: Option<String>,
    pub profiles: Vec<String>,
    pub vars: Vars,
}

const TOP_LEVEL: &[&str] = &["version", "name", "include", "services", "networks", "volumes", "secrets", "configs", "models"];

pub fn convert(doc: &Node, ctx: &Context, problems: &mut Problems, warnings: &mut Vec<Problem>) -> Option<Project> {
    let root = doc.as_map()?;
    for e in root.iter() {
        if e.key.starts_with("x-") || TOP_LEVEL.contains(&e.key.as_str()) {
            continue;
        }
        let help = match did_you_mean(&e.key, TOP_LEVEL) {
            Some(s) => format!("did you mean `{s}`? Custom top-level keys must start with `x-`"),
            None => format!("top-level keys are {}; custom keys must start with `x-`", TOP_LEVEL.join(", ")),
        };
        problems.push(Problem::new("rcompose::unknown_key", format!("unknown top-level key `{}`", e.key)).at(e.key_span).help(help));
    }
    if root.contains_key("version") {
        warnings.push(
            Problem::new("rcompose::obsolete_version", "the top-level `version` is obsolete and ignored")
                .at_opt(root.entry("version").map(|e| e.key_span))
                .help("remove `version:` to avoid confusion"),
        );
    }

    let mut project = Project { working_dir: ctx.working_dir.clone(), config_files: ctx.config_files.clone(), ..Project::default() };
    project.extensions.insert(String::new(), extensions(doc));
    project.name = project_name(doc, ctx, problems)?;

    if let Some(services) = section(doc, "services", problems) {
        for e in services {
            if let Some(svc) = typed::<Service>(&e.value, "service", &e.key, problems) {
                project.extensions.insert(format!("services.{}", e.key), extensions(&e.value));
                project.services.insert(e.key.clone(), svc);
            }
        }
    }
    macro_rules! resources {
        ($field:ident, $key:literal, $what:literal) => {
            if let Some(items) = section(doc, $key, problems) {
                for e in items {
                    if let Some(v) = typed(&e.value, $what, &e.key, problems) {
                        project.extensions.insert(format!("{}.{}", $key, e.key), extensions(&e.value));
                        project.$field.insert(e.key.clone(), v);
                    }
                }
            }
        };
    }
    resources!(networks, "networks", "network");
    resources!(volumes, "volumes", "volume");
    resources!(secrets, "secrets", "secret");
    resources!(configs, "configs", "config");
    resources!(models, "models", "model");
    if !problems.is_empty() {
        return None;
    }

    apply_profiles(&mut project, &ctx.profiles);
    apply_env_files(&mut project, doc, &ctx.vars, problems);
    resolve_environment(&mut project, &ctx.vars);
    default_network(&mut project);
    implicit_dependencies(&mut project);
    name_resources(&mut project);
    fill_defaults(&mut project);
    project.extensions.retain(|_, v| !v.is_empty());
    Some(project)
}

fn section<'a>(doc: &'a Node, key: &str, problems: &mut Problems) -> Option<Vec<&'a super::node::Entry>> {
    let node = doc.get(key)?;
    if node.is_null() {
        return None;
    }
    match node.as_map() {
        Some(m) => Some(m.iter().filter(|e| !e.key.starts_with("x-")).collect()),
        None => {
            problems.push(
                Problem::new("rcompose::wrong_type", format!("`{key}` must be a mapping, found {}", node.type_name()))
                    .at(node.span)
                    .help(format!("write `{key}:` followed by indented names")),
            );
            None
        }
    }
}

fn typed<T: DeserializeOwned + Default>(node: &Node, what: &str, name: &str, problems: &mut Problems) -> Option<T> {
    if node.is_null() && what != "service" {
        return Some(T::default());
    }
    if node.as_map().is_none() {
        problems.push(
            Problem::new("rcompose::wrong_type", format!("{what} `{name}` must be a mapping, found {}", node.type_name()))
                .at(node.span)
                .help(format!("define the {what}'s attributes under its name")),
        );
        return None;
    }
    match from_node::<T>(node) {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(e.into_problem());
            None
        }
    }
}

fn extensions(node: &Node) -> Extensions {
    let mut out = Extensions::new();
    if let Some(m) = node.as_map() {
        for e in m.iter().filter(|e| e.key.starts_with("x-")) {
            if let Ok(v) = from_node::<serde_json::Value>(&e.value) {
                out.insert(e.key.clone(), v);
            }
        }
    }
    out
}

/// Lowercases and drops characters compose does not allow in project names.
pub fn normalize_project_name(raw: &str) -> String {
    let lowered: String = raw.to_lowercase().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
    lowered.trim_start_matches(['_', '-']).to_string()
}

pub fn is_valid_project_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn project_name(doc: &Node, ctx: &Context, problems: &mut Problems) -> Option<String> {
    let from_file = doc.get("name").filter(|n| !n.is_null());
    let (name, span, origin) = match (&ctx.project_name, from_file) {
        (Some(n), _) => (n.clone(), None, "the -p flag or COMPOSE_PROJECT_NAME"),
        (None, Some(node)) => match node.as_str() {
            Some(n) => (n.to_string(), Some(node.span), "`name:`"),
            None => {
                problems.push(Problem::new("rcompose::wrong_type", "`name` must be a string").at(node.span));
                return None;
            }
        },
        (None, None) => {
            let dir = ctx.working_dir.file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let n = normalize_project_name(&dir);
            if n.is_empty() {
                problems.push(
                    Problem::new("rcompose::project_name", format!("cannot derive a project name from the directory `{dir}`"))
                        .help("give one with -p NAME or `name:` at the top of the compose file"),
                );
                return None;
            }
            return Some(n);
        }
    };
    if !is_valid_project_name(&name) {
        problems.push(Problem::new("rcompose::project_name", format!("`{name}` (from {origin}) is not a valid project name")).at_opt(span).help(format!(
            "project names use lowercase letters, digits, `-` and `_`, and start with a letter or digit; try `{}`",
            normalize_project_name(&name)
        )));
        return None;
    }
    Some(name)
}

fn apply_profiles(project: &mut Project, active: &[String]) {
    let all = active.iter().any(|p| p == "*");
    let names: Vec<String> = project.services.keys().cloned().collect();
    for name in names {
        let svc = &project.services[&name];
        let enabled = svc.profiles.is_empty() || all || svc.profiles.iter().any(|p| active.contains(p));
        if !enabled {
            let svc = project.services.shift_remove(&name).expect("present");
            project.disabled_services.insert(name, svc);
        }
    }
}

/// `env_file` contents under `environment` (which wins).
fn apply_env_files(project: &mut Project, doc: &Node, vars: &Vars, problems: &mut Problems) {
    for (name, svc) in &mut project.services {
        if svc.env_file.is_empty() {
            continue;
        }
        let mut merged: IndexMap<String, Option<String>> = IndexMap::new();
        for (i, f) in svc.env_file.iter().enumerate() {
            let span = doc.at(&["services", name, "env_file"]).and_then(Node::as_seq).and_then(|s| s.get(i)).map(|n| n.span);
            match env::read_env_file(std::path::Path::new(&f.path), env::format_named(f.format.as_deref()), vars) {
                Ok(Some(values)) => merged.extend(values.into_iter().map(|(k, v)| (k, Some(v)))),
                Ok(None) if !f.required => {}
                Ok(None) => problems.push(
                    Problem::new("rcompose::env_file", format!("env file {} not found", f.path))
                        .at_opt(span)
                        .help("create the file, fix the path, or mark it `required: false`"),
                ),
                Err(p) => problems.push(p.at_opt(span)),
            }
        }
        for (k, v) in std::mem::take(&mut svc.environment) {
            merged.insert(k, v);
        }
        svc.environment = merged;
    }
}

/// `environment: [NAME]` takes NAME's value from the shell or `.env`.
fn resolve_environment(project: &mut Project, vars: &Vars) {
    for svc in project.services.values_mut() {
        for (k, v) in &mut svc.environment {
            if v.is_none() {
                if let Some(found) = vars.get(k) {
                    *v = Some(found.clone());
                }
            }
        }
        if let Some(build) = &mut svc.build {
            // A valueless build arg takes the shell's value, or is dropped.
            build.args.retain(|k, v| {
                if v.is_none() {
                    *v = vars.get(k).cloned();
                }
                v.is_some()
            });
        }
    }
}

/// Services without `networks` join `default`; services run by a
/// `provider` join none, as in docker compose v2.
fn default_network(project: &mut Project) {
    let mut uses_default = false;
    for svc in project.services.values_mut() {
        if svc.networks.is_empty() && svc.network_mode.is_none() && svc.provider.is_none() {
            svc.networks.insert("default".into(), None);
        }
        if svc.networks.contains_key("default") {
            uses_default = true;
        }
    }
    if uses_default && !project.networks.contains_key("default") {
        project.networks.insert("default".into(), Network::default());
    }
}

/// `scale` also sets `deploy.replicas` when there is a `deploy` section, as
/// docker compose v2 prints it (after the check that the two agree).
pub fn scale_into_deploy(project: &mut Project) {
    for svc in project.services.values_mut() {
        if let (Some(scale), Some(deploy)) = (svc.scale, &mut svc.deploy) {
            deploy.replicas = Some(scale);
        }
    }
}

/// Resources no enabled service uses are left out, as docker compose does.
pub fn drop_unused_resources(project: &mut Project) {
    let mut nets = std::collections::HashSet::new();
    let mut vols = std::collections::HashSet::new();
    let mut secrets = std::collections::HashSet::new();
    let mut configs = std::collections::HashSet::new();
    let mut models = std::collections::HashSet::new();
    for svc in project.services.values() {
        models.extend(svc.models.keys().cloned());
        nets.extend(svc.networks.keys().cloned());
        vols.extend(svc.volumes.iter().filter(|m| m.kind == crate::model::MountType::Volume).filter_map(|m| m.source.clone()));
        secrets.extend(svc.secrets.iter().map(|s| s.source.clone()));
        if let Some(b) = &svc.build {
            secrets.extend(b.secrets.iter().map(|s| s.source.clone()));
        }
        configs.extend(svc.configs.iter().map(|c| c.source.clone()));
    }
    project.networks.retain(|k, _| nets.contains(k));
    project.volumes.retain(|k, _| vols.contains(k));
    project.secrets.retain(|k, _| secrets.contains(k));
    project.configs.retain(|k, _| configs.contains(k));
    project.models.retain(|k, _| models.contains(k));
}

/// Dependencies compose adds for `links`, `volumes_from` and
/// `network_mode`/`ipc`/`pid`/`uts`/`cgroup: service:NAME`.
fn implicit_dependencies(project: &mut Project) {
    use crate::model::{Condition, Dependency};
    for svc in project.services.values_mut() {
        let mut implied: Vec<(String, bool)> = Vec::new();
        for link in &svc.links {
            implied.push((link.split(':').next().unwrap_or(link).to_string(), true));
        }
        implied.extend(svc.namespace_services().map(|s| (s.to_string(), true)));
        for v in &svc.volumes_from {
            if let Some(s) = v.service() {
                implied.push((s.to_string(), false));
            }
        }
        for (name, restart) in implied {
            svc.depends_on.entry(name).or_insert(Dependency { condition: Condition::ServiceStarted, restart, required: true });
        }
    }
}

/// Defaults docker compose writes into the model: the Dockerfile name, a
/// port's mode and protocol, secret and config targets, clean container
/// paths. A field written empty gets no default (v2 drops it after).
fn fill_defaults(project: &mut Project) {
    for svc in project.services.values_mut() {
        if let Some(b) = &mut svc.build {
            // An empty `dockerfile:` is dropped after the default would
            // apply, so v2 prints none.
            if b.dockerfile.as_deref() == Some("") {
                b.dockerfile = None;
            } else if b.dockerfile.is_none() && b.dockerfile_inline.is_none() {
                b.dockerfile = Some("Dockerfile".into());
            }
        }
        for p in &mut svc.ports {
            for (field, default) in [(&mut p.mode, "ingress"), (&mut p.protocol, "tcp")] {
                match field.as_deref() {
                    Some("") => *field = None,
                    None => *field = Some(default.into()),
                    Some(_) => {}
                }
            }
        }
        for s in &mut svc.secrets {
            if s.target.is_none() {
                s.target = Some(format!("/run/secrets/{}", s.source));
            }
        }
        for v in &mut svc.volumes {
            if v.target.len() > 1 && v.target.starts_with('/') {
                v.target = super::paths::clean(std::path::Path::new(&v.target)).to_string_lossy().into_owned();
            }
        }
    }
}

/// Gives every network, volume, secret and config its engine name (as
/// written, else the key when external, else `PROJECT_KEY`); the model's
/// `name()` accessors rely on it.
fn name_resources(project: &mut Project) {
    let prefix = project.name.clone();
    let scoped = |key: &str, name: &mut Option<String>, external: bool| {
        if name.is_none() {
            *name = Some(if external { key.to_string() } else { format!("{prefix}_{key}") });
        }
    };
    for (k, n) in &mut project.networks {
        scoped(k, &mut n.name, n.external);
    }
    for (k, v) in &mut project.volumes {
        scoped(k, &mut v.name, v.external);
    }
    for (k, s) in project.secrets.iter_mut().chain(project.configs.iter_mut()) {
        scoped(k, &mut s.name, s.external);
    }
    let _ = Kind::Seq(Vec::new());
}
