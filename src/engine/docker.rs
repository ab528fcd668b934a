//! [`Engine`] over the Docker API, through bollard.
//!
//! Owns: connecting (DOCKER_HOST: unix socket, tcp, tcp+TLS with
//! DOCKER_TLS_VERIFY/DOCKER_CERT_PATH), reading the engine's API version,
//! the per-call time limit, and the translation between rcompose's request
//! and observation types and bollard's.

use std::collections::HashMap;
use std::time::Duration;

use bollard::query_parameters as q;
use futures::stream::BoxStream;
use futures::StreamExt;

use super::types::*;
use super::{call, call_with_grace, wire, ApiVersion, Engine, EngineError};

/// A connected Docker engine.
#[derive(Clone)]
pub struct Docker {
    /// The bollard client, for the commands not yet behind [`Engine`].
    pub docker: bollard::Docker,
    pub host: String,
    pub api: ApiVersion,
}

/// How long one engine call may take before we give up, unless
/// `COMPOSE_HTTP_TIMEOUT` (seconds) says otherwise. Image pulls, builds and
/// log streams are not bounded by this; stopping a container gets its grace
/// period on top.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(120);

static CALL_TIMEOUT: std::sync::OnceLock<Duration> = std::sync::OnceLock::new();

/// The time limit of one engine call (see [`DEFAULT_CALL_TIMEOUT`]).
pub fn call_timeout() -> Duration {
    CALL_TIMEOUT.get().copied().unwrap_or(DEFAULT_CALL_TIMEOUT)
}

/// Reads `COMPOSE_HTTP_TIMEOUT` (whole seconds, as docker-compose 1.x did).
fn timeout_from_env(env: &HashMap<String, String>) -> Duration {
    env.get("COMPOSE_HTTP_TIMEOUT").and_then(|v| v.trim().parse::<u64>().ok()).filter(|s| *s > 0).map(Duration::from_secs).unwrap_or(DEFAULT_CALL_TIMEOUT)
}

/// bollard's own per-request limit: generous, since our [`call`] bounds each
/// call and a container stop may rightly take its whole grace period.
const CLIENT_TIMEOUT_SECS: u64 = 24 * 3600;

impl Docker {
    /// Connects as [`Docker::connect`] does, reading the process environment.
    pub async fn connect_from_env() -> Result<Docker, EngineError> {
        Docker::connect(&std::env::vars().collect()).await
    }

