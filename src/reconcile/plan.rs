//! The planner: desired project + observed engine state → a list of
//! operations, each with its reason.
//!
//! Pure and deterministic: no engine, no I/O, no printing. Running the plan
//! and observing again must give an empty plan (see the tests).

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use crate::graph::ServiceGraph;
use crate::model::{MountType, Project, Service, VolumesFrom};

use super::drift::{options_change, Change};
use super::hash::config_hash;
use super::observe::{Observed, ObservedContainer, State};

#[derive(Clone, Debug, Default)]
pub struct UpOptions {
    /// Services asked for; empty means all.
    pub services: Vec<String>,
    pub no_deps: bool,
    pub force_recreate: bool,
    pub no_recreate: bool,
    pub remove_orphans: bool,
    /// `--scale svc=N`.
    pub scale: HashMap<String, u32>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    Missing,
    ConfigChanged,
    ImageChanged,
    Forced,
    DependencyRecreated(String),
    NotRunning,
    UpToDate,
    Orphan,
    ScaledDown,
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Missing => f.write_str("missing"),
            Cause::ConfigChanged => f.write_str("config changed"),
            Cause::ImageChanged => f.write_str("image changed"),
            Cause::Forced => f.write_str("--force-recreate"),
            Cause::DependencyRecreated(s) => write!(f, "{s} was recreated"),
            Cause::NotRunning => f.write_str("not running"),
            Cause::UpToDate => f.write_str("up to date"),
            Cause::Orphan => f.write_str("orphan"),
            Cause::ScaledDown => f.write_str("scaled down"),
        }
    }
}

/// The container a recreate replaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replaced {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    CreateNetwork {
        key: String,
        name: String,
    },
    CreateVolume {
        key: String,
        name: String,
    },
    /// Create and start a container; with `replaces`, the old one is stopped
    /// and removed and its anonymous volumes are handed over.
    CreateContainer {
        service: String,
        number: u32,
        name: String,
        replaces: Option<Replaced>,
        cause: Cause,
    },
    StartContainer {
        service: String,
        name: String,
        id: String,
        cause: Cause,
    },
    KeepContainer {
        service: String,
        name: String,
        id: String,
    },
    RemoveContainer {
        service: String,
        name: String,
        id: String,
        cause: Cause,
    },
}

impl Op {
    pub fn service(&self) -> Option<&str> {
        match self {
            Op::CreateContainer { service, .. }
            | Op::StartContainer { service, .. }
            | Op::KeepContainer { service, .. }
            | Op::RemoveContainer { service, .. } => Some(service),
            _ => None,
        }
    }

    /// True when the op changes nothing.
    pub fn is_noop(&self) -> bool {
        matches!(self, Op::KeepContainer { .. })
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::CreateNetwork { name, .. } => write!(f, "create network {name} (missing)"),
            Op::CreateVolume { name, .. } => write!(f, "create volume {name} (missing)"),
            Op::CreateContainer { name, replaces: None, cause, .. } => write!(f, "create container {name} ({cause})"),
            Op::CreateContainer { name, replaces: Some(_), cause, .. } => write!(f, "recreate container {name} ({cause})"),
            Op::StartContainer { name, cause, .. } => write!(f, "start container {name} ({cause})"),
            Op::KeepContainer { name, .. } => write!(f, "keep container {name} (up to date)"),
            Op::RemoveContainer { name, cause, .. } => write!(f, "remove container {name} ({cause})"),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub ops: Vec<Op>,
    /// Services the plan touches, in start order.
    pub services: Vec<String>,
    pub warnings: Vec<String>,
}

impl Plan {
    /// Whether running the plan would change anything.
    pub fn changes_nothing(&self) -> bool {
        self.ops.iter().all(Op::is_noop)
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum PlanError {
    #[error("external volume \"{name}\" not found")]
    #[diagnostic(
        code(rcompose::missing_external_volume),
        help("create it first with `docker volume create {name}`, or remove `external: true` so the project creates it")
    )]
    MissingExternalVolume { key: String, name: String },
    #[error("external network \"{name}\" not found")]
    #[diagnostic(
        code(rcompose::missing_external_network),
        help("create it first with `docker network create {name}`, or remove `external: true` so the project creates it")
    )]
    MissingExternalNetwork { key: String, name: String },
    #[error("no such service: {0}")]
    #[diagnostic(code(rcompose::unknown_service), help("`rcompose config --services` lists the services"))]
    UnknownService(String),
    #[error("services depend on each other in a cycle: {0}")]
    #[diagnostic(code(rcompose::dependency_cycle))]
    Cycle(String),
}

