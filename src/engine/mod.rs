//! The container engine, behind one seam.
//!
//! Owns: the [`Engine`] trait (every request rcompose makes, in
//! rcompose's own [`types`]), its Docker implementation over bollard
//! ([`Docker`]: connecting to an [`endpoint::Endpoint`], TLS, the API version, time
//! limits), an in-memory [`fake`] for tests, and turning engine failures into
//! errors that say what to do. Nothing here decides anything. Only this
//! module imports bollard; everything else reaches the engine through the
//! trait.

pub mod changes;
pub mod context;
pub mod df;
mod docker;
pub mod endpoint;
pub mod fake;
pub mod labels;
pub mod raw;
pub mod types;

pub use docker::{call_timeout, Docker, DEFAULT_CALL_TIMEOUT};
pub use types::*;

/// The Docker API's own container and endpoint bodies, which rcompose fills
/// in nearly completely (see `reconcile::spec`): re-exported rather than
/// mirrored field by field.
pub mod wire {
    pub use bollard::models::*;
}
pub mod wait;

use std::time::Duration;

use futures::stream::BoxStream;
use miette::Diagnostic;

/// An API version such as 1.41.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiVersion(pub u32, pub u32);

impl ApiVersion {
    pub fn parse(text: &str) -> Option<ApiVersion> {
        let (a, b) = text.trim().split_once('.')?;
        Some(ApiVersion(a.parse().ok()?, b.parse().ok()?))
    }
}

impl std::fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

#[derive(Clone, Debug, thiserror::Error, Diagnostic)]
pub enum EngineError {
    #[error("cannot connect to the Docker engine at {host}{}: {reason}", via_context(context.as_deref()))]
    #[diagnostic(
        code(rcompose::engine_unreachable),
        help(
            "is the Docker daemon running? Check DOCKER_HOST and the docker context (`docker context ls`), or start the engine (e.g. `systemctl start docker`)"
        )
    )]
    Unreachable {
        host: String,
        /// The docker CLI context that named the host, if any.
        context: Option<String>,
        reason: String,
    },
    #[error("the engine refused `{action}`: {message}")]
    #[diagnostic(code(rcompose::engine_error))]
    Refused { action: String, message: String, status: u16 },
    #[error("lost the connection to the Docker engine during `{action}`: {reason}")]
    #[diagnostic(code(rcompose::engine_lost), help("the engine closed the connection or went away; check it with `docker info`, then run the command again"))]
    Lost { action: String, reason: String },
    #[error("the Docker engine did not answer `{action}` within {seconds} s")]
    #[diagnostic(code(rcompose::engine_timeout), help("the engine may be overloaded or stuck; check `docker info`, then run the command again"))]
    Timeout { action: String, seconds: u64 },
    #[error("{what} needs Docker Engine API {needed} or newer; this engine speaks {have}")]
    #[diagnostic(code(rcompose::engine_too_old), help("upgrade the Docker engine, or remove this option from the compose file"))]
    TooOld { what: String, needed: ApiVersion, have: ApiVersion },
}

/// " (docker context \"NAME\")", or nothing for the default context.
fn via_context(context: Option<&str>) -> String {
    context.map(|c| format!(" (docker context \"{c}\")")).unwrap_or_default()
}

impl EngineError {
    /// Wraps a bollard error for the named action.
    pub fn from_bollard(action: impl Into<String>, e: bollard::errors::Error) -> EngineError {
        let action = action.into();
        match e {
            bollard::errors::Error::DockerResponseServerError { status_code, message } => EngineError::Refused { action, message, status: status_code },
            // The connection failed: no answer came, so nothing was refused.
            e @ (bollard::errors::Error::HyperLegacyError { .. }
            | bollard::errors::Error::HyperResponseError { .. }
            | bollard::errors::Error::IOError { .. }) => {
                let mut reason = e.to_string();
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    let text = c.to_string();
                    if !reason.contains(&text) {
                        reason = format!("{reason}: {text}");
                    }
                    cause = c.source();
                }
                EngineError::Lost { action, reason }
            }
            other => EngineError::Refused { action, message: other.to_string(), status: 0 },
        }
    }

    /// True when the engine could not be reached or did not answer in time
    /// (rather than answering with an error).
    pub fn is_unanswered(&self) -> bool {
        matches!(self, EngineError::Lost { .. } | EngineError::Timeout { .. })
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, EngineError::Refused { status: 404, .. })
    }

    pub fn is_conflict(&self) -> bool {
        matches!(self, EngineError::Refused { status: 409, .. })
    }
}

/// Bytes arriving in pieces (an archive read from a file, or from another
/// container); an I/O error ends the stream.
pub type ByteStream = BoxStream<'static, Result<bytes::Bytes, std::io::Error>>;