    /// Connects using DOCKER_HOST (default: the local unix socket) and reads
    /// the engine's API version.
    pub async fn connect(env: &HashMap<String, String>) -> Result<Docker, EngineError> {
        let _ = CALL_TIMEOUT.set(timeout_from_env(env));
        let host = env.get("DOCKER_HOST").cloned().filter(|h| !h.is_empty()).unwrap_or_else(|| "unix:///var/run/docker.sock".into());
        let unreachable = |reason: String| EngineError::Unreachable { host: host.clone(), reason };
        let docker = if host.starts_with("unix://") {
            bollard::Docker::connect_with_unix(&host, CLIENT_TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
        } else if host.starts_with("tcp://") || host.starts_with("http://") || host.starts_with("https://") {
            let tls = env.get("DOCKER_TLS_VERIFY").is_some_and(|v| !v.is_empty() && v != "0") || host.starts_with("https://");
            if tls {
                let cert_dir = env.get("DOCKER_CERT_PATH").cloned().unwrap_or_else(|| format!("{}/.docker", env.get("HOME").cloned().unwrap_or_default()));
                let dir = std::path::Path::new(&cert_dir);
                let url = host.replacen("tcp://", "https://", 1);
                bollard::Docker::connect_with_ssl(
                    &url,
                    &dir.join("key.pem"),
                    &dir.join("cert.pem"),
                    &dir.join("ca.pem"),
                    CLIENT_TIMEOUT_SECS,
                    bollard::API_DEFAULT_VERSION,
                )
            } else {
                bollard::Docker::connect_with_http(&host, CLIENT_TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
            }
        } else {
            return Err(unreachable(format!("unsupported DOCKER_HOST scheme in `{host}` (use unix://, tcp:// or https://)")));
        }
        .map_err(|e| unreachable(e.to_string()))?;
        let limit = call_timeout().min(Duration::from_secs(15));
        let api = tokio::time::timeout(limit, handshake(&docker, &host))
            .await
            .map_err(|_| unreachable(format!("no answer within {} s", limit.as_secs())))?
            .map_err(unreachable)?;
        tracing::debug!(%host, %api, "connected to the engine");
        Ok(Docker { docker, host, api })
    }
}

/// The engine's API version, from the `API-Version` header of `/_ping` (well
/// under a millisecond), or from `/version` (a few milliseconds: the engine
/// asks containerd) where no plain connection is possible.
async fn handshake(docker: &bollard::Docker, host: &str) -> Result<ApiVersion, String> {
    match super::raw::get(host, "/_ping").await {
        Ok(answer) if answer.status == 200 => {
            if let Some(api) = answer.header("api-version").and_then(ApiVersion::parse) {
                return Ok(api);
            }
        }
        Ok(answer) => tracing::debug!(status = answer.status, "/_ping did not answer 200"),
        Err(e) if !host.starts_with("unix://") => tracing::debug!("no plain /_ping: {e}"),
        Err(e) => return Err(e.to_string()),
    }
    let version = docker.version().await.map_err(|e| e.to_string())?;
    Ok(version.api_version.as_deref().and_then(ApiVersion::parse).unwrap_or(ApiVersion(1, 41)))
}

fn name_of(names: Option<&Vec<String>>) -> String {
    names.and_then(|n| n.first()).map(|n| n.trim_start_matches('/').to_string()).unwrap_or_default()
}

fn mount_summary(kind: Option<String>, name: Option<String>, destination: Option<String>) -> MountSummary {
    MountSummary { kind: kind.unwrap_or_default(), name, destination: destination.unwrap_or_default() }
}

fn container_summary(c: wire::ContainerSummary) -> ContainerSummary {
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
        mounts: c.mounts.unwrap_or_default().into_iter().map(|m| mount_summary(m.typ, m.name, m.destination)).collect(),
    }
}

fn container_details(info: wire::ContainerInspectResponse) -> ContainerDetails {
    let state = info.state.unwrap_or_default();
    let health = state.health.as_ref().and_then(|h| h.status).and_then(|s| match s {
        wire::HealthStatusEnum::HEALTHY => Some(Health::Healthy),
        wire::HealthStatusEnum::UNHEALTHY => Some(Health::Unhealthy),
        wire::HealthStatusEnum::STARTING => Some(Health::Starting),
        wire::HealthStatusEnum::EMPTY | wire::HealthStatusEnum::NONE => None,
    });
    let last_health_output = state.health.and_then(|h| h.log).and_then(|l| l.last().and_then(|r| r.output.clone())).map(|o| o.trim().to_string());
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
        mounts: info.mounts.unwrap_or_default().into_iter().map(|m| mount_summary(m.typ, m.name, m.destination)).collect(),
    }
}

fn some_map(map: &HashMap<String, String>) -> Option<HashMap<String, String>> {
    (!map.is_empty()).then(|| map.clone())
}

fn filters(pairs: &[(&str, &[String])]) -> HashMap<String, Vec<String>> {
    pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| ((*k).to_string(), v.to_vec())).collect()
}

#[async_trait::async_trait]
impl Engine for Docker {
    fn api(&self) -> ApiVersion {
        self.api
    }

    fn host(&self) -> &str {
        &self.host
    }

    async fn list_containers(&self, query: &ContainerQuery) -> Result<Vec<ContainerSummary>, EngineError> {
        let f = filters(&[("label", &query.labels), ("volume", &query.volumes)]);
        let opts = q::ListContainersOptionsBuilder::default().all(query.all).filters(&f).build();
        let what = if query.volumes.is_empty() { "list containers" } else { "list containers by volume" };
        Ok(call(what, self.docker.list_containers(Some(opts))).await?.into_iter().map(container_summary).collect())
    }

    async fn inspect_container(&self, c: ContainerRef<'_>) -> Result<ContainerDetails, EngineError> {
        call(format!("inspect container {}", c.name), self.docker.inspect_container(c.id, None)).await.map(container_details)
    }

    async fn create_container(&self, name: &str, platform: Option<&str>, body: wire::ContainerCreateBody) -> Result<String, EngineError> {
        let mut opts = q::CreateContainerOptionsBuilder::default().name(name);
        if let Some(platform) = platform {
            opts = opts.platform(platform);
        }
        Ok(call(format!("create container {name}"), self.docker.create_container(Some(opts.build()), body)).await?.id)
    }

