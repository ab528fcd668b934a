//! The Docker engine, through bollard.
//!
//! Owns: connecting (DOCKER_HOST: unix socket, tcp, tcp+TLS with
//! DOCKER_TLS_VERIFY/DOCKER_CERT_PATH), reading the engine's API version,
//! and turning engine failures into errors that say what to do. The
//! reconciler calls these methods; nothing here decides anything.

pub mod changes;
pub mod context;
pub mod df;
pub mod labels;
pub mod raw;
pub mod wait;

use std::collections::HashMap;
use std::time::Duration;

use bollard::Docker;
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

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum EngineError {
    #[error("cannot connect to the Docker engine at {host}: {reason}")]
    #[diagnostic(
        code(rcompose::engine_unreachable),
        help("is the Docker daemon running? Check DOCKER_HOST, or start the engine (e.g. `systemctl start docker`)")
    )]
    Unreachable { host: String, reason: String },
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

/// A connected engine.
#[derive(Clone)]
pub struct Engine {
    pub docker: Docker,
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

impl Engine {
    /// Connects using DOCKER_HOST (default: the local unix socket) and reads
    /// the engine's API version.
    pub async fn connect(env: &HashMap<String, String>) -> Result<Engine, EngineError> {
        let _ = CALL_TIMEOUT.set(timeout_from_env(env));
        let host = env.get("DOCKER_HOST").cloned().filter(|h| !h.is_empty()).unwrap_or_else(|| "unix:///var/run/docker.sock".into());
        let unreachable = |reason: String| EngineError::Unreachable { host: host.clone(), reason };
        let docker = if host.starts_with("unix://") {
            Docker::connect_with_unix(&host, CLIENT_TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
        } else if host.starts_with("tcp://") || host.starts_with("http://") || host.starts_with("https://") {
            let tls = env.get("DOCKER_TLS_VERIFY").is_some_and(|v| !v.is_empty() && v != "0") || host.starts_with("https://");
            if tls {
                let cert_dir = env.get("DOCKER_CERT_PATH").cloned().unwrap_or_else(|| format!("{}/.docker", env.get("HOME").cloned().unwrap_or_default()));
                let dir = std::path::Path::new(&cert_dir);
                let url = host.replacen("tcp://", "https://", 1);
                Docker::connect_with_ssl(
                    &url,
                    &dir.join("key.pem"),
                    &dir.join("cert.pem"),
                    &dir.join("ca.pem"),
                    CLIENT_TIMEOUT_SECS,
                    bollard::API_DEFAULT_VERSION,
                )
            } else {
                Docker::connect_with_http(&host, CLIENT_TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
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
        Ok(Engine { docker, host, api })
    }

    /// Refuses a feature the engine is too old for.
    pub fn require(&self, needed: ApiVersion, what: impl Into<String>) -> Result<(), EngineError> {
        if self.api < needed {
            return Err(EngineError::TooOld { what: what.into(), needed, have: self.api });
        }
        Ok(())
    }
}

/// The engine's API version, from the `API-Version` header of `/_ping` (well
/// under a millisecond), or from `/version` (a few milliseconds: the engine
/// asks containerd) where no plain connection is possible.
async fn handshake(docker: &Docker, host: &str) -> Result<ApiVersion, String> {
    match raw::get(host, "/_ping").await {
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
