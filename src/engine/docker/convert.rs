//! Translations between rcompose's engine types and bollard's: list and
//! inspect answers to observations, requests to the API's bodies and query
//! options, stream messages to progress. Pure.

use std::collections::HashMap;

use bollard::query_parameters as q;

use super::super::types::*;
use super::super::wire;

pub(super) fn name_of(names: Option<&Vec<String>>) -> String {
    names.and_then(|n| n.first()).map(|n| n.trim_start_matches('/').to_string()).unwrap_or_default()
}

/// One mount as list and inspect answers give it.
pub(super) fn mount_summary(m: wire::MountPoint) -> MountSummary {
    MountSummary {
        kind: m.typ.unwrap_or_default(),
        name: m.name,
        source: m.source.unwrap_or_default(),
        driver: m.driver.filter(|d| !d.is_empty()),
        destination: m.destination.unwrap_or_default(),
        read_write: m.rw.unwrap_or(true),
    }
}

pub(super) fn container_summary(c: wire::ContainerSummary) -> ContainerSummary {
    ContainerSummary {
        id: c.id.unwrap_or_default(),
        name: name_of(c.names.as_ref()),
        labels: c.labels.unwrap_or_default(),
        state: State::parse(&c.state.map(|s| s.to_string()).unwrap_or_default()),
        status: c.status.unwrap_or_default(),
        image: c.image.unwrap_or_default(),
        image_id: c.image_id.unwrap_or_default(),
        created: c.created.unwrap_or_default(),
        command: c.command.unwrap_or_default(),
        ports: c
            .ports
            .unwrap_or_default()
            .into_iter()
            .map(|p| PortSummary {
                ip: p.ip,
                private_port: p.private_port,
                public_port: p.public_port,
                protocol: p.typ.map(|t| t.to_string()).unwrap_or_default(),
            })
            .collect(),
        mounts: c.mounts.unwrap_or_default().into_iter().map(mount_summary).collect(),
        networks: {
            let mut names: Vec<String> = c.network_settings.and_then(|n| n.networks).map(|n| n.into_keys().collect()).unwrap_or_default();
            names.sort();
            names
        },
    }
}

pub(super) fn container_details(info: wire::ContainerInspectResponse) -> ContainerDetails {
    let state = info.state.unwrap_or_default();
    let health = state.health.as_ref().and_then(|h| h.status).and_then(|s| match s {
        wire::HealthStatusEnum::HEALTHY => Some(Health::Healthy),
        wire::HealthStatusEnum::UNHEALTHY => Some(Health::Unhealthy),
        wire::HealthStatusEnum::STARTING => Some(Health::Starting),
        wire::HealthStatusEnum::EMPTY | wire::HealthStatusEnum::NONE => None,
    });
    let last_health_output = state.health.and_then(|h| h.log).and_then(|l| l.last().and_then(|r| r.output.clone())).map(|o| o.trim().to_string());
    let (tty, open_stdin) = info.config.as_ref().map_or((false, false), |c| (c.tty == Some(true), c.open_stdin == Some(true)));
    let has_healthcheck =
        info.config.as_ref().and_then(|c| c.healthcheck.as_ref()).and_then(|h| h.test.as_ref()).is_some_and(|t| t.first().is_some_and(|first| first != "NONE"));
    ContainerDetails {
        id: info.id.unwrap_or_default(),
        name: info.name.unwrap_or_default().trim_start_matches('/').to_string(),
        state: State::parse(&state.status.map(|s| s.to_string()).unwrap_or_default()),
        running: state.running == Some(true),
        restarting: state.restarting == Some(true),
        exit_code: state.exit_code,
        health,
        last_health_output,
        has_healthcheck,
        networks: info.network_settings.and_then(|n| n.networks).map(|n| n.into_keys().collect()).unwrap_or_default(),
        mounts: info.mounts.unwrap_or_default().into_iter().map(mount_summary).collect(),
        tty,
        open_stdin,
    }
}

pub(super) fn some_map(map: &HashMap<String, String>) -> Option<HashMap<String, String>> {
    (!map.is_empty()).then(|| map.clone())
}

pub(super) fn filters(pairs: &[(&str, &[String])]) -> HashMap<String, Vec<String>> {
    pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| ((*k).to_string(), v.to_vec())).collect()
}

/// A network request in the engine's terms.
pub(super) fn network_request(spec: &NetworkSpec) -> wire::NetworkCreateRequest {
    let ipam = spec.ipam.as_ref().map(|i| wire::Ipam {
        driver: i.driver.clone(),
        config: Some(
            i.pools
                .iter()
                .map(|p| wire::IpamConfig {
                    subnet: p.subnet.clone(),
                    ip_range: p.ip_range.clone(),
                    gateway: p.gateway.clone(),
                    auxiliary_addresses: some_map(&p.aux_addresses),
                })
                .collect(),
        ),
        options: some_map(&i.options),
    });
    wire::NetworkCreateRequest {
        name: spec.name.clone(),
        driver: spec.driver.clone(),
        internal: spec.internal.then_some(true),
        attachable: spec.attachable.then_some(true),
        enable_ipv6: spec.enable_ipv6,
        ipam,
        options: some_map(&spec.options),
        labels: Some(spec.labels.clone()),
        ..Default::default()
    }
}