    async fn start_container(&self, c: ContainerRef<'_>) -> Result<(), EngineError> {
        call(format!("start container {}", c.name), self.docker.start_container(c.id, None)).await
    }

    async fn stop_container(&self, c: ContainerRef<'_>, timeout: Option<i32>) -> Result<(), EngineError> {
        let mut stop = q::StopContainerOptionsBuilder::default();
        if let Some(t) = timeout {
            stop = stop.t(t);
        }
        let grace = Duration::from_secs(u64::try_from(timeout.unwrap_or(10)).unwrap_or(0));
        match call_with_grace(format!("stop container {}", c.name), grace, self.docker.stop_container(c.id, Some(stop.build()))).await {
            Err(EngineError::Refused { status: 304, .. }) => Ok(()),
            other => other,
        }
    }

    async fn remove_container(&self, c: ContainerRef<'_>, volumes: bool) -> Result<(), EngineError> {
        let opts = q::RemoveContainerOptionsBuilder::default().force(true).v(volumes).build();
        call(format!("remove container {}", c.name), self.docker.remove_container(c.id, Some(opts))).await
    }

    async fn rename_container(&self, c: ContainerRef<'_>, new_name: &str) -> Result<(), EngineError> {
        let opts = q::RenameContainerOptionsBuilder::default().name(new_name).build();
        call(format!("rename container {}", c.name), self.docker.rename_container(c.id, opts)).await
    }

    async fn restart_container(&self, c: ContainerRef<'_>, timeout: Option<i32>) -> Result<(), EngineError> {
        let mut o = q::RestartContainerOptionsBuilder::default();
        if let Some(t) = timeout {
            o = o.t(t);
        }
        let grace = Duration::from_secs(u64::try_from(timeout.unwrap_or(10)).unwrap_or(0));
        call_with_grace(format!("restart container {}", c.name), grace, self.docker.restart_container(c.id, Some(o.build()))).await
    }

    async fn pause_container(&self, c: ContainerRef<'_>) -> Result<(), EngineError> {
        call(format!("pause container {}", c.name), self.docker.pause_container(c.id)).await
    }

    async fn unpause_container(&self, c: ContainerRef<'_>) -> Result<(), EngineError> {
        call(format!("unpause container {}", c.name), self.docker.unpause_container(c.id)).await
    }

    async fn upload_archive(&self, c: ContainerRef<'_>, path: &str, tar: Vec<u8>) -> Result<(), EngineError> {
        let opts = q::UploadToContainerOptionsBuilder::default().path(path).copy_uidgid("1").build();
        call(format!("copy files into {}", c.name), self.docker.upload_to_container(c.id, Some(opts), bollard::body_full(tar.into()))).await
    }

    async fn wait_exit(&self, c: ContainerRef<'_>) -> Result<i64, EngineError> {
        let opts = q::WaitContainerOptionsBuilder::default().condition("not-running").build();
        super::wait::read_exit(self.docker.wait_container(c.id, Some(opts)), c.name).await
    }

    async fn list_networks(&self, labels: &[String]) -> Result<Vec<NetworkSummary>, EngineError> {
        let f = filters(&[("label", labels)]);
        let opts = q::ListNetworksOptionsBuilder::default().filters(&f).build();
        let found = call("list networks", self.docker.list_networks(Some(opts))).await?;
        Ok(found
            .into_iter()
            .map(|n| NetworkSummary {
                name: n.name.unwrap_or_default(),
                id: n.id.unwrap_or_default(),
                labels: n.labels.unwrap_or_default(),
                created: n.created.unwrap_or_default(),
            })
            .collect())
    }

    async fn create_network(&self, spec: &NetworkSpec) -> Result<(), EngineError> {
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
        let req = wire::NetworkCreateRequest {
            name: spec.name.clone(),
            driver: spec.driver.clone(),
            internal: spec.internal.then_some(true),
            attachable: spec.attachable.then_some(true),
            enable_ipv6: spec.enable_ipv6,
            ipam,
            options: some_map(&spec.options),
            labels: Some(spec.labels.clone()),
            ..Default::default()
        };
        call(format!("create network {}", spec.name), self.docker.create_network(req)).await.map(|_| ())
    }

