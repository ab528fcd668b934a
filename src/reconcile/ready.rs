//! Readiness for `up --wait` and `wait`: is a container running and
//! healthy, done (a one-shot that exited 0), still starting, or failed?
//!
//! Owns: the pure decision ([`readiness`]) and the loop that polls the
//! engine until every container is ready, one fails, or time runs out.

use std::time::{Duration, Instant};

use futures::StreamExt;
use miette::Diagnostic;

use crate::engine::changes::Changes;
use crate::engine::{ContainerDetails, ContainerRef, Engine, EngineError, Health, LogsQuery, State};

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
pub fn readiness(info: &ContainerDetails) -> Readiness {
    if info.running && !info.restarting {
        if !info.has_healthcheck {
            return Readiness::Ready;
        }
        return match info.health {
            Some(Health::Healthy) => Readiness::Ready,
            Some(Health::Unhealthy) => {
                let log = info.last_health_output.as_deref().filter(|o| !o.is_empty()).unwrap_or("(no output)");
                Readiness::Failed(format!("is unhealthy; last health check: {log}"))
            }
            Some(Health::Starting) | None => Readiness::Pending("health: starting".into()),
        };
    }
    if info.restarting {
        return Readiness::Pending("restarting".into());
    }
    match (info.state, info.exit_code) {
        (State::Exited | State::Dead, Some(0)) => Readiness::Done,
        (State::Exited | State::Dead, Some(code)) => Readiness::Failed(format!("exited with code {code}")),
        (state, _) => Readiness::Pending(state.as_str().to_string()),
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
pub async fn wait_ready(engine: &dyn Engine, containers: &[(String, String, String)], timeout: Option<Duration>) -> Result<(), WaitError> {
    let start = Instant::now();
    let ids: Vec<String> = containers.iter().map(|c| c.0.clone()).collect();
    let mut changes = Changes::watch(engine, &ids);
    let mut pending: Vec<&(String, String, String)> = containers.iter().collect();
    loop {
        let mut still = Vec::new();
        for c in pending {
            let info = engine.inspect_container(ContainerRef::new(&c.0, &c.1)).await?;
            match readiness(&info) {
                Readiness::Ready | Readiness::Done => {}
                Readiness::Pending(why) => still.push((c, why)),
                Readiness::Failed(reason) => {
                    let logs = tail_logs(engine, ContainerRef::new(&c.0, &c.1), 20).await;
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
pub async fn tail_logs(engine: &dyn Engine, container: ContainerRef<'_>, n: usize) -> String {
    let mut stream = engine.logs(container, &LogsQuery { tail: n.to_string(), ..LogsQuery::default() });
    let mut out = String::new();
    while let Some(Ok(chunk)) = stream.next().await {
        out.push_str(&String::from_utf8_lossy(chunk.bytes()));
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

    fn info(state: State, exit: i64, health: Option<Health>, check: bool) -> ContainerDetails {
        ContainerDetails {
            state,
            running: state == State::Running,
            exit_code: Some(exit),
            health,
            last_health_output: health.map(|_| "connection refused".into()),
            has_healthcheck: check,
            ..ContainerDetails::default()
        }
    }

    #[test]
    fn decisions() {
        use State::*;
        assert_eq!(readiness(&info(Running, 0, None, false)), Readiness::Ready);
        assert_eq!(readiness(&info(Running, 0, Some(Health::Healthy), true)), Readiness::Ready);
        assert!(matches!(readiness(&info(Running, 0, Some(Health::Starting), true)), Readiness::Pending(_)));
        assert_eq!(
            readiness(&info(Running, 0, Some(Health::Unhealthy), true)),
            Readiness::Failed("is unhealthy; last health check: connection refused".into())
        );
        assert_eq!(readiness(&info(Exited, 0, None, false)), Readiness::Done);
        assert_eq!(readiness(&info(Exited, 3, None, false)), Readiness::Failed("exited with code 3".into()));
        assert!(matches!(readiness(&info(Created, 0, None, false)), Readiness::Pending(_)));
    }
}
