//! Readiness for `up --wait` and `wait`: is a container running and
//! healthy, done (a one-shot that exited 0), still starting, or failed?
//!
//! Owns: the pure decision ([`readiness`]) and the loop that polls the
//! engine until every container is ready, one fails, or time runs out.

use std::time::{Duration, Instant};

use bollard::models::{ContainerInspectResponse, HealthStatusEnum};
use bollard::query_parameters::LogsOptionsBuilder;
use futures::StreamExt;
use miette::Diagnostic;

use crate::engine::changes::Changes;
use crate::engine::{call, Engine, EngineError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readiness {
    /// Running, and healthy when it has a health check.
    Ready,
    /// Exited with code 0: a one-shot job that finished.
    Done,
    Pending(String),
    Failed(String),
}

/// Decides from one inspect result.
pub fn readiness(info: &ContainerInspectResponse) -> Readiness {
    let state = info.state.clone().unwrap_or_default();
    let has_check = info.config.as_ref().and_then(|c| c.healthcheck.as_ref()).and_then(|h| h.test.as_ref()).is_some_and(|t| !t.is_empty() && t[0] != "NONE");
    if state.running == Some(true) && state.restarting != Some(true) {
        if !has_check {
            return Readiness::Ready;
        }
        return match state.health.as_ref().and_then(|h| h.status) {
            Some(HealthStatusEnum::HEALTHY) => Readiness::Ready,
            Some(HealthStatusEnum::UNHEALTHY) => {
                let log = state
                    .health
                    .as_ref()
                    .and_then(|h| h.log.as_ref())
                    .and_then(|l| l.last())
                    .and_then(|r| r.output.clone())
                    .map(|o| o.trim().to_string())
                    .unwrap_or_default();
                Readiness::Failed(format!("is unhealthy; last health check: {}", if log.is_empty() { "(no output)" } else { &log }))
            }
            _ => Readiness::Pending("health: starting".into()),
        };
    }
    if state.restarting == Some(true) {
        return Readiness::Pending("restarting".into());
    }
    match (state.status.map(|s| s.to_string()).as_deref(), state.exit_code) {
        (Some("exited") | Some("dead"), Some(0)) => Readiness::Done,
        (Some("exited") | Some("dead"), Some(code)) => Readiness::Failed(format!("exited with code {code}")),
        (Some(s), _) => Readiness::Pending(s.to_string()),
        (None, _) => Readiness::Pending("unknown".into()),
    }
}

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum WaitError {
    #[error("container {container} {reason}\n{logs}")]
    #[diagnostic(code(rcompose::not_ready), help("see all of its output with `rcompose logs {service}`"))]
    Failed { container: String, service: String, reason: String, logs: String },
    #[error("timed out after {seconds} s waiting for: {pending}")]
    #[diagnostic(code(rcompose::wait_timeout), help("raise --wait-timeout, or check the services' health checks and logs"))]
    Timeout { seconds: u64, pending: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] EngineError),
}

/// Waits until every container (id, name, service) is ready or done,
/// re-reading their state whenever the engine reports a change.
pub async fn wait_ready(engine: &Engine, containers: &[(String, String, String)], timeout: Option<Duration>) -> Result<(), WaitError> {
    let start = Instant::now();
    let ids: Vec<String> = containers.iter().map(|c| c.0.clone()).collect();
    let mut changes = Changes::watch(engine, &ids);
    let mut pending: Vec<&(String, String, String)> = containers.iter().collect();
    loop {
        let mut still = Vec::new();
        for c in pending {
            let info = call(format!("inspect container {}", c.1), engine.docker.inspect_container(&c.0, None)).await?;
            match readiness(&info) {
                Readiness::Ready | Readiness::Done => {}
                Readiness::Pending(why) => still.push((c, why)),
                Readiness::Failed(reason) => {
                    let logs = tail_logs(engine, &c.0, 20).await;
                    return Err(WaitError::Failed { container: c.1.clone(), service: c.2.clone(), reason, logs });
                }
            }
        }
        if still.is_empty() {
            return Ok(());
        }
        if let Some(t) = timeout {
            if start.elapsed() >= t {
                let names: Vec<String> = still.iter().map(|(c, why)| format!("{} ({why})", c.1)).collect();
                return Err(WaitError::Timeout { seconds: t.as_secs(), pending: names.join(", ") });
            }
        }
        pending = still.into_iter().map(|(c, _)| c).collect();
        match timeout.map(|t| t.saturating_sub(start.elapsed())) {
            Some(left) => {
                let _ = tokio::time::timeout(left, changes.next()).await;
            }
            None => changes.next().await,
        }
    }
}

/// The last `n` lines a container printed, indented, for error messages.
pub async fn tail_logs(engine: &Engine, id: &str, n: usize) -> String {
    let opts = LogsOptionsBuilder::default().stdout(true).stderr(true).tail(&n.to_string()).build();
    let mut stream = engine.docker.logs(id, Some(opts));
    let mut out = String::new();
    while let Some(Ok(chunk)) = stream.next().await {
        out.push_str(&String::from_utf8_lossy(&chunk.into_bytes()));
    }
    if out.trim().is_empty() {
        return "  (no output)".into();
    }
    let lines: Vec<String> = out.lines().map(|l| format!("  | {l}")).collect();
    format!("last output:\n{}", lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{ContainerConfig, ContainerState, ContainerStateStatusEnum, Health, HealthConfig, HealthcheckResult};

    fn info(status: ContainerStateStatusEnum, running: bool, exit: i64, health: Option<HealthStatusEnum>, check: bool) -> ContainerInspectResponse {
        ContainerInspectResponse {
            state: Some(ContainerState {
                status: Some(status),
                running: Some(running),
                exit_code: Some(exit),
                health: health.map(|h| Health {
                    status: Some(h),
                    log: Some(vec![HealthcheckResult { output: Some("connection refused\n".into()), ..Default::default() }]),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            config: Some(ContainerConfig {
                healthcheck: check.then(|| HealthConfig { test: Some(vec!["CMD".into(), "true".into()]), ..Default::default() }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn decisions() {
        use ContainerStateStatusEnum::*;
        assert_eq!(readiness(&info(RUNNING, true, 0, None, false)), Readiness::Ready);
        assert_eq!(readiness(&info(RUNNING, true, 0, Some(HealthStatusEnum::HEALTHY), true)), Readiness::Ready);
        assert!(matches!(readiness(&info(RUNNING, true, 0, Some(HealthStatusEnum::STARTING), true)), Readiness::Pending(_)));
        assert_eq!(
            readiness(&info(RUNNING, true, 0, Some(HealthStatusEnum::UNHEALTHY), true)),
            Readiness::Failed("is unhealthy; last health check: connection refused".into())
        );
        assert_eq!(readiness(&info(EXITED, false, 0, None, false)), Readiness::Done);
        assert_eq!(readiness(&info(EXITED, false, 3, None, false)), Readiness::Failed("exited with code 3".into()));
        assert!(matches!(readiness(&info(CREATED, false, 0, None, false)), Readiness::Pending(_)));
    }
}