/// The container name of replica `number`.
pub fn container_name(project: &Project, service_name: &str, service: &Service, number: u32) -> String {
    match &service.container_name {
        Some(n) => n.clone(),
        None => format!("{}-{service_name}-{number}", project.name),
    }
}

/// The image a service runs: `image`, else `PROJECT-SERVICE` (built).
pub fn image_ref(project: &Project, service_name: &str, service: &Service) -> String {
    crate::render::image_name(project, service_name, service)
}

/// Services in scope: those asked for and, unless `no_deps`, everything they
/// depend on; in start order.
pub fn scope(project: &Project, opts: &UpOptions) -> Result<Vec<String>, PlanError> {
    for s in &opts.services {
        if !project.services.contains_key(s) {
            return Err(PlanError::UnknownService(s.clone()));
        }
    }
    let graph = ServiceGraph::build(project);
    let levels = graph.levels().map_err(|c| PlanError::Cycle(c.to_string()))?;
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    if opts.services.is_empty() {
        wanted.extend(project.services.keys().cloned());
    } else {
        let mut stack: Vec<String> = opts.services.clone();
        while let Some(s) = stack.pop() {
            if !wanted.insert(s.clone()) || opts.no_deps {
                continue;
            }
            for (dep, _) in graph.dependencies(&s) {
                stack.push(dep.to_string());
            }
        }
    }
    Ok(levels.into_iter().flatten().filter(|s| wanted.contains(s)).collect())
}

fn replicas(project: &Project, name: &str, opts: &UpOptions) -> u32 {
    opts.scale.get(name).copied().unwrap_or_else(|| Project::replicas(&project.services[name]))
}

fn needs_recreate(project: &Project, name: &str, svc: &Service, c: &ObservedContainer, observed: &Observed, opts: &UpOptions) -> Option<Cause> {
    if opts.no_recreate {
        return None;
    }
    if opts.force_recreate {
        return Some(Cause::Forced);
    }
    if c.labels.config_hash != config_hash(svc) {
        return Some(Cause::ConfigChanged);
    }
    let image = image_ref(project, name, svc);
    match observed.images.get(&image) {
        Some(id) if !c.image_id.is_empty() && id != &c.image_id => Some(Cause::ImageChanged),
        _ => None,
    }
}

