//! A service to the engine's container-create request.
//!
//! Owns: mapping every model field the engine understands onto bollard's
//! `ContainerCreateBody` (mounts, ports, networks, health, limits, labels).
//! Pure: the caller supplies the names and ids it needs.

use std::collections::HashMap;

use bollard::models::{
    ContainerCreateBody, DeviceMapping, EndpointSettings, HealthConfig, HostConfig, HostConfigLogConfig, Mount, MountBindOptions,
    MountBindOptionsPropagationEnum, MountTmpfsOptions, MountType as MountTypeEnum, MountVolumeOptions, NetworkingConfig, PortBinding, ResourcesUlimits,
    RestartPolicy, RestartPolicyNameEnum,
};

use crate::engine::labels;
use crate::model::{MountType, NamespaceMode, Project, Restart, Service, VolumesSource};

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
    pub oneoff: bool,
}

fn nanos(d: &crate::model::forms::Duration) -> i64 {
    d.0.as_nanos().min(i64::MAX as u128) as i64
}

/// Labels rcompose and docker compose put on a service container.
pub fn container_labels(project: &Project, service: &Service, input: &SpecInput) -> HashMap<String, String> {
    let mut l: HashMap<String, String> = service.labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    l.insert(labels::PROJECT.into(), input.project.clone());
    l.insert(labels::SERVICE.into(), input.service.clone());
    l.insert(labels::NUMBER.into(), input.number.to_string());
    l.insert(labels::ONEOFF.into(), if input.oneoff { "True" } else { "False" }.into());
    l.insert(labels::CONFIG_HASH.into(), input.config_hash.clone());
    l.insert(labels::WORKING_DIR.into(), project.working_dir.to_string_lossy().into_owned());
    l.insert(labels::CONFIG_FILES.into(), project.config_files.iter().map(|p| p.to_string_lossy().into_owned()).collect::<Vec<_>>().join(","));
    l.insert(labels::IMAGE.into(), input.image.clone());
    l.insert(labels::VERSION.into(), labels::version());
    let deps: Vec<String> = service
        .depends_on
        .iter()
        .map(|(name, d)| {
            let cond = serde_json::to_value(d.condition).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            format!("{name}:{cond}:{}", d.restart)
        })
        .collect();
    l.insert(labels::DEPENDS_ON.into(), deps.join(","));
    l
}

fn mount_for(project: &Project, m: &crate::model::ServiceVolume) -> Option<Mount> {
    let typ = match m.kind {
        MountType::Volume => MountTypeEnum::VOLUME,
        MountType::Bind => MountTypeEnum::BIND,
        MountType::Tmpfs => MountTypeEnum::TMPFS,
        MountType::Npipe => MountTypeEnum::NPIPE,
        MountType::Cluster => MountTypeEnum::CLUSTER,
        MountType::Image => MountTypeEnum::IMAGE,
    };
    let source = match (m.kind, &m.source) {
        (MountType::Volume, Some(key)) => Some(project.volumes.get(key).map_or(key.as_str(), |v| v.name()).to_string()),
        (MountType::Tmpfs, _) => None,
        (_, s) => s.clone(),
    };
    let bind_options = m.bind.as_ref().and_then(|b| {
        let propagation = b.propagation.as_deref().and_then(|p| p.parse::<MountBindOptionsPropagationEnum>().ok());
        propagation.map(|p| MountBindOptions { propagation: Some(p), ..Default::default() })
    });
    let volume_options = m.volume.as_ref().filter(|v| v.nocopy || v.subpath.is_some()).map(|v| MountVolumeOptions {
        no_copy: v.nocopy.then_some(true),
        subpath: v.subpath.clone(),
        ..Default::default()
    });
    let tmpfs_options =
        m.tmpfs.as_ref().map(|t| MountTmpfsOptions { size_bytes: t.size.map(|s| s.0 as i64), mode: t.mode.map(i64::from), ..Default::default() });
    Some(Mount {
        target: Some(m.target.clone()),
        source,
        typ: Some(typ),
        read_only: m.read_only.then_some(true),
        consistency: m.consistency.clone(),
        bind_options,
        volume_options,
        tmpfs_options,
        ..Default::default()
    })
}

