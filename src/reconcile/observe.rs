//! What the engine has for a project: the only reads of engine state.
//!
//! Owns: listing the project's containers, volumes and networks by the
//! `com.docker.compose.project` label (one call each), looking up the named
//! resources the project needs, and reading image ids. Converts engine types
//! into plain [`Observed`] data that the planner can use without an engine.

use std::collections::HashMap;

use bollard::query_parameters::{ListContainersOptionsBuilder, ListNetworksOptionsBuilder, ListVolumesOptionsBuilder};
use indexmap::IndexMap;

use crate::engine::labels::{self, ContainerLabels};
use crate::engine::{call, Engine, EngineError};
use crate::model::Project;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Created,
    Running,
    Paused,
    Restarting,
    Exited,
    Dead,
    Removing,
}

impl State {
    fn parse(s: &str) -> State {
        match s {
            "running" => State::Running,
            "paused" => State::Paused,
            "restarting" => State::Restarting,
            "exited" => State::Exited,
            "dead" => State::Dead,
            "removing" => State::Removing,
            _ => State::Created,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            State::Created => "created",
            State::Running => "running",
            State::Paused => "paused",
            State::Restarting => "restarting",
            State::Exited => "exited",
            State::Dead => "dead",
            State::Removing => "removing",
        }
    }
}

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
    pub ports: Vec<String>,
    /// Engine volumes mounted: (volume name, container path).
    pub volumes: Vec<(String, String)>,
    pub all_labels: HashMap<String, String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObservedVolume {
    pub name: String,
    pub driver: String,
    pub labels: HashMap<String, String>,
    pub options: HashMap<String, String>,
    pub mountpoint: String,
}

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

fn name_of(names: Option<&Vec<String>>) -> String {
    names.and_then(|n| n.first()).map(|n| n.trim_start_matches('/').to_string()).unwrap_or_default()
}

/// Lists the project's containers (all states), volumes and networks, the
/// named volumes and networks `project` uses, and its images.
pub async fn observe(engine: &Engine, project: &Project, images: &[String]) -> Result<Observed, EngineError> {
    observe_scoped(engine, project, images, true).await
}

/// Only the project's containers (one engine request): for commands that
/// look at nothing else (`ps`, `logs`, `exec`, the lifecycle commands).
pub async fn observe_containers(engine: &Engine, project: &Project) -> Result<Observed, EngineError> {
    observe_scoped(engine, project, &[], false).await
}

async fn observe_scoped(engine: &Engine, project: &Project, images: &[String], resources: bool) -> Result<Observed, EngineError> {
    let filter = HashMap::from([("label".to_string(), vec![labels::project_filter(&project.name)])]);
    let containers_opts = ListContainersOptionsBuilder::default().all(true).filters(&filter).build();
    let wanted_volumes: Vec<String> = project.volumes.values().map(|v| v.name().to_string()).collect();
    let wanted_networks: Vec<String> = project.networks.values().map(|n| n.name().to_string()).collect();

    let d = &engine.docker;
    let containers = call("list containers", d.list_containers(Some(containers_opts)));
    let volumes = async {
        match resources {
            true => call("list volumes", d.list_volumes(Some(ListVolumesOptionsBuilder::default().build()))).await,
            false => Ok(Default::default()),
        }
    };
    let networks = async {
        match resources {
            true => call("list networks", d.list_networks(Some(ListNetworksOptionsBuilder::default().build()))).await,
            false => Ok(Vec::new()),
        }
    };
    // Services often share an image: one lookup each.
    let mut unique: Vec<&String> = images.iter().collect();
    unique.sort();
    unique.dedup();
    let image_lookups = futures::future::join_all(unique.into_iter().map(|i| async move {
        let r = d.inspect_image(i).await;
        (i.clone(), r.ok().and_then(|img| img.id))
    }));
    let (containers, volumes, networks, image_ids) = tokio::join!(containers, volumes, networks, image_lookups);

    let mut observed = Observed::default();
    for c in containers? {
        let all_labels = c.labels.clone().unwrap_or_default();
        let Some(l) = ContainerLabels::parse(&all_labels) else { continue };
        let ports = c
            .ports
            .unwrap_or_default()
            .iter()
            .map(|p| match (p.ip.as_deref(), p.public_port) {
                (Some(ip), Some(pub_port)) => format!("{ip}:{pub_port}->{}/{}", p.private_port, p.typ.map(|t| t.to_string()).unwrap_or_default()),
                _ => format!("{}/{}", p.private_port, p.typ.map(|t| t.to_string()).unwrap_or_default()),
            })
            .collect();
        observed.containers.push(ObservedContainer {
            id: c.id.unwrap_or_default(),
            name: name_of(c.names.as_ref()),
            labels: l,
            state: State::parse(&c.state.map(|s| s.to_string()).unwrap_or_default()),
            status: c.status.unwrap_or_default(),
            image: c.image.unwrap_or_default(),
            image_id: c.image_id.unwrap_or_default(),
            created: c.created.unwrap_or_default(),
            command: c.command.unwrap_or_default(),
            ports,
            volumes: c
                .mounts
                .unwrap_or_default()
                .into_iter()
                .filter(|m| m.typ.clone().as_deref() == Some("volume"))
                .filter_map(|m| Some((m.name?, m.destination?)))
                .collect(),
            all_labels,
        });
    }
    observed.containers.sort_by(|a, b| a.name.cmp(&b.name));
    for v in volumes?.volumes.unwrap_or_default() {
        let mine = v.labels.get(labels::PROJECT).is_some_and(|p| p == &project.name);
        if mine || wanted_volumes.contains(&v.name) {
            observed
                .volumes
                .insert(v.name.clone(), ObservedVolume { name: v.name, driver: v.driver, labels: v.labels, options: v.options, mountpoint: v.mountpoint });
        }
    }
    for n in networks? {
        let name = n.name.clone().unwrap_or_default();
        let labels = n.labels.clone().unwrap_or_default();
        let mine = labels.get(labels::PROJECT).is_some_and(|p| p == &project.name);
        if mine || wanted_networks.contains(&name) {
            observed.networks.insert(name.clone(), ObservedNetwork { name, id: n.id.unwrap_or_default(), labels });
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
pub async fn observe_outside_users(engine: &Engine, project: &str, volumes: &[String]) -> Result<HashMap<String, Vec<String>>, EngineError> {
    let mut users: HashMap<String, Vec<String>> = HashMap::new();
    if volumes.is_empty() {
        return Ok(users);
    }
    let filter = HashMap::from([("volume".to_string(), volumes.to_vec())]);
    let opts = ListContainersOptionsBuilder::default().all(true).filters(&filter).build();
    for c in call("list containers by volume", engine.docker.list_containers(Some(opts))).await? {
        let labels = c.labels.clone().unwrap_or_default();
        if labels.get(labels::PROJECT).is_some_and(|p| p == project) {
            continue;
        }
        let name = name_of(c.names.as_ref());
        for m in c.mounts.unwrap_or_default() {
            if let Some(v) = m.name.filter(|v| volumes.contains(v)) {
                users.entry(v).or_default().push(name.clone());
            }
        }
    }
    Ok(users)
}
