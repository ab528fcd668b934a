//! The engine's vocabulary as rcompose speaks it: what a request asks for
//! and what an observation reports, as plain owned data.
//!
//! Owns: every type that crosses the [`Engine`](super::Engine) seam except
//! container and endpoint bodies, which are the Docker API's own schema
//! (re-exported as [`wire`](super::wire)) because rcompose maps nearly all of
//! it. Nothing here talks to an engine.

mod exec;
mod images;
mod stats;

use std::collections::HashMap;

pub use exec::*;
pub use images::*;
pub use stats::*;

/// A container as a list call reports it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContainerSummary {
    pub id: String,
    /// Without the leading `/`.
    pub name: String,
    pub labels: HashMap<String, String>,
    pub state: State,
    /// `docker ps` status text, e.g. "Up 3 seconds (healthy)".
    pub status: String,
    pub image: String,
    pub image_id: String,
    pub created: i64,
    pub command: String,
    pub ports: Vec<PortSummary>,
    pub mounts: Vec<MountSummary>,
    /// Names of the networks it is attached to, sorted.
    pub networks: Vec<String>,
}

/// One published or exposed port of a container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortSummary {
    pub ip: Option<String>,
    pub private_port: u16,
    pub public_port: Option<u16>,
    pub protocol: String,
}

impl std::fmt::Display for PortSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.ip, self.public_port) {
            (Some(ip), Some(public)) => write!(f, "{ip}:{public}->{}/{}", self.private_port, self.protocol),
            _ => write!(f, "{}/{}", self.private_port, self.protocol),
        }
    }
}

/// One mount of a container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MountSummary {
    /// `volume`, `bind`, `tmpfs`, ...
    pub kind: String,
    /// The volume's name, for volume mounts.
    pub name: Option<String>,
    /// The host side: a path for binds, the volume's mount point for volumes.
    pub source: String,
    /// The volume driver, for volume mounts.
    pub driver: Option<String>,
    pub destination: String,
    /// Writable (not `ro`).
    pub read_write: bool,
}

impl MountSummary {
    /// The volume's name when this is a volume mount.
    pub fn volume(&self) -> Option<&str> {
        (self.kind == "volume").then_some(self.name.as_deref()).flatten()
    }
}

/// A container's lifecycle state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum State {
    #[default]
    Created,
    Running,
    Paused,
    Restarting,
    Exited,
    Dead,
    Removing,
}

impl State {
    /// Reads the engine's word for a state; an unknown one counts as created.
    pub fn parse(s: &str) -> State {
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

/// Health as the engine reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    Starting,
    Healthy,
    Unhealthy,
}

/// What an inspect of one container says, as far as rcompose reads it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContainerDetails {
    pub id: String,
    /// Without the leading `/`.
    pub name: String,
    pub state: State,
    pub running: bool,
    pub restarting: bool,
    pub exit_code: Option<i64>,
    /// Present once the engine runs health checks for it.
    pub health: Option<Health>,
    /// Output of the last health check, trimmed.
    pub last_health_output: Option<String>,
    /// Whether its config has a health check (not `NONE`).
    pub has_healthcheck: bool,
    /// Names of the networks it is connected to.
    pub networks: Vec<String>,
    pub mounts: Vec<MountSummary>,
    /// Its config asks for a TTY.
    pub tty: bool,
    /// Its config keeps stdin open (`stdin_open`).
    pub open_stdin: bool,
}

/// A volume as listed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VolumeSummary {
    pub name: String,
    pub driver: String,
    pub labels: HashMap<String, String>,
    pub options: HashMap<String, String>,
    pub mountpoint: String,
}

/// A network as listed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkSummary {
    pub name: String,
    pub id: String,
    pub labels: HashMap<String, String>,
    /// Creation time as the engine writes it (sortable text).
    pub created: String,
}

/// Which containers a list call returns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContainerQuery {
    /// Stopped ones too.
    pub all: bool,
    /// `key=value` label filters, all of which must match.
    pub labels: Vec<String>,
    /// Containers mounting any of these volumes.
    pub volumes: Vec<String>,
}

/// A network to create.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkSpec {
    pub name: String,
    pub driver: Option<String>,
    pub internal: bool,
    pub attachable: bool,
    pub enable_ipv6: Option<bool>,
    pub ipam: Option<Ipam>,
    pub options: HashMap<String, String>,
    pub labels: HashMap<String, String>,
}

/// Address management of a network.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ipam {
    pub driver: Option<String>,
    pub pools: Vec<IpamPool>,
    pub options: HashMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct IpamPool {
    pub subnet: Option<String>,
    pub ip_range: Option<String>,
    pub gateway: Option<String>,
    pub aux_addresses: HashMap<String, String>,
}

/// A volume to create.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VolumeSpec {
    pub name: String,
    pub driver: Option<String>,
    pub driver_opts: HashMap<String, String>,
    pub labels: HashMap<String, String>,
}

/// Names a container in a request: the id to address it by, and the name
/// errors speak of.
#[derive(Clone, Copy, Debug)]
pub struct ContainerRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
}

impl<'a> ContainerRef<'a> {
    pub fn new(id: &'a str, name: &'a str) -> Self {
        ContainerRef { id, name }
    }
}

/// Which engine events to follow.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventQuery {
    /// `container`, `network`, ...; empty for all.
    pub types: Vec<String>,
    /// Actions such as `start`, `die`; empty for all.
    pub actions: Vec<String>,
    /// Container ids or names.
    pub containers: Vec<String>,
    /// `key=value` label filters.
    pub labels: Vec<String>,
}

/// One engine event.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EngineEvent {
    /// `container`, `network`, ...
    pub kind: String,
    /// `start`, `die`, `health_status: healthy`, ...
    pub action: String,
    /// The object's id.
    pub id: String,
    /// The actor's attributes (labels, `name`, `exitCode` ...).
    pub attributes: HashMap<String, String>,
    /// Nanoseconds since the epoch.
    pub time_nanos: i64,
}

/// Which part of a container's output to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogsQuery {
    pub follow: bool,
    /// `all`, or a number of lines.
    pub tail: String,
    pub timestamps: bool,
    /// Unix seconds.
    pub since: i64,
    /// Unix seconds; none for no end.
    pub until: Option<i64>,
}

impl Default for LogsQuery {
    fn default() -> Self {
        LogsQuery { follow: false, tail: "all".into(), timestamps: false, since: 0, until: None }
    }
}

/// One piece of a container's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogChunk {
    Stdout(bytes::Bytes),
    Stderr(bytes::Bytes),
    /// Output of a container with a TTY, where the streams are one.
    Console(bytes::Bytes),
}

impl LogChunk {
    pub fn bytes(&self) -> &bytes::Bytes {
        match self {
            LogChunk::Stdout(b) | LogChunk::Stderr(b) | LogChunk::Console(b) => b,
        }
    }
}
