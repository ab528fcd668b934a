//! A service to the engine's container-create request.
//!
//! Owns: mapping every model field the engine understands onto the engine's
//! `ContainerCreateBody`, one file per noun: `labels`, `health`,
//! `process`, `mounts`, `network`, `resources`. Pure: the caller
//! supplies the names and ids it needs; nothing here calls the engine or
//! decides whether a container should exist.

mod health;
mod labels;
mod mounts;
mod network;
mod process;
mod resources;

use std::collections::HashMap;

use crate::engine::wire::{ContainerCreateBody, HostConfig};
use crate::model::{NamespaceMode, Project, Service};

pub use labels::container_labels;
pub use network::endpoint;

/// What the create request needs besides the service itself.
#[derive(Clone, Debug, Default)]
pub struct SpecInput {
    pub project: String,
    pub service: String,
    pub number: u32,
    pub container_name: String,
    pub image: String,
    pub config_hash: String,
    /// Container ids of services named in `volumes_from` / `network_mode: service:`.
    pub service_containers: HashMap<String, String>,
    /// Anonymous volumes of the container being replaced: target → volume name.
    pub inherited_volumes: Vec<(String, String)>,
    /// Secret and config files bind-mounted read-only: (host file, container path).
    pub file_binds: Vec<(String, String)>,
    /// `volumes_from` read from the source containers, mounted one by one
    /// instead of the engine's `VolumesFrom` (see `shared_mounts`); none
    /// leaves `VolumesFrom` to the engine.
    pub shared_mounts: Option<Vec<crate::reconcile::shared_mounts::SharedMount>>,
    pub oneoff: bool,
}

/// Builds the create request for one container of a service.
pub fn container_body(project: &Project, service: &Service, input: &SpecInput) -> ContainerCreateBody {
    let host = process::host_config(HostConfig::default(), service, input);
    let host = mounts::host_config(host, project, service, input);
    let host = network::host_config(host, project, service, input);
    let host = resources::host_config(host, service, input);
    ContainerCreateBody {
        image: Some(input.image.clone()),
        cmd: service.command.as_ref().map(|c| c.0.clone()),
        entrypoint: service.entrypoint.as_ref().map(|c| c.0.clone()),
        env: process::env(service),
        labels: Some(container_labels(project, service, input)),
        hostname: service.hostname.clone(),
        domainname: service.domainname.clone(),
        user: service.user.clone(),
        working_dir: service.working_dir.clone(),
        exposed_ports: network::exposed_ports(service),
        tty: service.tty,
        open_stdin: service.stdin_open,
        stop_signal: service.stop_signal.clone(),
        stop_timeout: service.stop_grace_period.map(|d| d.0.as_secs() as i64),
        healthcheck: health::health_config(service),
        host_config: Some(host),
        networking_config: network::networking_config(project, service, input),
        ..Default::default()
    }
}

/// The container of service `svc` to share with: the one passed in, else
/// the service's first replica by name.
fn service_container(input: &SpecInput, svc: &str) -> String {
    container_of(&input.service_containers, &input.project, svc)
}

/// The container of service `svc`: its id in `containers`, else the name of
/// its first replica.
pub fn container_of(containers: &HashMap<String, String>, project: &str, svc: &str) -> String {
    containers.get(svc).cloned().unwrap_or_else(|| format!("{project}-{svc}-1"))
}