/// Plans `up`.
pub fn plan_up(project: &Project, observed: &Observed, opts: &UpOptions) -> Result<Plan, PlanError> {
    let services = scope(project, opts)?;
    let mut plan = Plan { services: services.clone(), ..Plan::default() };

    // Networks and volumes the services in scope use.
    let mut nets: BTreeSet<&str> = BTreeSet::new();
    let mut vols: BTreeSet<&str> = BTreeSet::new();
    for name in &services {
        let svc = &project.services[name];
        nets.extend(svc.networks.keys().map(String::as_str));
        for m in &svc.volumes {
            if let (MountType::Volume, Some(src)) = (m.kind, &m.source) {
                vols.insert(src);
            }
        }
    }
    for (key, net) in &project.networks {
        if !nets.contains(key.as_str()) {
            continue;
        }
        let name = net.name().to_string();
        match (observed.networks.contains_key(&name), net.external) {
            (false, true) => return Err(PlanError::MissingExternalNetwork { key: key.clone(), name }),
            (false, false) => plan.ops.push(Op::CreateNetwork { key: key.clone(), name }),
            _ => {}
        }
    }
    for (key, vol) in &project.volumes {
        if !vols.contains(key.as_str()) {
            continue;
        }
        let name = vol.name().to_string();
        match (observed.volumes.get(&name), vol.external) {
            (None, true) => return Err(PlanError::MissingExternalVolume { key: key.clone(), name }),
            (None, false) => plan.ops.push(Op::CreateVolume { key: key.clone(), name }),
            (Some(found), false) => {
                if let Some(Change::Options { had, wanted }) = options_change(vol, found) {
                    plan.warnings.push(format!(
                        "volume \"{name}\" exists with driver {} and options {:?}, but the file asks for driver {} and options {:?}; it is used as it is; `rcompose up --migrate-volumes` moves its data into a volume made as the file asks and keeps the old data in a volume of its own",
                        had.0, had.1, wanted.0, wanted.1
                    ));
                }
                let owner = found.labels.get(crate::engine::labels::PROJECT);
                if owner.is_some_and(|o| o != &project.name) {
                    plan.warnings.push(format!(
                        "volume \"{name}\" already exists but was created for project \"{}\" (expected \"{}\"); use `external: true` to share it on purpose",
                        owner.map(String::as_str).unwrap_or(""),
                        project.name
                    ));
                } else if owner.is_none() {
                    plan.warnings
                        .push(format!("volume \"{name}\" already exists but was not created by compose; use `external: true` to use an existing volume"));
                }
            }
            (Some(_), true) => {}
        }
    }

    // Containers, in start order, with recreates propagated to services that
    // share a namespace or volumes with a recreated one.
    let mut recreated: BTreeSet<String> = BTreeSet::new();
    for name in &services {
        let svc = &project.services[name];
        let want = replicas(project, name, opts);
        let existing = observed.service_containers(name);
        let inherited_cause = shared_with(svc).into_iter().find(|d| recreated.contains(*d)).map(|d| Cause::DependencyRecreated(d.to_string()));
        let mut used_numbers: BTreeSet<u32> = BTreeSet::new();
        for c in existing.iter().take(want as usize) {
            used_numbers.insert(c.labels.number);
            let cause = needs_recreate(project, name, svc, c, observed, opts).or_else(|| if opts.no_recreate { None } else { inherited_cause.clone() });
            let replaced = Replaced { id: c.id.clone(), name: c.name.clone() };
            match cause {
                Some(cause) => {
                    recreated.insert(name.clone());
                    plan.ops.push(Op::CreateContainer {
                        service: name.clone(),
                        number: c.labels.number,
                        name: container_name(project, name, svc, c.labels.number),
                        replaces: Some(replaced),
                        cause,
                    });
                }
                None if c.state != State::Running => {
                    plan.ops.push(Op::StartContainer { service: name.clone(), name: c.name.clone(), id: c.id.clone(), cause: Cause::NotRunning });
                }
                None => plan.ops.push(Op::KeepContainer { service: name.clone(), name: c.name.clone(), id: c.id.clone() }),
            }
        }
        let mut next = 1;
        for _ in existing.len()..want as usize {
            while used_numbers.contains(&next) || existing.iter().any(|c| c.labels.number == next) {
                next += 1;
            }
            used_numbers.insert(next);
            plan.ops.push(Op::CreateContainer {
                service: name.clone(),
                number: next,
                name: container_name(project, name, svc, next),
                replaces: None,
                cause: Cause::Missing,
            });
        }
        for c in existing.iter().skip(want as usize) {
            plan.ops.push(Op::RemoveContainer { service: name.clone(), name: c.name.clone(), id: c.id.clone(), cause: Cause::ScaledDown });
        }
    }

    // Orphans: containers of services the project no longer has.
    let orphans: Vec<&ObservedContainer> = observed
        .containers
        .iter()
        .filter(|c| !c.labels.oneoff && !project.services.contains_key(&c.labels.service) && !project.disabled_services.contains_key(&c.labels.service))
        .collect();
    if !orphans.is_empty() {
        if opts.remove_orphans {
            for c in orphans {
                plan.ops.push(Op::RemoveContainer { service: c.labels.service.clone(), name: c.name.clone(), id: c.id.clone(), cause: Cause::Orphan });
            }
        } else {
            let names: Vec<&str> = orphans.iter().map(|c| c.name.as_str()).collect();
            plan.warnings.push(format!(
                "found orphan containers ({}) for this project; if you removed or renamed their service, run this command with --remove-orphans to clean them up",
                names.join(", ")
            ));
        }
    }
    Ok(plan)
}

/// Services whose containers this one shares a namespace or volumes with.
fn shared_with(svc: &Service) -> Vec<&str> {
    let mut out: Vec<&str> = svc.volumes_from.iter().filter_map(VolumesFrom::service).collect();
    out.extend(svc.namespace_services());
    out
}

#[cfg(test)]
mod tests;
