//! [`Engine`] over the Docker API, through bollard: each request in
//! rcompose's types made as one API call, bounded by the call time limit.
//! Connecting is `connect`; the translations are `convert`; `export`,
//! `commit`, `attach` and `stats` are `snapshot`.

mod connect;
mod convert;
mod snapshot;

use std::time::Duration;

use bollard::query_parameters as q;
use futures::stream::BoxStream;
use futures::StreamExt;

pub use connect::{call_timeout, DEFAULT_CALL_TIMEOUT};
use convert::*;

use super::types::*;
use super::{call, call_with_grace, wire, ApiVersion, ByteStream, Engine, EngineError};

/// A connected Docker engine.
#[derive(Clone)]
pub struct Docker {
    /// The bollard client.
    pub docker: bollard::Docker,
    pub host: String,
    pub api: ApiVersion,
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
        let req = network_request(spec);
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

    async fn upload_stream(&self, c: ContainerRef<'_>, path: &str, tar: ByteStream) -> Result<(), EngineError> {
        let opts = q::UploadToContainerOptionsBuilder::default().path(path).copy_uidgid("1").build();
        let action = format!("copy files into {}", c.name);
        self.docker.upload_to_container(c.id, Some(opts), bollard::body_try_stream(tar)).await.map_err(|e| EngineError::from_bollard(action, e))
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
        let opts = build_options(spec);
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

    fn export_container(&self, c: ContainerRef<'_>) -> BoxStream<'static, Result<bytes::Bytes, EngineError>> {
        snapshot::export(self, c)
    }

    async fn commit_container(&self, c: ContainerRef<'_>, spec: &CommitSpec) -> Result<String, EngineError> {
        snapshot::commit(self, c, spec).await
    }

    async fn attach_running(&self, c: ContainerRef<'_>, spec: &AttachSpec) -> Result<Attached, EngineError> {
        snapshot::attach(self, c, spec).await
    }

    fn container_stats(&self, c: ContainerRef<'_>, stream: bool) -> BoxStream<'static, Result<StatsSample, EngineError>> {
        snapshot::stats(self, c, stream)
    }
}
