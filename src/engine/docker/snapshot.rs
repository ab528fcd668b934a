//! The requests of the commands about one running container, over bollard:
//! its file system as a tar (`export`) and as an image (`commit`), its
//! streams from now on (`attach`), its resource usage (`stats`).

use bollard::query_parameters as q;
use futures::stream::BoxStream;
use futures::StreamExt;

use super::Docker;
use crate::engine::{call, wire, AttachSpec, Attached, CommitSpec, ContainerRef, EngineError, LogChunk, StatsSample};

pub(super) fn export(docker: &Docker, c: ContainerRef<'_>) -> BoxStream<'static, Result<bytes::Bytes, EngineError>> {
    let action = format!("export {}", c.name);
    docker.docker.export_container(c.id).map(move |r| r.map_err(|e| EngineError::from_bollard(action.clone(), e))).boxed()
}

pub(super) async fn commit(docker: &Docker, c: ContainerRef<'_>, spec: &CommitSpec) -> Result<String, EngineError> {
    let (repo, tag) = match spec.reference.as_deref() {
        Some(r) => {
            let (repo, tag) = crate::engine::split_tag(r);
            (Some(repo.to_string()), Some(tag.to_string()))
        }
        None => (None, None),
    };
    let opts = q::CommitContainerOptions {
        container: Some(c.id.to_string()),
        repo,
        tag,
        comment: spec.message.clone(),
        author: spec.author.clone(),
        pause: spec.pause,
        // The engine reads the changes as the lines of one Dockerfile.
        changes: (!spec.changes.is_empty()).then(|| spec.changes.join("\n")),
    };
    let config = bollard::models::ContainerConfig::default();
    Ok(call(format!("commit {}", c.name), docker.docker.commit_container(opts, config)).await?.id)
}

pub(super) async fn attach(docker: &Docker, c: ContainerRef<'_>, spec: &AttachSpec) -> Result<Attached, EngineError> {
    let mut opts = q::AttachContainerOptionsBuilder::default().stream(true).logs(false).stdin(spec.stdin).stdout(true).stderr(true);
    if let Some(keys) = &spec.detach_keys {
        opts = opts.detach_keys(keys);
    }
    let attached = call(format!("attach to {}", c.name), docker.docker.attach_container(c.id, Some(opts.build()))).await?;
    let action = format!("read the output of {}", c.name);
    let output = attached.output.map(move |r| r.map(LogChunk::from).map_err(|e| EngineError::from_bollard(action.clone(), e))).boxed();
    Ok(Attached { output, input: attached.input })
}

pub(super) fn stats(docker: &Docker, c: ContainerRef<'_>, stream: bool) -> BoxStream<'static, Result<StatsSample, EngineError>> {
    let opts = q::StatsOptions { stream, one_shot: false };
    let action = format!("read the stats of {}", c.name);
    docker.docker.stats(c.id, Some(opts)).map(move |r| r.map(sample).map_err(|e| EngineError::from_bollard(action.clone(), e))).boxed()
}

fn sample(s: wire::ContainerStatsResponse) -> StatsSample {
    let cpu = s.cpu_stats.unwrap_or_default();
    let pre = s.precpu_stats.unwrap_or_default();
    let usage = cpu.cpu_usage.unwrap_or_default();
    let mem = s.memory_stats.unwrap_or_default();
    let stats = mem.stats.unwrap_or_default();
    // cgroup v1 names the whole hierarchy's figure `total_inactive_file`.
    let inactive = stats.get("total_inactive_file").or_else(|| stats.get("inactive_file")).copied();
    let (mut net_rx, mut net_tx) = (0, 0);
    for n in s.networks.unwrap_or_default().values() {
        net_rx += n.rx_bytes.unwrap_or(0);
        net_tx += n.tx_bytes.unwrap_or(0);
    }
    let (mut blk_read, mut blk_write) = (0, 0);
    for e in s.blkio_stats.and_then(|b| b.io_service_bytes_recursive).unwrap_or_default() {
        match e.op.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("read") => blk_read += e.value.unwrap_or(0),
            Some("write") => blk_write += e.value.unwrap_or(0),
            _ => {}
        }
    }
    StatsSample {
        cpu_total: usage.total_usage.unwrap_or(0),
        precpu_total: pre.cpu_usage.and_then(|u| u.total_usage).unwrap_or(0),
        system_cpu: cpu.system_cpu_usage.unwrap_or(0),
        presystem_cpu: pre.system_cpu_usage.unwrap_or(0),
        online_cpus: cpu.online_cpus.unwrap_or_else(|| usage.percpu_usage.map_or(0, |p| p.len() as u32)),
        mem_usage: mem.usage.unwrap_or(0),
        mem_limit: mem.limit.unwrap_or(0),
        mem_inactive_file: inactive,
        net_rx,
        net_tx,
        blk_read,
        blk_write,
        pids: s.pids_stats.and_then(|p| p.current).unwrap_or(0),
    }
}