    async fn remove_network(&self, name_or_id: &str) -> Result<(), EngineError> {
        call(format!("remove network {name_or_id}"), self.docker.remove_network(name_or_id)).await
    }

    async fn connect_network(&self, network: &str, c: ContainerRef<'_>, endpoint: wire::EndpointSettings) -> Result<(), EngineError> {
        let req = wire::NetworkConnectRequest { container: c.id.to_string(), endpoint_config: Some(endpoint) };
        call(format!("connect {} to network {network}", c.name), self.docker.connect_network(network, req)).await
    }

    async fn list_volumes(&self) -> Result<Vec<VolumeSummary>, EngineError> {
        let found = call("list volumes", self.docker.list_volumes(Some(q::ListVolumesOptionsBuilder::default().build()))).await?;
        Ok(found
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| VolumeSummary { name: v.name, driver: v.driver, labels: v.labels, options: v.options, mountpoint: v.mountpoint })
            .collect())
    }

    async fn create_volume(&self, spec: &VolumeSpec) -> Result<(), EngineError> {
        let req = wire::VolumeCreateRequest {
            name: Some(spec.name.clone()),
            driver: spec.driver.clone(),
            driver_opts: some_map(&spec.driver_opts),
            labels: Some(spec.labels.clone()),
            ..Default::default()
        };
        call(format!("create volume {}", spec.name), self.docker.create_volume(req)).await.map(|_| ())
    }

    async fn remove_volume(&self, name: &str) -> Result<(), EngineError> {
        call(format!("remove volume {name}"), self.docker.remove_volume(name, None::<q::RemoveVolumeOptions>)).await
    }

    async fn image_id(&self, reference: &str) -> Result<Option<String>, EngineError> {
        match call(format!("inspect image {reference}"), self.docker.inspect_image(reference)).await {
            Ok(image) => Ok(image.id),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn remove_image(&self, reference: &str) -> Result<(), EngineError> {
        let opts = q::RemoveImageOptionsBuilder::default().build();
        call(format!("remove image {reference}"), self.docker.remove_image(reference, Some(opts), None)).await.map(|_| ())
    }

    fn events(&self, query: &EventQuery) -> BoxStream<'static, Result<EngineEvent, EngineError>> {
        let f = filters(&[("type", &query.types), ("event", &query.actions), ("container", &query.containers), ("label", &query.labels)]);
        self.docker
            .events(Some(q::EventsOptionsBuilder::default().filters(&f).build()))
            .map(|r| {
                r.map(|e| {
                    let actor = e.actor.unwrap_or_default();
                    EngineEvent {
                        kind: e.typ.map(|t| t.to_string()).unwrap_or_default(),
                        action: e.action.unwrap_or_default(),
                        id: actor.id.unwrap_or_default(),
                        attributes: actor.attributes.unwrap_or_default(),
                        time_nanos: e.time_nano.unwrap_or_default(),
                    }
                })
                .map_err(|e| EngineError::from_bollard("follow engine events", e))
            })
            .boxed()
    }

    fn logs(&self, c: ContainerRef<'_>, query: &LogsQuery) -> BoxStream<'static, Result<LogChunk, EngineError>> {
        let mut opts = q::LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .follow(query.follow)
            .tail(&query.tail)
            .timestamps(query.timestamps)
            .since(i32::try_from(query.since).unwrap_or(i32::MAX));
        if let Some(until) = query.until {
            opts = opts.until(i32::try_from(until).unwrap_or(i32::MAX));
        }
        let opts = opts.build();
        let action = format!("read the output of {}", c.name);
        self.docker.logs(c.id, Some(opts)).map(move |r| r.map(LogChunk::from).map_err(|e| EngineError::from_bollard(action.clone(), e))).boxed()
    }

    async fn kill_container(&self, c: ContainerRef<'_>, signal: &str) -> Result<(), EngineError> {
        let opts = q::KillContainerOptionsBuilder::default().signal(signal).build();
        call(format!("kill container {}", c.name), self.docker.kill_container(c.id, Some(opts))).await
    }

    async fn exec_create(&self, c: ContainerRef<'_>, spec: &ExecSpec) -> Result<String, EngineError> {
        let config = bollard::exec::CreateExecOptions {
            cmd: Some(spec.command.clone()),
            env: (!spec.env.is_empty()).then(|| spec.env.clone()),
            working_dir: spec.workdir.clone(),
            user: spec.user.clone(),
            privileged: Some(spec.privileged),
            tty: Some(spec.tty),
            attach_stdin: Some(spec.attach),
            attach_stdout: Some(spec.attach),
            attach_stderr: Some(spec.attach),
            ..Default::default()
        };
        Ok(call(format!("exec in {}", c.name), self.docker.create_exec(c.id, config)).await?.id)
    }

    async fn exec_start(&self, exec_id: &str, attach: bool, tty: bool) -> Result<Option<Attached>, EngineError> {
        let opts = bollard::exec::StartExecOptions { detach: !attach, tty, ..Default::default() };
        match call("start exec", self.docker.start_exec(exec_id, Some(opts))).await? {
            bollard::exec::StartExecResults::Attached { output, input } => {
                let output = output.map(|r| r.map(LogChunk::from).map_err(|e| EngineError::from_bollard("read the output of exec", e))).boxed();
                Ok(Some(Attached { output, input }))
            }
            bollard::exec::StartExecResults::Detached => Ok(None),
        }
    }

    async fn attach_container(&self, c: ContainerRef<'_>) -> Result<Attached, EngineError> {
        let opts = q::AttachContainerOptionsBuilder::default().stream(true).stdin(true).stdout(true).stderr(true).build();
        let attached = call(format!("attach to {}", c.name), self.docker.attach_container(c.id, Some(opts))).await?;
        let action = format!("read the output of {}", c.name);
        let output = attached.output.map(move |r| r.map(LogChunk::from).map_err(|e| EngineError::from_bollard(action.clone(), e))).boxed();
        Ok(Attached { output, input: attached.input })
    }

    async fn exec_resize(&self, exec_id: &str, width: u16, height: u16) -> Result<(), EngineError> {
        let opts = q::ResizeExecOptionsBuilder::default().w(i32::from(width)).h(i32::from(height)).build();
        call("resize exec", self.docker.resize_exec(exec_id, opts)).await
    }

    async fn exec_inspect(&self, exec_id: &str) -> Result<ExecStatus, EngineError> {
        let info = call("inspect exec", self.docker.inspect_exec(exec_id)).await?;
        Ok(ExecStatus { running: info.running == Some(true), exit_code: info.exit_code })
    }

    async fn top(&self, c: ContainerRef<'_>, ps_args: &str) -> Result<ProcessTable, EngineError> {
        let opts = q::TopOptionsBuilder::default().ps_args(ps_args).build();
        let top = call(format!("top {}", c.name), self.docker.top_processes(c.id, Some(opts))).await?;
        Ok(ProcessTable { titles: top.titles.unwrap_or_default(), processes: top.processes.unwrap_or_default() })
    }

    async fn copy_into(&self, c: ContainerRef<'_>, path: &str, tar: Vec<u8>) -> Result<(), EngineError> {
        let opts = q::UploadToContainerOptionsBuilder::default().path(path).build();
        call(format!("copy into {}", c.name), self.docker.upload_to_container(c.id, Some(opts), bollard::body_full(tar.into()))).await
    }

    fn download_archive(&self, c: ContainerRef<'_>, path: &str) -> BoxStream<'static, Result<bytes::Bytes, EngineError>> {
        let opts = q::DownloadFromContainerOptionsBuilder::default().path(path).build();
        let action = format!("copy from {}", c.name);
        self.docker.download_from_container(c.id, Some(opts)).map(move |r| r.map_err(|e| EngineError::from_bollard(action.clone(), e))).boxed()
    }

    async fn inspect_image(&self, reference: &str) -> Result<Option<ImageDetails>, EngineError> {
        match call(format!("inspect image {reference}"), self.docker.inspect_image(reference)).await {
            Ok(image) => {
                Ok(Some(ImageDetails { id: image.id.unwrap_or_default(), size: image.size, last_tag_time: image.metadata.and_then(|m| m.last_tag_time) }))
            }
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn pull_image(&self, reference: &str, credentials: Option<&Credentials>) -> BoxStream<'static, Result<PullProgress, EngineError>> {
        let (repo, tag) = split_tag(reference);
        let opts = q::CreateImageOptionsBuilder::default().from_image(repo).tag(tag).build();
        let creds = credentials.map(|c| bollard::auth::DockerCredentials {
            username: c.username.clone(),
            password: c.password.clone(),
            identitytoken: c.identity_token.clone(),
            serveraddress: Some(c.server.clone()),
            ..Default::default()
        });
        let action = format!("pull {reference}");
        self.docker
            .create_image(Some(opts), None, creds)
            .filter_map(move |r| {
                std::future::ready(match r {
                    Ok(info) => pull_progress(info).map(Ok),
                    // The registry's answer (unknown image, no access), passed on by the engine.
                    Err(bollard::errors::Error::DockerResponseServerError { message, .. } | bollard::errors::Error::DockerStreamError { error: message }) => {
                        Some(Ok(PullProgress::Failed(message)))
                    }
                    Err(e) => Some(Err(EngineError::from_bollard(action.clone(), e))),
                })
            })
            .boxed()
    }

    async fn exec_output(&self, c: ContainerRef<'_>, command: &[String], env: &[String]) -> Result<ExecOutput, EngineError> {
        let action = format!("run `{}` in {}", command.join(" "), c.name);
        let config = bollard::exec::CreateExecOptions {
            cmd: Some(command.to_vec()),
            env: (!env.is_empty()).then(|| env.to_vec()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            ..Default::default()
        };
        let exec = call(action.clone(), self.docker.create_exec(c.id, config)).await?;
        let mut out = ExecOutput::default();
        if let bollard::exec::StartExecResults::Attached { mut output, .. } = call(action.clone(), self.docker.start_exec(&exec.id, None)).await? {
            while let Some(chunk) = output.next().await {
                match chunk.map_err(|e| EngineError::from_bollard(action.clone(), e))? {
                    bollard::container::LogOutput::StdErr { message } => out.stderr.extend_from_slice(&message),
                    other => out.stdout.extend_from_slice(&other.into_bytes()),
                }
            }
        }
        let info = call(action.clone(), self.docker.inspect_exec(&exec.id)).await?;
        out.exit_code = info.exit_code.ok_or_else(|| EngineError::Lost { action, reason: "the engine reported no exit code".into() })?;
        Ok(out)
    }

    fn build_image(&self, spec: &BuildSpec, context: Vec<u8>) -> BoxStream<'static, Result<BuildProgress, EngineError>> {
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
        let opts = opts.build();
        let action = format!("build {}", spec.tag);
        let docker = self.docker.clone();
        // bollard's build stream borrows its client: a task owns both and
        // forwards what it reads; dropping the stream ends the task.
        let (mut tx, rx) = futures::channel::mpsc::channel(16);
        let forward = async move {
            use futures::SinkExt;
            let mut stream = docker.build_image(opts, None, Some(bollard::body_full(context.into())));
            while let Some(item) = stream.next().await {
                let items = match item {
                    Ok(info) => build_progress(info).into_iter().map(Ok).collect(),
                    Err(bollard::errors::Error::DockerStreamError { error }) => vec![Ok(BuildProgress::Failed(error))],
                    Err(e) => vec![Err(EngineError::from_bollard(action.clone(), e))],
                };
                for item in items {
                    if tx.send(item).await.is_err() {
                        return;
                    }
                }
            }
        };
        futures::stream::once(async move {
            tokio::spawn(forward);
            rx
        })
        .flatten()
        .boxed()
    }

    async fn tag_image(&self, image: &str, reference: &str) -> Result<(), EngineError> {
        let (repo, tag) = split_tag(reference);
        let opts = q::TagImageOptionsBuilder::default().repo(repo).tag(tag).build();
        call(format!("tag {image} as {reference}"), self.docker.tag_image(image, Some(opts))).await
    }
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
fn pull_progress(info: wire::CreateImageInfo) -> Option<PullProgress> {
    if let Some(message) = info.error_detail.and_then(|d| d.message) {
        return Some(PullProgress::Failed(message));
    }
    let (Some(id), Some(status)) = (info.id, info.status) else { return None };
    let (current, total) = info.progress_detail.map(|p| (p.current, p.total)).unwrap_or_default();
    Some(PullProgress::Layer { id, status, current, total })
}

/// The build steps in one message of the classic builder: an error ends
/// the build; otherwise output, then the id of the image built.
fn build_progress(info: wire::BuildInfo) -> Vec<BuildProgress> {
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
