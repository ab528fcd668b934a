//! The [`Engine`](super::super::Engine) requests answered from the fake's memory.

use futures::stream::BoxStream;
use futures::StreamExt;

use super::super::types::*;
use super::super::{wire, ApiVersion, ByteStream, Engine, EngineError};
use super::{not_found, Container, FakeEngine, Fault, OnStart};

fn set_state(c: &mut Container, state: super::super::State, exit_code: Option<i64>) {
    c.summary.state = state;
    c.details.state = state;
    c.details.running = state == super::super::State::Running;
    c.details.exit_code = exit_code;
    c.summary.status = match state {
        super::super::State::Running => "Up".into(),
        super::super::State::Exited => format!("Exited ({})", exit_code.unwrap_or(0)),
        other => other.as_str().into(),
    };
}

#[async_trait::async_trait]
impl Engine for FakeEngine {
    fn api(&self) -> ApiVersion {
        self.api
    }

    fn host(&self) -> &str {
        "fake://"
    }

    async fn list_containers(&self, query: &ContainerQuery) -> Result<Vec<ContainerSummary>, EngineError> {
        let s = self.lock();
        let matches_label = |c: &Container| {
            query.labels.iter().all(|f| match f.split_once('=') {
                Some((k, v)) => c.summary.labels.get(k).is_some_and(|x| x == v),
                None => c.summary.labels.contains_key(f),
            })
        };
        let matches_volume =
            |c: &Container| query.volumes.is_empty() || c.summary.mounts.iter().any(|m| m.volume().is_some_and(|v| query.volumes.iter().any(|q| q == v)));
        Ok(s.containers
            .iter()
            .filter(|c| query.all || c.summary.state == super::super::State::Running)
            .filter(|c| matches_label(c) && matches_volume(c))
            .map(|c| c.summary.clone())
            .collect())
    }

    async fn inspect_container(&self, c: ContainerRef<'_>) -> Result<ContainerDetails, EngineError> {
        let s = self.lock();
        s.containers.iter().find(|x| x.summary.id == c.id || x.summary.name == c.id).map(|x| x.details.clone()).ok_or_else(|| not_found("inspect", "container"))
    }

    async fn create_container(&self, name: &str, _platform: Option<&str>, body: wire::ContainerCreateBody) -> Result<String, EngineError> {
        self.enter(format!("create {name}")).await?;
        let mut s = self.lock();
        if s.containers.iter().any(|c| c.summary.name == name) {
            return Err(EngineError::Refused { action: format!("create container {name}"), message: format!("name {name} is in use"), status: 409 });
        }
        let image = body.image.clone().unwrap_or_default();
        let Some(image_id) = s.images.get(&image).cloned() else {
            return Err(not_found(&format!("create container {name}"), &format!("image: {image}")));
        };
        s.next_id += 1;
        let id = format!("{:064x}", s.next_id);
        let host = body.host_config.clone().unwrap_or_default();
        let mut networks: Vec<String> =
            body.networking_config.as_ref().and_then(|n| n.endpoints_config.clone()).map(|e| e.into_keys().collect()).unwrap_or_default();
        if networks.is_empty() {
            networks.extend(host.network_mode.clone());
        }
        let mounts: Vec<MountSummary> = host
            .mounts
            .unwrap_or_default()
            .into_iter()
            .map(|m| {
                let kind = m.typ.map(|t| t.to_string()).unwrap_or_default();
                let source = m.source.unwrap_or_default();
                let volume = kind == "volume";
                MountSummary {
                    name: volume.then(|| source.clone()),
                    source: if volume { format!("/var/lib/docker/volumes/{source}/_data") } else { source },
                    driver: volume.then(|| "local".to_string()),
                    kind,
                    destination: m.target.unwrap_or_default(),
                    read_write: m.read_only != Some(true),
                }
            })
            .collect();
        let has_healthcheck = body.healthcheck.as_ref().and_then(|h| h.test.as_ref()).is_some_and(|t| t.first().is_some_and(|f| f != "NONE"));
        let labels = body.labels.clone().unwrap_or_default();
        let container = Container {
            summary: ContainerSummary {
                id: id.clone(),
                name: name.into(),
                labels,
                state: super::super::State::Created,
                status: "Created".into(),
                image,
                image_id,
                mounts: mounts.clone(),
                networks: {
                    let mut sorted = networks.clone();
                    sorted.sort();
                    sorted
                },
                ..ContainerSummary::default()
            },
            details: ContainerDetails { id: id.clone(), name: name.into(), has_healthcheck, networks, mounts, ..ContainerDetails::default() },
            body,
        };
        s.containers.push(container);
        Ok(id)
    }