/// Bind mounts that should create a missing host folder, or that carry an
/// SELinux relabel option (`z`/`Z`, which the `Mounts` API cannot express), go
/// through `Binds`; everything else through `Mounts`.
fn is_legacy_bind(m: &crate::model::ServiceVolume) -> bool {
    let bind = m.bind.as_ref();
    m.kind == MountType::Bind && (bind.and_then(|b| b.create_host_path).unwrap_or(false) || bind.is_some_and(|b| b.selinux.is_some()))
}

fn bind_string(m: &crate::model::ServiceVolume) -> String {
    let mut opts = Vec::new();
    if m.read_only {
        opts.push("ro".to_string());
    }
    if let Some(c) = &m.consistency {
        opts.push(c.clone());
    }
    if let Some(b) = &m.bind {
        if let Some(z) = &b.selinux {
            opts.push(z.clone());
        }
        if let Some(p) = &b.propagation {
            opts.push(p.clone());
        }
    }
    let src = m.source.clone().unwrap_or_default();
    if opts.is_empty() {
        format!("{src}:{}", m.target)
    } else {
        format!("{src}:{}:{}", m.target, opts.join(","))
    }
}

fn restart_policy(r: Restart) -> RestartPolicy {
    let (name, maximum_retry_count) = match r {
        Restart::No => (RestartPolicyNameEnum::NO, None),
        Restart::Always => (RestartPolicyNameEnum::ALWAYS, None),
        Restart::UnlessStopped => (RestartPolicyNameEnum::UNLESS_STOPPED, None),
        Restart::OnFailure { max_retries } => (RestartPolicyNameEnum::ON_FAILURE, max_retries.map(i64::from)),
    };
    RestartPolicy { name: Some(name), maximum_retry_count }
}

/// The container of service `svc` to share with: the one passed in, else
/// the service's first replica by name.
fn service_container(input: &SpecInput, svc: &str) -> String {
    input.service_containers.get(svc).cloned().unwrap_or_else(|| format!("{}-{svc}-1", input.project))
}

/// A namespace mode as the engine takes it: `service:NAME` becomes the
/// container of that service.
fn resolve_mode(mode: Option<&NamespaceMode>, input: &SpecInput) -> Option<String> {
    match mode? {
        NamespaceMode::Service(svc) => Some(NamespaceMode::Container(service_container(input, svc)).to_string()),
        other @ (NamespaceMode::Container(_) | NamespaceMode::Host | NamespaceMode::None | NamespaceMode::Other(_)) => Some(other.to_string()),
    }
}