/// The classic builder's options for a build.
pub(super) fn build_options(spec: &BuildSpec) -> q::BuildImageOptions {
    let mut opts = q::BuildImageOptionsBuilder::default()
        .dockerfile(&spec.dockerfile)
        .t(&spec.tag)
        .rm(true)
        .forcerm(true)
        .nocache(spec.no_cache)
        .buildargs(&spec.args)
        .labels(&spec.labels);
    if spec.pull {
        opts = opts.pull("1");
    }
    if let Some(target) = &spec.target {
        opts = opts.target(target);
    }
    if !spec.cache_from.is_empty() {
        opts = opts.cachefrom(&spec.cache_from);
    }
    if let Some(network) = &spec.network {
        opts = opts.networkmode(network);
    }
    if let Some(shm) = spec.shm_size {
        opts = opts.shmsize(shm.min(i32::MAX as u64) as i32);
    }
    if !spec.extra_hosts.is_empty() {
        opts = opts.extrahosts(&spec.extra_hosts.join(","));
    }
    opts.build()
}

impl From<bollard::container::LogOutput> for LogChunk {
    fn from(out: bollard::container::LogOutput) -> LogChunk {
        match out {
            bollard::container::LogOutput::StdErr { message } => LogChunk::Stderr(message),
            bollard::container::LogOutput::StdOut { message } => LogChunk::Stdout(message),
            bollard::container::LogOutput::Console { message } | bollard::container::LogOutput::StdIn { message } => LogChunk::Console(message),
        }
    }
}

/// A pull step worth reporting: an error, or a layer's state; none for the
/// lines without a layer (`Digest: ...`, `Status: ...`).
pub(super) fn pull_progress(info: wire::CreateImageInfo) -> Option<PullProgress> {
    if let Some(message) = info.error_detail.and_then(|d| d.message) {
        return Some(PullProgress::Failed(message));
    }
    let (Some(id), Some(status)) = (info.id, info.status) else { return None };
    let (current, total) = info.progress_detail.map(|p| (p.current, p.total)).unwrap_or_default();
    Some(PullProgress::Layer { id, status, current, total })
}

/// The build steps in one message of the classic builder: an error ends
/// the build; otherwise output, then the id of the image built.
pub(super) fn build_progress(info: wire::BuildInfo) -> Vec<BuildProgress> {
    if let Some(message) = info.error_detail.and_then(|d| d.message) {
        return vec![BuildProgress::Failed(message)];
    }
    let mut steps = Vec::new();
    steps.extend(info.stream.map(BuildProgress::Output));
    steps.extend(info.aux.and_then(|a| a.id).map(BuildProgress::Built));
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_messages_become_layer_steps_or_a_failure() {
        let layer = wire::CreateImageInfo {
            id: Some("a1b2".into()),
            status: Some("Downloading".into()),
            progress_detail: Some(wire::ProgressDetail { current: Some(5), total: Some(10) }),
            ..Default::default()
        };
        assert_eq!(pull_progress(layer), Some(PullProgress::Layer { id: "a1b2".into(), status: "Downloading".into(), current: Some(5), total: Some(10) }));
        let digest = wire::CreateImageInfo { status: Some("Digest: sha256:00".into()), ..Default::default() };
        assert_eq!(pull_progress(digest), None);
        let failed = wire::CreateImageInfo {
            id: Some("a1b2".into()),
            error_detail: Some(wire::ErrorDetail { message: Some("manifest unknown".into()), ..Default::default() }),
            ..Default::default()
        };
        assert_eq!(pull_progress(failed), Some(PullProgress::Failed("manifest unknown".into())));
    }

    #[test]
    fn build_messages_become_output_the_image_id_or_a_failure() {
        let output = wire::BuildInfo { stream: Some("Step 1/2 : FROM scratch\n".into()), ..Default::default() };
        assert_eq!(build_progress(output), vec![BuildProgress::Output("Step 1/2 : FROM scratch\n".into())]);
        let built = wire::BuildInfo { aux: Some(wire::ImageId { id: Some("sha256:ab".into()) }), ..Default::default() };
        assert_eq!(build_progress(built), vec![BuildProgress::Built("sha256:ab".into())]);
        let failed = wire::BuildInfo {
            stream: Some("ignored".into()),
            error_detail: Some(wire::ErrorDetail { message: Some("no such file".into()), ..Default::default() }),
            ..Default::default()
        };
        assert_eq!(build_progress(failed), vec![BuildProgress::Failed("no such file".into())]);
    }
}