    async fn start_container(&self, c: ContainerRef<'_>) -> Result<(), EngineError> {
        self.enter(format!("start {}", c.name)).await?;
        self.update(c.id, "start", |x, on_start| match on_start.get(&x.summary.name).cloned().unwrap_or(OnStart::Run) {
            OnStart::Run | OnStart::RunUnhealthy | OnStart::RunStarting if x.details.running => {}
            OnStart::RunStarting => {
                set_state(x, super::super::State::Running, Some(0));
                x.details.health = x.details.has_healthcheck.then_some(Health::Starting);
            }
            OnStart::Run => {
                set_state(x, super::super::State::Running, Some(0));
                x.details.health = x.details.has_healthcheck.then_some(Health::Healthy);
            }
            OnStart::RunUnhealthy => {
                set_state(x, super::super::State::Running, Some(0));
                x.details.health = Some(Health::Unhealthy);
                x.details.last_health_output = Some("check failed".into());
            }
            OnStart::Exit(code) => set_state(x, super::super::State::Exited, Some(code)),
        })
    }

    async fn stop_container(&self, c: ContainerRef<'_>, _timeout: Option<i32>) -> Result<(), EngineError> {
        self.enter(format!("stop {}", c.name)).await?;
        let running = self.lock().containers.iter().any(|x| x.summary.id == c.id && x.details.running);
        if !running {
            let exists = self.lock().containers.iter().any(|x| x.summary.id == c.id);
            return if exists { Ok(()) } else { Err(not_found("stop", "container")) };
        }
        self.update(c.id, "stop", |x, _| set_state(x, super::super::State::Exited, Some(0)))
    }

    async fn remove_container(&self, c: ContainerRef<'_>, _volumes: bool) -> Result<(), EngineError> {
        self.enter(format!("remove {}", c.name)).await?;
        let mut s = self.lock();
        let before = s.containers.len();
        s.containers.retain(|x| x.summary.id != c.id);
        if s.containers.len() == before {
            return Err(not_found("remove", "container"));
        }
        Ok(())
    }

    async fn rename_container(&self, c: ContainerRef<'_>, new_name: &str) -> Result<(), EngineError> {
        self.enter(format!("rename {} {new_name}", c.name)).await?;
        let mut s = self.lock();
        let x = s.containers.iter_mut().find(|x| x.summary.id == c.id).ok_or_else(|| not_found("rename", "container"))?;
        x.summary.name = new_name.into();
        x.details.name = new_name.into();
        Ok(())
    }

    async fn restart_container(&self, c: ContainerRef<'_>, _timeout: Option<i32>) -> Result<(), EngineError> {
        self.enter(format!("restart {}", c.name)).await?;
        self.update(c.id, "die", |x, _| set_state(x, super::super::State::Exited, Some(0)))?;
        self.update(c.id, "start", |x, _| set_state(x, super::super::State::Running, Some(0)))
    }

    async fn pause_container(&self, c: ContainerRef<'_>) -> Result<(), EngineError> {
        self.enter(format!("pause {}", c.name)).await?;
        self.update(c.id, "pause", |x, _| set_state(x, super::super::State::Paused, None))
    }

    async fn unpause_container(&self, c: ContainerRef<'_>) -> Result<(), EngineError> {
        self.enter(format!("unpause {}", c.name)).await?;
        self.update(c.id, "unpause", |x, _| set_state(x, super::super::State::Running, Some(0)))
    }