/// Builds the create request for one container of a service.
pub fn container_body(project: &Project, service: &Service, input: &SpecInput) -> ContainerCreateBody {
    let env: Vec<String> = service.environment.iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}"))).collect();
    let mut exposed: Vec<String> = service.expose.iter().map(|p| if p.contains('/') { p.clone() } else { format!("{p}/tcp") }).collect();
    let mut bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
    for p in &service.ports {
        let key = format!("{}/{}", p.target, p.protocol.as_deref().unwrap_or("tcp"));
        if !exposed.contains(&key) {
            exposed.push(key.clone());
        }
        let binding = PortBinding { host_ip: p.host_ip.clone(), host_port: Some(p.published.clone().unwrap_or_default()) };
        bindings.entry(key).or_insert_with(|| Some(Vec::new())).get_or_insert_with(Vec::new).push(binding);
    }

    let mut binds = Vec::new();
    let mut mounts = Vec::new();
    for m in &service.volumes {
        if is_legacy_bind(m) {
            binds.push(bind_string(m));
        } else if let Some(mut mount) = mount_for(project, m) {
            // An anonymous volume keeps the data of the container it replaces.
            if m.kind == MountType::Volume && m.source.is_none() {
                if let Some((_, name)) = input.inherited_volumes.iter().find(|(t, _)| t == &m.target) {
                    mount.source = Some(name.clone());
                }
            }
            mounts.push(mount);
        }
    }
    for (target, volume) in &input.inherited_volumes {
        if !service.volumes.iter().any(|m| &m.target == target) {
            mounts.push(Mount { target: Some(target.clone()), source: Some(volume.clone()), typ: Some(MountTypeEnum::VOLUME), ..Default::default() });
        }
    }
    for (host, path) in &input.file_binds {
        binds.push(format!("{host}:{path}:ro"));
    }
    let tmpfs: HashMap<String, String> = service
        .tmpfs
        .0
        .iter()
        .map(|t| match t.split_once(':') {
            Some((path, opts)) => (path.to_string(), opts.to_string()),
            None => (t.clone(), String::new()),
        })
        .collect();

    let network_mode = resolve_mode(service.network_mode.as_ref(), input);
    let networking_config = if network_mode.is_none() {
        service.networks.iter().next().map(|(key, cfg)| {
            let net_name = project.networks[key].name().to_string();
            let mut ep = endpoint(cfg.as_ref(), input);
            // A service-level mac_address belongs to its first network.
            if ep.mac_address.is_none() {
                ep.mac_address = service.mac_address.clone();
            }
            (net_name, ep)
        })
    } else {
        None
    };
    let network_mode = network_mode.or_else(|| networking_config.as_ref().map(|(n, _)| n.clone()));

    let healthcheck = service.healthcheck.as_ref().map(|h| {
        if h.disable {
            HealthConfig { test: Some(vec!["NONE".into()]), ..Default::default() }
        } else {
            HealthConfig {
                test: (!h.test.is_empty()).then(|| h.test.clone()),
                interval: h.interval.as_ref().map(nanos),
                timeout: h.timeout.as_ref().map(nanos),
                retries: h.retries.map(|r| r as i64),
                start_period: h.start_period.as_ref().map(nanos),
                start_interval: h.start_interval.as_ref().map(nanos),
            }
        }
    });

    let limits = service.deploy.as_ref().and_then(|d| d.resources.limits.as_ref());
    let memory = service.mem_limit.map(|b| b.0 as i64).or_else(|| limits.and_then(|l| l.memory).map(|b| b.0 as i64));
    let nano_cpus = service.cpus.or_else(|| limits.and_then(|l| l.cpus)).map(|c| (c * 1e9) as i64);
    let pids_limit = service.pids_limit.or_else(|| limits.and_then(|l| l.pids));

    let throttle = |list: &[crate::model::service::BlkioLimit]| -> Option<Vec<bollard::models::ThrottleDevice>> {
        (!list.is_empty()).then(|| list.iter().map(|l| bollard::models::ThrottleDevice { path: Some(l.path.clone()), rate: Some(l.rate.0 as i64) }).collect())
    };
    let blkio = service.blkio_config.clone().unwrap_or_default();
    let reservations = service.deploy.as_ref().and_then(|d| d.resources.reservations.as_ref());
    let device_requests: Vec<bollard::models::DeviceRequest> = service
        .gpus
        .iter()
        .chain(reservations.map(|r| r.devices.iter()).into_iter().flatten())
        .map(|d| bollard::models::DeviceRequest {
            driver: d.driver.clone(),
            count: match &d.count {
                Some(serde_json::Value::Number(n)) => n.as_i64(),
                Some(serde_json::Value::String(s)) if s == "all" => Some(-1),
                Some(serde_json::Value::String(s)) => s.parse().ok(),
                _ if d.device_ids.is_empty() => Some(-1),
                _ => None,
            },
            device_ids: (!d.device_ids.is_empty()).then(|| d.device_ids.clone()),
            capabilities: (!d.capabilities.is_empty()).then(|| vec![d.capabilities.clone()]),
            options: (!d.options.is_empty()).then(|| d.options.clone().into_iter().collect()),
        })
        .collect();
    let host_config = HostConfig {
        blkio_weight: blkio.weight,
        blkio_weight_device: (!blkio.weight_device.is_empty()).then(|| {
            blkio
                .weight_device
                .iter()
                .map(|w| bollard::models::ResourcesBlkioWeightDevice { path: Some(w.path.clone()), weight: Some(w.weight as usize) })
                .collect()
        }),
        blkio_device_read_bps: throttle(&blkio.device_read_bps),
        blkio_device_read_iops: throttle(&blkio.device_read_iops),
        blkio_device_write_bps: throttle(&blkio.device_write_bps),
        blkio_device_write_iops: throttle(&blkio.device_write_iops),
        device_requests: (!device_requests.is_empty()).then_some(device_requests),
        annotations: (!service.annotations.is_empty()).then(|| service.annotations.clone().into_iter().collect()),
        cgroup: resolve_mode(service.cgroup.as_ref(), input),
        cpu_percent: service.cpu_percent.map(|p| p as i64),
        memory_reservation: service.mem_reservation.map(|b| b.0 as i64).or_else(|| reservations.and_then(|r| r.memory).map(|b| b.0 as i64)),
        binds: (!binds.is_empty()).then_some(binds),
        mounts: (!mounts.is_empty()).then_some(mounts),
        tmpfs: (!tmpfs.is_empty()).then_some(tmpfs),
        port_bindings: (!bindings.is_empty()).then_some(bindings),
        restart_policy: service.restart.map(restart_policy),
        network_mode,
        privileged: service.privileged,
        init: service.init,
        readonly_rootfs: service.read_only,
        cap_add: (!service.cap_add.is_empty()).then(|| service.cap_add.clone()),
        cap_drop: (!service.cap_drop.is_empty()).then(|| service.cap_drop.clone()),
        dns: (!service.dns.0.is_empty()).then(|| service.dns.0.clone()),
        dns_options: (!service.dns_opt.is_empty()).then(|| service.dns_opt.clone()),
        dns_search: (!service.dns_search.0.is_empty()).then(|| service.dns_search.0.clone()),
        extra_hosts: (!service.extra_hosts.is_empty())
            .then(|| service.extra_hosts.iter().flat_map(|(h, ips)| ips.iter().map(move |ip| format!("{h}:{ip}"))).collect()),
        group_add: (!service.group_add.is_empty()).then(|| service.group_add.clone()),
        security_opt: (!service.security_opt.is_empty()).then(|| service.security_opt.clone()),
        sysctls: (!service.sysctls.is_empty()).then(|| service.sysctls.clone().into_iter().collect()),
        storage_opt: (!service.storage_opt.is_empty()).then(|| service.storage_opt.clone().into_iter().collect()),
        shm_size: service.shm_size.map(|b| b.0 as i64),
        memory,
        memory_swap: service.memswap_limit.map(|b| b.0 as i64),
        memory_swappiness: service.mem_swappiness,
        nano_cpus,
        cpu_shares: service.cpu_shares,
        cpu_period: service.cpu_period,
        cpu_quota: service.cpu_quota,
        cpu_realtime_period: service.cpu_rt_period,
        cpu_realtime_runtime: service.cpu_rt_runtime,
        cpuset_cpus: service.cpuset.clone(),
        cpu_count: service.cpu_count,
        pids_limit,
        oom_kill_disable: service.oom_kill_disable,
        oom_score_adj: service.oom_score_adj,
        ipc_mode: resolve_mode(service.ipc.as_ref(), input),
        pid_mode: resolve_mode(service.pid.as_ref(), input),
        uts_mode: resolve_mode(service.uts.as_ref(), input),
        userns_mode: service.userns_mode.clone(),
        cgroup_parent: service.cgroup_parent.clone(),
        runtime: service.runtime.clone(),
        ulimits: (!service.ulimits.is_empty()).then(|| {
            service
                .ulimits
                .iter()
                .map(|(name, u)| ResourcesUlimits { name: Some(name.clone()), soft: u.soft.or(u.single), hard: u.hard.or(u.single) })
                .collect()
        }),
        devices: (!service.devices.is_empty()).then(|| {
            service
                .devices
                .iter()
                .map(|d| DeviceMapping {
                    path_on_host: Some(d.source.clone()),
                    path_in_container: Some(d.target.clone().unwrap_or_else(|| d.source.clone())),
                    cgroup_permissions: Some(d.permissions.clone().unwrap_or_else(|| "rwm".into())),
                })
                .collect()
        }),
        device_cgroup_rules: (!service.device_cgroup_rules.is_empty()).then(|| service.device_cgroup_rules.clone()),
        log_config: service.logging.as_ref().map(|l| HostConfigLogConfig { typ: l.driver.clone(), config: Some(l.options.clone().into_iter().collect()) }),
        volumes_from: (!service.volumes_from.is_empty()).then(|| {
            service
                .volumes_from
                .iter()
                .map(|v| {
                    let container = match &v.source {
                        VolumesSource::Service(svc) => service_container(input, svc),
                        VolumesSource::Container(name) => name.clone(),
                    };
                    match &v.mode {
                        Some(mode) => format!("{container}:{mode}"),
                        None => container,
                    }
                })
                .collect()
        }),
        links: (!service.links.is_empty()).then(|| {
            service
                .links
                .iter()
                .map(|l| {
                    let (svc, alias) = l.split_once(':').unwrap_or((l.as_str(), l.as_str()));
                    format!("{}-{svc}-1:{alias}", input.project)
                })
                .collect()
        }),
        ..Default::default()
    };

    ContainerCreateBody {
        image: Some(input.image.clone()),
        cmd: service.command.as_ref().map(|c| c.0.clone()),
        entrypoint: service.entrypoint.as_ref().map(|c| c.0.clone()),
        env: (!env.is_empty()).then_some(env),
        labels: Some(container_labels(project, service, input)),
        hostname: service.hostname.clone(),
        domainname: service.domainname.clone(),
        user: service.user.clone(),
        working_dir: service.working_dir.clone(),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        tty: service.tty,
        open_stdin: service.stdin_open,
        stop_signal: service.stop_signal.clone(),
        stop_timeout: service.stop_grace_period.map(|d| d.0.as_secs() as i64),
        healthcheck,
        host_config: Some(host_config),
        networking_config: networking_config.map(|(name, ep)| NetworkingConfig { endpoints_config: Some(HashMap::from([(name, ep)])) }),
        ..Default::default()
    }
}

