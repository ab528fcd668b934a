//! An engine in memory, for tests of everything above the seam.
//!
//! Owns: a small model of containers, networks, volumes and images that
//! answers the [`Engine`](super::Engine) requests the way the Docker engine does where
//! rcompose relies on it (name conflicts, 404s, `die` events, exit codes,
//! health), a log of the calls made, and faults a test can inject: an error
//! for one call, a call that never answers, a wait whose connection drops.
//! Never a stand-in for the end-to-end tests, which run the real engine.

mod engine;
mod events;
mod snapshot;

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::broadcast;

use super::types::*;
use super::{wire, ApiVersion, EngineError};

/// What a scripted container does when started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OnStart {
    /// Keeps running (healthy, if it has a health check).
    Run,
    /// Keeps running; its health check reports unhealthy.
    RunUnhealthy,
    /// Keeps running; its health check never gets past starting.
    RunStarting,
    /// Exits at once with this code.
    Exit(i64),
}

/// What an injected fault does to a call.
#[derive(Clone, Debug)]
pub enum Fault {
    Fail(EngineError),
    /// Never answers (until the caller gives up or is dropped).
    Hang,
}

#[derive(Clone, Debug)]
struct Container {
    summary: ContainerSummary,
    details: ContainerDetails,
    body: wire::ContainerCreateBody,
}

#[derive(Default)]
struct State {
    containers: Vec<Container>,
    networks: Vec<NetworkSummary>,
    volumes: Vec<VolumeSummary>,
    images: HashMap<String, String>,
    calls: Vec<String>,
    faults: HashMap<String, Fault>,
    on_start: HashMap<String, OnStart>,
    next_id: u64,
}

/// An engine in memory. See the module docs.
pub struct FakeEngine {
    api: ApiVersion,
    state: Mutex<State>,
    events: broadcast::Sender<EngineEvent>,
}

impl Default for FakeEngine {
    fn default() -> Self {
        FakeEngine::new()
    }
}

pub(crate) fn not_found(action: &str, what: &str) -> EngineError {
    EngineError::Refused { action: action.into(), message: format!("No such {what}"), status: 404 }
}

impl FakeEngine {
    /// An empty engine speaking API 1.41.
    pub fn new() -> FakeEngine {
        FakeEngine { api: ApiVersion(1, 41), state: Mutex::new(State::default()), events: broadcast::channel(1024).0 }
    }

    /// An empty engine speaking another API version.
    pub fn with_api(api: ApiVersion) -> FakeEngine {
        FakeEngine { api, ..FakeEngine::new() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Makes an image present locally.
    pub fn add_image(&self, reference: &str) {
        let mut s = self.lock();
        let id = format!("sha256:{:064x}", s.images.len() + 1);
        s.images.insert(reference.into(), id);
    }

    /// Scripts what the container named `name` does when started.
    pub fn on_start(&self, name: &str, behaviour: OnStart) {
        self.lock().on_start.insert(name.into(), behaviour);
    }

    /// Injects a fault into the call logged as `call` (see [`Self::calls`]),
    /// for every time it is made.
    pub fn fault(&self, call: &str, fault: Fault) {
        self.lock().faults.insert(call.into(), fault);
    }

    /// Takes every injected fault back.
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// The create request of the container named `name`.
    pub fn body_of(&self, name: &str) -> Option<wire::ContainerCreateBody> {
        self.lock().containers.iter().find(|c| c.summary.name == name).map(|c| c.body.clone())
    }

    /// The calls made so far, e.g. `start demo-web-1`, `create network
    /// demo_default`. Reads (lists, inspects, image lookups) are not logged.
    pub fn calls(&self) -> Vec<String> {
        self.lock().calls.clone()
    }

    /// Names of the containers that exist, sorted.
    pub fn container_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.lock().containers.iter().map(|c| c.summary.name.clone()).collect();
        v.sort();
        v
    }

    /// The state of the container named `name`.
    pub fn state_of(&self, name: &str) -> Option<super::State> {
        self.lock().containers.iter().find(|c| c.summary.name == name).map(|c| c.summary.state)
    }

    /// Names of the networks and volumes that exist.
    pub fn resource_names(&self) -> (Vec<String>, Vec<String>) {
        let s = self.lock();
        (s.networks.iter().map(|n| n.name.clone()).collect(), s.volumes.iter().map(|v| v.name.clone()).collect())
    }

    /// Logs a call and applies its fault, if any.
    async fn enter(&self, call: String) -> Result<(), EngineError> {
        match self.enter_now(&call) {
            None => Ok(()),
            Some(Fault::Fail(e)) => Err(e),
            Some(Fault::Hang) => std::future::pending().await,
        }
    }

    /// Logs a call that returns a stream; its fault, if any.
    fn enter_now(&self, call: &str) -> Option<Fault> {
        let mut s = self.lock();
        s.calls.push(call.to_string());
        s.faults.get(call).cloned()
    }

    fn emit(&self, c: &Container, action: &str) {
        let mut attributes = c.summary.labels.clone();
        attributes.insert("name".into(), c.summary.name.clone());
        let event = EngineEvent { kind: "container".into(), action: action.into(), id: c.summary.id.clone(), attributes, time_nanos: 0 };
        let _ = self.events.send(event);
    }

    /// Applies `change` to the container `id`, then emits `actions`.
    fn update(&self, id: &str, action: &str, change: impl FnOnce(&mut Container, &HashMap<String, OnStart>)) -> Result<(), EngineError> {
        let mut s = self.lock();
        let on_start = s.on_start.clone();
        let c = s.containers.iter_mut().find(|c| c.summary.id == id).ok_or_else(|| not_found(action, "container"))?;
        change(c, &on_start);
        let c = c.clone();
        drop(s);
        match (c.summary.state, action) {
            (super::State::Running, _) => {
                self.emit(&c, "start");
                match c.details.health {
                    Some(Health::Healthy) => self.emit(&c, "health_status: healthy"),
                    Some(Health::Unhealthy) => self.emit(&c, "health_status: unhealthy"),
                    Some(Health::Starting) | None => {}
                }
            }
            (super::State::Exited, _) => self.emit(&c, "die"),
            _ => {}
        }
        Ok(())
    }
}