    async fn upload_archive(&self, c: ContainerRef<'_>, path: &str, _tar: Vec<u8>) -> Result<(), EngineError> {
        self.enter(format!("upload {} {path}", c.name)).await
    }

    async fn wait_exit(&self, c: ContainerRef<'_>) -> Result<i64, EngineError> {
        // Subscribe before looking, so that no `die` falls in between.
        let mut events = self.events.subscribe();
        self.enter(format!("wait {}", c.name)).await?;
        loop {
            {
                let s = self.lock();
                let x = s.containers.iter().find(|x| x.summary.id == c.id).ok_or_else(|| not_found("wait", "container"))?;
                if !x.details.running {
                    return Ok(x.details.exit_code.unwrap_or(0));
                }
            }
            if events.recv().await.is_err() {
                return Err(EngineError::Lost { action: format!("wait for container {}", c.name), reason: "event channel closed".into() });
            }
        }
    }

    async fn list_networks(&self, labels: &[String]) -> Result<Vec<NetworkSummary>, EngineError> {
        let s = self.lock();
        let wanted = |n: &NetworkSummary| labels.iter().all(|f| f.split_once('=').is_some_and(|(k, v)| n.labels.get(k).is_some_and(|x| x == v)));
        Ok(s.networks.iter().filter(|n| wanted(n)).cloned().collect())
    }

    async fn create_network(&self, spec: &NetworkSpec) -> Result<(), EngineError> {
        self.enter(format!("create network {}", spec.name)).await?;
        let mut s = self.lock();
        if s.networks.iter().any(|n| n.name == spec.name) {
            return Err(EngineError::Refused { action: format!("create network {}", spec.name), message: "already exists".into(), status: 409 });
        }
        let id = format!("net{:061x}", s.networks.len() + 1);
        s.networks.push(NetworkSummary { name: spec.name.clone(), id, labels: spec.labels.clone(), created: String::new() });
        Ok(())
    }

    async fn remove_network(&self, name_or_id: &str) -> Result<(), EngineError> {
        self.enter(format!("remove network {name_or_id}")).await?;
        let mut s = self.lock();
        let before = s.networks.len();
        s.networks.retain(|n| n.name != name_or_id && n.id != name_or_id);
        if s.networks.len() == before {
            return Err(not_found("remove network", "network"));
        }
        Ok(())
    }

    async fn connect_network(&self, network: &str, c: ContainerRef<'_>, _endpoint: wire::EndpointSettings) -> Result<(), EngineError> {
        self.enter(format!("connect {} {network}", c.name)).await?;
        let mut s = self.lock();
        let x = s.containers.iter_mut().find(|x| x.summary.id == c.id).ok_or_else(|| not_found("connect", "container"))?;
        x.details.networks.push(network.into());
        x.summary.networks.push(network.into());
        x.summary.networks.sort();
        Ok(())
    }

    async fn list_volumes(&self) -> Result<Vec<VolumeSummary>, EngineError> {
        Ok(self.lock().volumes.clone())
    }

    async fn create_volume(&self, spec: &VolumeSpec) -> Result<(), EngineError> {
        self.enter(format!("create volume {}", spec.name)).await?;
        let mut s = self.lock();
        if !s.volumes.iter().any(|v| v.name == spec.name) {
            s.volumes.push(VolumeSummary {
                name: spec.name.clone(),
                driver: spec.driver.clone().unwrap_or_else(|| "local".into()),
                labels: spec.labels.clone(),
                options: spec.driver_opts.clone(),
                mountpoint: format!("/var/lib/docker/volumes/{}/_data", spec.name),
            });
        }
        Ok(())
    }

    async fn remove_volume(&self, name: &str) -> Result<(), EngineError> {
        self.enter(format!("remove volume {name}")).await?;
        let mut s = self.lock();
        let before = s.volumes.len();
        s.volumes.retain(|v| v.name != name);
        if s.volumes.len() == before {
            return Err(not_found("remove volume", "volume"));
        }
        Ok(())
    }

