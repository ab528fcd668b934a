//! The requests of the commands about one running container, over bollard:
//! its file system as a tar (`export`) and as an image (`commit`), and its
//! streams from now on (`attach`).

use bollard::query_parameters as q;
use futures::stream::BoxStream;
use futures::StreamExt;

use super::Docker;
use crate::engine::{call, AttachSpec, Attached, CommitSpec, ContainerRef, EngineError, LogChunk};

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