/// Endpoint settings for one network: the service name and container name as
/// aliases (as docker compose does), plus configured aliases and addresses.
pub fn endpoint(cfg: Option<&crate::model::service::ServiceNetwork>, input: &SpecInput) -> EndpointSettings {
    // One-off containers answer to their own name only, not the service's.
    let mut aliases = if input.oneoff { vec![input.container_name.clone()] } else { vec![input.service.clone(), input.container_name.clone()] };
    if let Some(c) = cfg {
        aliases.extend(c.aliases.iter().cloned());
    }
    let ipam = cfg.filter(|c| c.ipv4_address.is_some() || c.ipv6_address.is_some()).map(|c| bollard::models::EndpointIpamConfig {
        ipv4_address: c.ipv4_address.clone(),
        ipv6_address: c.ipv6_address.clone(),
        ..Default::default()
    });
    EndpointSettings {
        aliases: Some(aliases),
        ipam_config: ipam,
        mac_address: cfg.and_then(|c| c.mac_address.clone()),
        driver_opts: cfg.filter(|c| !c.driver_opts.is_empty()).map(|c| c.driver_opts.clone().into_iter().collect()),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::forms::ByteSize;
    use crate::model::service::{BlkioConfig, BlkioLimit, DeviceRequest};

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
    fn mount_options_reach_the_engine_in_the_form_it_takes_them() {
        let mut p = Project { name: "demo".into(), ..Project::default() };
        p.volumes.insert("data".into(), crate::model::Volume { name: Some("demo_data".into()), ..Default::default() });
        let mount = |v: serde_json::Value| serde_json::from_value::<crate::model::ServiceVolume>(v).unwrap();
        let sub = mount(serde_json::json!({"type": "volume", "source": "data", "target": "/d", "volume": {"subpath": "sub", "nocopy": true}}));
        let m = mount_for(&p, &sub).unwrap();
        assert_eq!(m.source.as_deref(), Some("demo_data"));
        let opts = m.volume_options.unwrap();
        assert_eq!((opts.subpath.as_deref(), opts.no_copy), (Some("sub"), Some(true)));
        let z = mount(
            serde_json::json!({"type": "bind", "source": "/h", "target": "/c", "read_only": true, "consistency": "cached", "bind": {"selinux": "Z", "create_host_path": false}}),
        );
        assert!(is_legacy_bind(&z), "an SELinux label needs the Binds form");
        assert_eq!(bind_string(&z), "/h:/c:ro,cached,Z");
        let plain = mount(serde_json::json!({"type": "bind", "source": "/h", "target": "/c", "bind": {"create_host_path": false}}));
        assert!(!is_legacy_bind(&plain));
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