    async fn image_id(&self, reference: &str) -> Result<Option<String>, EngineError> {
        Ok(self.lock().images.get(reference).cloned())
    }

    async fn remove_image(&self, reference: &str) -> Result<(), EngineError> {
        self.enter(format!("remove image {reference}")).await?;
        self.lock().images.remove(reference).map(|_| ()).ok_or_else(|| not_found("remove image", "image"))
    }

    fn events(&self, query: &EventQuery) -> BoxStream<'static, Result<EngineEvent, EngineError>> {
        super::events::follow(self.events.subscribe(), query.clone())
    }

    fn logs(&self, _c: ContainerRef<'_>, _query: &LogsQuery) -> BoxStream<'static, Result<LogChunk, EngineError>> {
        futures::stream::iter([Ok(LogChunk::Stdout(bytes::Bytes::from_static(b"fake output\n")))]).boxed()
    }

    async fn exec_output(&self, c: ContainerRef<'_>, command: &[String], _env: &[String]) -> Result<ExecOutput, EngineError> {
        self.enter(format!("exec {} {}", c.name, command.join(" "))).await?;
        let running = self.lock().containers.iter().any(|x| (x.summary.id == c.id || x.summary.name == c.id) && x.details.running);
        if !running {
            return Err(EngineError::Refused { action: format!("exec in {}", c.name), message: "container is not running".into(), status: 409 });
        }
        // The fake runs nothing: `echo` is the one command it knows.
        let stdout = match command.split_first() {
            Some((first, rest)) if first == "echo" => format!("{}\n", rest.join(" ")).into_bytes(),
            _ => Vec::new(),
        };
        Ok(ExecOutput { exit_code: 0, stdout, stderr: Vec::new() })
    }

    async fn kill_container(&self, c: ContainerRef<'_>, signal: &str) -> Result<(), EngineError> {
        self.enter(format!("kill {} {signal}", c.name)).await?;
        self.update(c.id, "kill", |x, _| set_state(x, super::super::State::Exited, Some(137)))
    }

    async fn exec_create(&self, c: ContainerRef<'_>, spec: &ExecSpec) -> Result<String, EngineError> {
        self.enter(format!("exec {} {}", c.name, spec.command.join(" "))).await?;
        let mut s = self.lock();
        let running = s.containers.iter().find(|x| x.summary.id == c.id).ok_or_else(|| not_found("exec", "container"))?.details.running;
        if !running {
            return Err(EngineError::Refused { action: format!("exec in {}", c.name), message: "container is not running".into(), status: 409 });
        }
        s.next_id += 1;
        Ok(format!("exec{:060x}", s.next_id))
    }

    async fn exec_start(&self, exec_id: &str, attach: bool, _tty: bool) -> Result<Option<Attached>, EngineError> {
        self.enter(format!("start exec {exec_id}")).await?;
        if attach {
            return Err(unsupported("start exec"));
        }
        Ok(None)
    }

    async fn attach_container(&self, c: ContainerRef<'_>) -> Result<Attached, EngineError> {
        self.enter(format!("attach {}", c.name)).await?;
        Err(unsupported("attach"))
    }

    async fn exec_resize(&self, _exec_id: &str, _width: u16, _height: u16) -> Result<(), EngineError> {
        Ok(())
    }

    async fn exec_inspect(&self, _exec_id: &str) -> Result<ExecStatus, EngineError> {
        Ok(ExecStatus { running: false, exit_code: Some(0) })
    }

    async fn top(&self, c: ContainerRef<'_>, _ps_args: &str) -> Result<ProcessTable, EngineError> {
        let s = self.lock();
        let x = s.containers.iter().find(|x| x.summary.id == c.id).ok_or_else(|| not_found("top", "container"))?;
        let command = x.body.cmd.clone().unwrap_or_default().join(" ");
        let titles = ["UID", "PID", "CMD"].map(String::from).to_vec();
        Ok(ProcessTable { titles, processes: if x.details.running { vec![vec!["root".into(), "1".into(), command]] } else { Vec::new() } })
    }

    async fn copy_into(&self, c: ContainerRef<'_>, path: &str, _tar: Vec<u8>) -> Result<(), EngineError> {
        self.enter(format!("copy into {} {path}", c.name)).await
    }

    async fn upload_stream(&self, c: ContainerRef<'_>, path: &str, mut tar: ByteStream) -> Result<(), EngineError> {
        self.enter(format!("upload {} {path}", c.name)).await?;
        // Read it all, as the engine would; a failing source fails the upload.
        while let Some(chunk) = tar.next().await {
            chunk.map_err(|e| EngineError::Lost { action: format!("copy files into {}", c.name), reason: e.to_string() })?;
        }
        Ok(())
    }

    fn download_archive(&self, _c: ContainerRef<'_>, _path: &str) -> BoxStream<'static, Result<bytes::Bytes, EngineError>> {
        futures::stream::iter([Err(unsupported("copy from a container"))]).boxed()
    }

    async fn inspect_image(&self, reference: &str) -> Result<Option<ImageDetails>, EngineError> {
        Ok(self.lock().images.get(reference).map(|id| ImageDetails { id: id.clone(), size: Some(0), last_tag_time: None }))
    }

    fn pull_image(&self, reference: &str, _credentials: Option<&Credentials>) -> BoxStream<'static, Result<PullProgress, EngineError>> {
        if let Some(fault) = self.enter_now(&format!("pull {reference}")) {
            return fault.into_stream();
        }
        self.add_image(reference);
        let done = PullProgress::Layer { id: "fake".into(), status: "Pull complete".into(), current: None, total: None };
        futures::stream::iter([Ok(done)]).boxed()
    }

    fn build_image(&self, spec: &BuildSpec, _context: Vec<u8>) -> BoxStream<'static, Result<BuildProgress, EngineError>> {
        if let Some(fault) = self.enter_now(&format!("build {}", spec.tag)) {
            return fault.into_stream();
        }
        self.add_image(&spec.tag);
        let id = self.lock().images.get(&spec.tag).cloned().unwrap_or_default();
        futures::stream::iter([Ok(BuildProgress::Output("fake build\n".into())), Ok(BuildProgress::Built(id))]).boxed()
    }

    async fn tag_image(&self, image: &str, reference: &str) -> Result<(), EngineError> {
        self.enter(format!("tag {image} {reference}")).await?;
        let mut s = self.lock();
        let id = s.images.get(image).cloned().ok_or_else(|| not_found("tag", "image"))?;
        s.images.insert(reference.into(), id);
        Ok(())
    }

    fn export_container(&self, c: ContainerRef<'_>) -> BoxStream<'static, Result<bytes::Bytes, EngineError>> {
        self.export_tar(c)
    }

    async fn commit_container(&self, c: ContainerRef<'_>, spec: &CommitSpec) -> Result<String, EngineError> {
        self.commit(c, spec).await
    }

    async fn attach_running(&self, c: ContainerRef<'_>, _spec: &AttachSpec) -> Result<Attached, EngineError> {
        self.enter(format!("attach {}", c.name)).await?;
        Err(unsupported("attach"))
    }

    fn container_stats(&self, c: ContainerRef<'_>, _stream: bool) -> BoxStream<'static, Result<StatsSample, EngineError>> {
        self.stats_sample(c)
    }
}

/// What the fake does not model: attached streams, archives out of a
/// container.
fn unsupported(action: &str) -> EngineError {
    EngineError::Refused { action: action.into(), message: "unsupported by the fake engine".into(), status: 501 }
}

impl Fault {
    /// A stream that fails, or never yields, as the fault says.
    fn into_stream<T: Send + 'static>(self) -> BoxStream<'static, Result<T, EngineError>> {
        match self {
            Fault::Fail(e) => futures::stream::iter([Err(e)]).boxed(),
            Fault::Hang => futures::stream::pending().boxed(),
        }
    }
}