/// The seam between rcompose and a container engine: every request the
/// reconciler makes, in rcompose's own types ([`types`]). [`Docker`] carries
/// them out over the Docker API; [`fake::FakeEngine`] answers them from
/// memory, so that the executor can be tested without an engine.
///
/// Each call is bounded by the call time limit (`COMPOSE_HTTP_TIMEOUT`),
/// except [`Engine::wait_exit`] and the streams, which last as long as they
/// must.
#[async_trait::async_trait]
pub trait Engine: Send + Sync {
    /// The engine's API version.
    fn api(&self) -> ApiVersion;

    /// Where the engine is (`DOCKER_HOST`), naming it in project locks.
    fn host(&self) -> &str;

    /// Refuses a feature the engine is too old for.
    fn require(&self, needed: ApiVersion, what: &str) -> Result<(), EngineError> {
        if self.api() < needed {
            return Err(EngineError::TooOld { what: what.into(), needed, have: self.api() });
        }
        Ok(())
    }

    async fn list_containers(&self, query: &ContainerQuery) -> Result<Vec<ContainerSummary>, EngineError>;
    async fn inspect_container(&self, container: ContainerRef<'_>) -> Result<ContainerDetails, EngineError>;
    /// Creates a container named `name`; returns its id.
    async fn create_container(&self, name: &str, platform: Option<&str>, body: wire::ContainerCreateBody) -> Result<String, EngineError>;
    async fn start_container(&self, container: ContainerRef<'_>) -> Result<(), EngineError>;
    /// Stops a container, waiting up to `timeout` seconds (the engine's
    /// default when none) before killing it. One already stopped is fine.
    async fn stop_container(&self, container: ContainerRef<'_>, timeout: Option<i32>) -> Result<(), EngineError>;
    /// Removes a container (forcing a running one), with its anonymous
    /// volumes when `volumes`.
    async fn remove_container(&self, container: ContainerRef<'_>, volumes: bool) -> Result<(), EngineError>;
    async fn rename_container(&self, container: ContainerRef<'_>, new_name: &str) -> Result<(), EngineError>;
    /// Restarts a container, giving it `timeout` seconds to stop.
    async fn restart_container(&self, container: ContainerRef<'_>, timeout: Option<i32>) -> Result<(), EngineError>;
    async fn pause_container(&self, container: ContainerRef<'_>) -> Result<(), EngineError>;
    async fn unpause_container(&self, container: ContainerRef<'_>) -> Result<(), EngineError>;
    /// Unpacks a tar archive into a container's file system at `path`,
    /// keeping the archive's owners.
    async fn upload_archive(&self, container: ContainerRef<'_>, path: &str, tar: Vec<u8>) -> Result<(), EngineError>;
    /// Waits until a container is not running; returns its exit code. A
    /// connection lost before the engine answered is an error, never a code.
    async fn wait_exit(&self, container: ContainerRef<'_>) -> Result<i64, EngineError>;

    async fn list_networks(&self, labels: &[String]) -> Result<Vec<NetworkSummary>, EngineError>;
    /// Creates a network; an existing one of that name is a conflict error.
    async fn create_network(&self, spec: &NetworkSpec) -> Result<(), EngineError>;
    async fn remove_network(&self, name_or_id: &str) -> Result<(), EngineError>;
    async fn connect_network(&self, network: &str, container: ContainerRef<'_>, endpoint: wire::EndpointSettings) -> Result<(), EngineError>;

    async fn list_volumes(&self) -> Result<Vec<VolumeSummary>, EngineError>;
    async fn create_volume(&self, spec: &VolumeSpec) -> Result<(), EngineError>;
    async fn remove_volume(&self, name: &str) -> Result<(), EngineError>;

    /// The id of a local image, or none when it is not there.
    async fn image_id(&self, reference: &str) -> Result<Option<String>, EngineError>;
    async fn remove_image(&self, reference: &str) -> Result<(), EngineError>;

    /// Follows engine events from now on.
    fn events(&self, query: &EventQuery) -> BoxStream<'static, Result<EngineEvent, EngineError>>;
    /// A container's output.
    fn logs(&self, container: ContainerRef<'_>, query: &LogsQuery) -> BoxStream<'static, Result<LogChunk, EngineError>>;

    /// Runs a command in a running container without a terminal and
    /// collects its output and exit code (the library's `Stack::exec`).
    async fn exec_output(&self, container: ContainerRef<'_>, command: &[String], env: &[String]) -> Result<ExecOutput, EngineError>;

    // The requests of the commands around the reconciler: exec, cp, top,
    // attached `up`, images, pull and build.

    /// Sends `signal` (e.g. `SIGKILL`) to a container.
    async fn kill_container(&self, container: ContainerRef<'_>, signal: &str) -> Result<(), EngineError>;
    /// Prepares a command to run in a running container; returns the exec id.
    async fn exec_create(&self, container: ContainerRef<'_>, spec: &ExecSpec) -> Result<String, EngineError>;
    /// Starts a prepared command; its streams when `attach`, none when it
    /// runs in the background.
    async fn exec_start(&self, exec_id: &str, attach: bool, tty: bool) -> Result<Option<Attached>, EngineError>;
    /// Attaches to a container's standard streams (before it starts, so no
    /// output is missed).
    async fn attach_container(&self, container: ContainerRef<'_>) -> Result<Attached, EngineError>;
    /// Tells an exec's TTY its size.
    async fn exec_resize(&self, exec_id: &str, width: u16, height: u16) -> Result<(), EngineError>;
    async fn exec_inspect(&self, exec_id: &str) -> Result<ExecStatus, EngineError>;
    /// The processes running in a container, listed by `ps` with `ps_args`.
    async fn top(&self, container: ContainerRef<'_>, ps_args: &str) -> Result<ProcessTable, EngineError>;
    /// Unpacks a tar archive into a container's file system at `path` as
    /// `docker cp` does: owned by the container's user, not the archive's.
    async fn copy_into(&self, container: ContainerRef<'_>, path: &str, tar: Vec<u8>) -> Result<(), EngineError>;
    /// Unpacks a tar archive that arrives as a stream into a container's
    /// file system at `path`, keeping the archive's owners; memory stays
    /// flat whatever the size. Not bounded by the call time limit.
    async fn upload_stream(&self, container: ContainerRef<'_>, path: &str, tar: ByteStream) -> Result<(), EngineError>;
    /// A tar archive of `path` in a container's file system, as it arrives.
    fn download_archive(&self, container: ContainerRef<'_>, path: &str) -> BoxStream<'static, Result<bytes::Bytes, EngineError>>;
    /// A local image, or none when it is not there.
    async fn inspect_image(&self, reference: &str) -> Result<Option<ImageDetails>, EngineError>;
    /// Pulls an image, reporting as it goes; a failure the registry reports
    /// is a last [`PullProgress::Failed`], a failure to talk to the engine an
    /// error. Not bounded by the call time limit.
    fn pull_image(&self, reference: &str, credentials: Option<&Credentials>) -> BoxStream<'static, Result<PullProgress, EngineError>>;
    /// Builds an image from a tar of its context, reporting as it goes; a
    /// failing build is a last [`BuildProgress::Failed`]. Not bounded by the
    /// call time limit.
    fn build_image(&self, spec: &BuildSpec, context: Vec<u8>) -> BoxStream<'static, Result<BuildProgress, EngineError>>;
    /// Gives a local image another reference (`repo[:tag]`).
    async fn tag_image(&self, image: &str, reference: &str) -> Result<(), EngineError>;

    // The requests of `export`, `commit`, `attach` and `stats`.

    /// A container's whole file system as a tar archive, as it arrives. Not
    /// bounded by the call time limit.
    fn export_container(&self, container: ContainerRef<'_>) -> BoxStream<'static, Result<bytes::Bytes, EngineError>>;
    /// Makes an image of a container's file system and configuration;
    /// returns the image id.
    async fn commit_container(&self, container: ContainerRef<'_>, spec: &CommitSpec) -> Result<String, EngineError>;
    /// Attaches to a running container's streams from now on (no earlier
    /// output); the engine ends them when the detach keys are typed.
    async fn attach_running(&self, container: ContainerRef<'_>, spec: &AttachSpec) -> Result<Attached, EngineError>;
    /// A container's resource usage: one sample (the engine waits for a
    /// second reading so that CPU use can be computed), or one about every
    /// second while `stream`.
    fn container_stats(&self, container: ContainerRef<'_>, stream: bool) -> BoxStream<'static, Result<StatsSample, EngineError>>;
}

/// Runs an engine call with the standard time limit and error wrapping.
pub async fn call<T, F>(action: impl Into<String>, fut: F) -> Result<T, EngineError>
where
    F: std::future::Future<Output = Result<T, bollard::errors::Error>>,
{
    call_with_grace(action, Duration::ZERO, fut).await
}

/// Like [`call`], with `grace` added to the limit (a stop that may wait for
/// the container's grace period).
pub async fn call_with_grace<T, F>(action: impl Into<String>, grace: Duration, fut: F) -> Result<T, EngineError>
where
    F: std::future::Future<Output = Result<T, bollard::errors::Error>>,
{
    let action = action.into();
    let limit = call_timeout() + grace;
    match tokio::time::timeout(limit, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(EngineError::from_bollard(action, e)),
        Err(_) => Err(EngineError::Timeout { action, seconds: limit.as_secs() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_connection_is_lost_not_refused() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection reset by peer");
        let e = EngineError::from_bollard("start container web-1", bollard::errors::Error::IOError { err: io });
        assert!(e.is_unanswered());
        let text = e.to_string();
        assert!(text.starts_with("lost the connection to the Docker engine during `start container web-1`"), "{text}");
        assert!(text.contains("connection reset by peer"), "{text}");
        let refused = EngineError::from_bollard("x", bollard::errors::Error::DockerResponseServerError { status_code: 409, message: "in use".into() });
        assert!(refused.is_conflict() && !refused.is_unanswered());
    }
}
