//! What the engine has for a project: the only reads of engine state.
//!
//! Owns: listing the project's containers, volumes and networks by the
//! `com.docker.compose.project` label (one call each), looking up the named
//! resources the project needs, and reading image ids. Converts engine types
//! into plain [`Observed`] data that the planner can use without an engine.

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::engine::labels::{self, ContainerLabels};
pub use crate::engine::State;
use crate::engine::{ContainerQuery, Engine, EngineError, MountSummary, PortSummary, VolumeSummary};
use crate::model::Project;

#[derive(Clone, Debug, PartialEq)]
pub struct ObservedContainer {
    pub id: String,
    pub name: String,
    pub labels: ContainerLabels,
    pub state: State,
    /// `docker ps` status text, e.g. "Up 3 seconds (healthy)".
    pub status: String,
    pub image: String,
    pub image_id: String,
    pub created: i64,
    pub command: String,
    pub ports: Vec<PortSummary>,
    /// Engine volumes mounted: (volume name, container path).
    pub volumes: Vec<(String, String)>,
    /// Every mount, binds and tmpfs included, in the engine's order.
    pub mounts: Vec<MountSummary>,
    /// Networks it is attached to, sorted.
    pub networks: Vec<String>,
    pub all_labels: HashMap<String, String>,
}

/// A volume the project has or names.
pub type ObservedVolume = VolumeSummary;

#[derive(Clone, Debug, PartialEq)]
pub struct ObservedNetwork {
    pub name: String,
    pub id: String,
    pub labels: HashMap<String, String>,
}

/// Engine state relevant to one project.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observed {
    /// The project's containers, by name order.
    pub containers: Vec<ObservedContainer>,
    /// Volumes by engine name: the project's and those it names.
    pub volumes: IndexMap<String, ObservedVolume>,
    /// Networks by engine name: the project's and those it names.
    pub networks: IndexMap<String, ObservedNetwork>,
    /// Image reference → image id, for images that exist locally.
    pub images: HashMap<String, String>,
    /// Volume → containers outside the project that mount it (filled by
    /// [`observe_outside_users`] where it matters: `down -v`).
    pub outside_users: HashMap<String, Vec<String>>,
}

impl ObservedContainer {
    /// A container as a test would observe it (no engine involved).
    pub fn example(project: &str, service: &str, number: u32, name: &str, config_hash: &str, state: State) -> ObservedContainer {
        ObservedContainer {
            id: format!("id-{name}"),
            name: name.into(),
            labels: ContainerLabels { project: project.into(), service: service.into(), number, oneoff: false, config_hash: config_hash.into() },
            state,
            status: String::new(),
            image: String::new(),
            image_id: String::new(),
            created: 0,
            command: String::new(),
            ports: Vec::new(),
            volumes: Vec::new(),
            mounts: Vec::new(),
            networks: Vec::new(),
            all_labels: HashMap::new(),
        }
    }
}

impl Observed {
    /// Replica `number` of a service.
    pub fn replica(&self, service: &str, number: u32) -> Option<&ObservedContainer> {
        self.service_containers(service).into_iter().find(|c| c.labels.number == number)
    }

    pub fn service_containers(&self, service: &str) -> Vec<&ObservedContainer> {
        let mut v: Vec<&ObservedContainer> = self.containers.iter().filter(|c| c.labels.service == service && !c.labels.oneoff).collect();
        v.sort_by_key(|c| c.labels.number);
        v
    }
}

/// Lists the project's containers (all states), volumes and networks, the
/// named volumes and networks `project` uses, and its images.
pub async fn observe(engine: &dyn Engine, project: &Project, images: &[String]) -> Result<Observed, EngineError> {
    observe_scoped(engine, project, images, true).await
}

/// Only the project's containers (one engine request): for commands that
/// look at nothing else (`ps`, `logs`, `exec`, the lifecycle commands).
pub async fn observe_containers(engine: &dyn Engine, project: &Project) -> Result<Observed, EngineError> {
    observe_scoped(engine, project, &[], false).await
}

async fn observe_scoped(engine: &dyn Engine, project: &Project, images: &[String], resources: bool) -> Result<Observed, EngineError> {
    let query = ContainerQuery { all: true, labels: vec![labels::project_filter(&project.name)], volumes: Vec::new() };
    let wanted_volumes: Vec<String> = project.volumes.values().map(|v| v.name().to_string()).collect();
    let wanted_networks: Vec<String> = project.networks.values().map(|n| n.name().to_string()).collect();

    let containers = engine.list_containers(&query);
    let volumes = async {
        match resources {
            true => engine.list_volumes().await,
            false => Ok(Vec::new()),
        }
    };
    let networks = async {
        match resources {
            true => engine.list_networks(&[]).await,
            false => Ok(Vec::new()),
        }
    };
    // Services often share an image: one lookup each.
    let mut unique: Vec<&String> = images.iter().collect();
    unique.sort();
    unique.dedup();
    let image_lookups = futures::future::join_all(unique.into_iter().map(|i| async move {
        // A failed lookup counts as missing: `up` then pulls or builds it.
        (i.clone(), engine.image_id(i).await.ok().flatten())
    }));
    let (containers, volumes, networks, image_ids) = tokio::join!(containers, volumes, networks, image_lookups);

    let mut observed = Observed::default();
    for c in containers? {
        let Some(l) = ContainerLabels::parse(&c.labels) else { continue };
        observed.containers.push(ObservedContainer {
            id: c.id,
            name: c.name,
            labels: l,
            state: c.state,
            status: c.status,
            image: c.image,
            image_id: c.image_id,
            created: c.created,
            command: c.command,
            ports: c.ports,
            volumes: c.mounts.iter().filter_map(|m| Some((m.volume()?.to_string(), m.destination.clone()))).collect(),
            mounts: c.mounts,
            networks: c.networks,
            all_labels: c.labels,
        });
    }
    observed.containers.sort_by(|a, b| a.name.cmp(&b.name));
    for v in volumes? {
        let mine = v.labels.get(labels::PROJECT).is_some_and(|p| p == &project.name);
        if mine || wanted_volumes.contains(&v.name) {
            observed.volumes.insert(v.name.clone(), v);
        }
    }
    for n in networks? {
        let mine = n.labels.get(labels::PROJECT).is_some_and(|p| p == &project.name);
        if mine || wanted_networks.contains(&n.name) {
            observed.networks.insert(n.name.clone(), ObservedNetwork { name: n.name, id: n.id, labels: n.labels });
        }
    }
    for (image, id) in image_ids {
        if let Some(id) = id {
            observed.images.insert(image, id);
        }
    }
    Ok(observed)
}

/// Which of `volumes` containers outside the project also mount (a service
/// with `volumes_from: [container:NAME]` mounts that container's anonymous
/// volumes, which are not the project's to remove). One engine request.
pub async fn observe_outside_users(engine: &dyn Engine, project: &str, volumes: &[String]) -> Result<HashMap<String, Vec<String>>, EngineError> {
    let mut users: HashMap<String, Vec<String>> = HashMap::new();
    if volumes.is_empty() {
        return Ok(users);
    }
    let query = ContainerQuery { all: true, labels: Vec::new(), volumes: volumes.to_vec() };
    for c in engine.list_containers(&query).await? {
        if c.labels.get(labels::PROJECT).is_some_and(|p| p == project) {
            continue;
        }
        for m in &c.mounts {
            if let Some(v) = m.name.as_ref().filter(|v| volumes.contains(v)) {
                users.entry(v.clone()).or_default().push(c.name.clone());
            }
        }
    }
    Ok(users)
}
