//! Connecting to a Docker engine at an [`Endpoint`] (unix socket, tcp,
//! tcp+TLS), the API version handshake, and the per-call time limit
//! (`COMPOSE_HTTP_TIMEOUT`).

use std::collections::HashMap;
use std::time::Duration;

use super::super::endpoint::Endpoint;
use super::super::{ApiVersion, EngineError};
use super::Docker;

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

    /// Connects to the endpoint of the environment alone (DOCKER_HOST,
    /// default: the local unix socket) and reads the engine's API version.
    pub async fn connect(env: &HashMap<String, String>) -> Result<Docker, EngineError> {
        Docker::connect_to(&Endpoint::from_env(env), env).await
    }

    /// Connects to `endpoint` and reads the engine's API version; `env`
    /// gives the per-call time limit (`COMPOSE_HTTP_TIMEOUT`).
    pub async fn connect_to(endpoint: &Endpoint, env: &HashMap<String, String>) -> Result<Docker, EngineError> {
        let _ = CALL_TIMEOUT.set(timeout_from_env(env));
        let host = endpoint.host.clone();
        let unreachable = |reason: String| EngineError::Unreachable { host: host.clone(), context: endpoint.context.clone(), reason };
        let docker = if host.starts_with("unix://") {
            bollard::Docker::connect_with_unix(&host, CLIENT_TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
        } else if host.starts_with("tcp://") || host.starts_with("http://") || host.starts_with("https://") {
            if let Some(tls) = &endpoint.tls {
                let url = host.replacen("tcp://", "https://", 1);
                bollard::Docker::connect_with_ssl(&url, &tls.key, &tls.cert, &tls.ca, CLIENT_TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
            } else {
                bollard::Docker::connect_with_http(&host, CLIENT_TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
            }
        } else {
            return Err(unreachable(format!("unsupported engine address `{host}` (use unix://, tcp:// or https://)")));
        }
        .map_err(|e| unreachable(e.to_string()))?;
        let limit = call_timeout().min(Duration::from_secs(15));
        let api = tokio::time::timeout(limit, handshake(&docker, &host))
            .await
            .map_err(|_| unreachable(format!("no answer within {} s", limit.as_secs())))?
            .map_err(unreachable)?;
        tracing::debug!(%host, context = ?endpoint.context, %api, "connected to the engine");
        Ok(Docker { docker, host, api })
    }
}

/// The engine's API version, from the `API-Version` header of `/_ping` (well
/// under a millisecond), or from `/version` (a few milliseconds: the engine
/// asks containerd) where no plain connection is possible.
async fn handshake(docker: &bollard::Docker, host: &str) -> Result<ApiVersion, String> {
    match super::super::raw::get(host, "/_ping").await {
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