/// A namespace mode as the engine takes it: `service:NAME` becomes the
/// container of that service.
fn resolve_mode(mode: Option<&NamespaceMode>, input: &SpecInput) -> Option<String> {
    match mode? {
        NamespaceMode::Service(svc) => Some(NamespaceMode::Container(service_container(input, svc)).to_string()),
        other @ (NamespaceMode::Container(_) | NamespaceMode::Host | NamespaceMode::None | NamespaceMode::Other(_)) => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::wire::RestartPolicyNameEnum;
    use crate::model::forms::ByteSize;
    use crate::model::service::{BlkioConfig, BlkioLimit, DeviceRequest};
    use crate::model::Restart;

    #[test]
    fn resource_fields_reach_the_host_config() {
        let mut p = Project { name: "demo".into(), ..Project::default() };
        p.networks.insert("default".into(), crate::model::Network { name: Some("demo_default".into()), ..Default::default() });
        let mut s = Service { image: Some("x".into()), mac_address: Some("02:42:ac:11:00:02".into()), cpu_percent: Some(50.0), ..Service::default() };
        s.networks.insert("default".into(), None);
        s.blkio_config = Some(BlkioConfig {
            weight: Some(300),
            device_read_bps: vec![BlkioLimit { path: "/dev/sda".into(), rate: ByteSize(1 << 20) }],
            ..Default::default()
        });
        s.gpus.push(DeviceRequest { capabilities: vec!["gpu".into()], count: Some(serde_json::json!("all")), ..Default::default() });
        s.annotations.insert("a".into(), "b".into());
        s.environment.insert("SET".into(), Some("1".into()));
        s.environment.insert("UNSET".into(), None);
        let body =
            container_body(&p, &s, &SpecInput { project: "demo".into(), service: "web".into(), container_name: "demo-web-1".into(), ..Default::default() });
        let hc = body.host_config.unwrap();
        assert_eq!(hc.blkio_weight, Some(300));
        assert_eq!(hc.blkio_device_read_bps.unwrap()[0].rate, Some(1 << 20));
        let gpu = &hc.device_requests.unwrap()[0];
        assert_eq!((gpu.count, gpu.capabilities.clone()), (Some(-1), Some(vec![vec!["gpu".to_string()]])));
        assert_eq!(hc.annotations.unwrap()["a"], "b");
        assert_eq!(hc.cpu_percent, Some(50));
        assert_eq!(body.env, Some(vec!["SET=1".to_string()]), "unset variables are left out");
        let ep = &body.networking_config.unwrap().endpoints_config.unwrap()["demo_default"];
        assert_eq!(ep.mac_address.as_deref(), Some("02:42:ac:11:00:02"));
        assert_eq!(ep.aliases.clone().unwrap(), vec!["web".to_string(), "demo-web-1".to_string()]);
    }

    #[test]
    fn modes_and_volumes_from_naming_a_service_use_its_container() {
        let p = Project { name: "demo".into(), ..Project::default() };
        let mode = |text: &str| Some(text.parse::<NamespaceMode>().unwrap());
        let s = Service {
            image: Some("x".into()),
            network_mode: mode("service:db"),
            ipc: mode("service:db"),
            pid: mode("service:cache"),
            uts: mode("host"),
            restart: Some(Restart::OnFailure { max_retries: Some(4) }),
            volumes_from: vec!["db:ro".parse().unwrap(), "cache".parse().unwrap(), "container:c9:rw".parse().unwrap()],
            ..Service::default()
        };
        let input = SpecInput {
            project: "demo".into(),
            service: "web".into(),
            service_containers: HashMap::from([("db".to_string(), "0123abcd".to_string())]),
            ..Default::default()
        };
        let hc = container_body(&p, &s, &input).host_config.unwrap();
        assert_eq!(hc.network_mode.as_deref(), Some("container:0123abcd"));
        assert_eq!(hc.ipc_mode.as_deref(), Some("container:0123abcd"));
        assert_eq!(hc.pid_mode.as_deref(), Some("container:demo-cache-1"), "without an id, the first replica's name");
        assert_eq!(hc.uts_mode.as_deref(), Some("host"));
        assert_eq!(hc.volumes_from.clone().unwrap(), ["0123abcd:ro", "demo-cache-1", "c9:rw"]);
        let restart = hc.restart_policy.unwrap();
        assert_eq!((restart.name, restart.maximum_retry_count), (Some(RestartPolicyNameEnum::ON_FAILURE), Some(4)));
    }
}
