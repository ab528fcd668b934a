//! Dependency conditions: waiting for a service to be healthy or to have
//! completed successfully before its dependents start.

use bollard::models::HealthStatusEnum;

use super::execute::{ExecError, Executor};
use crate::engine::call;
use crate::engine::changes::Changes;
use crate::model::Condition;
use crate::progress::{Kind, Status};

impl Executor<'_> {
    /// Waits until `dependency` (its containers `ids`) meets `condition` for
    /// `dependent`. A failure is returned when the dependency is required;
    /// for an optional one it becomes a warning and the wait counts as done.
    pub async fn wait_condition(&self, dependency: &str, dependent: &str, condition: Condition, required: bool, ids: &[String]) -> Result<(), ExecError> {
        let waited = match condition {
            _ if self.create_only => Ok(()),
            Condition::ServiceStarted => Ok(()),
            Condition::ServiceHealthy => self.wait_healthy(dependency, dependent, ids).await,
            Condition::ServiceCompletedSuccessfully => self.wait_completed(dependency, ids).await,
        };
        match waited {
            Err(e) if !required => {
                self.reporter.warning(&format!("optional dependency \"{dependency}\" of \"{dependent}\": {e}"));
                Ok(())
            }
            other => other,
        }
    }

    pub(super) async fn wait_healthy(&self, service: &str, dependent: &str, ids: &[String]) -> Result<(), ExecError> {
        for id in ids {
            let mut announced = false;
            let mut changes = Changes::watch(self.engine, std::slice::from_ref(id));
            loop {
                let info = call("inspect container", self.engine.docker.inspect_container(id, None)).await?;
                let name = info.name.clone().unwrap_or_default().trim_start_matches('/').to_string();
                let state = info.state.unwrap_or_default();
                let health = state.health.as_ref().and_then(|h| h.status);
                let has_check = info
                    .config
                    .as_ref()
                    .and_then(|c| c.healthcheck.as_ref())
                    .and_then(|h| h.test.as_ref())
                    .is_some_and(|t| t.first().map(String::as_str) != Some("NONE") && !t.is_empty());
                if !has_check && health.is_none() {
                    return Err(ExecError::NoHealthcheck { service: service.into(), dependent: dependent.into() });
                }
                if state.running == Some(false) && state.restarting != Some(true) {
                    return Err(ExecError::DependencyExited { container: name, code: state.exit_code.unwrap_or(-1) });
                }
                match health {
                    Some(HealthStatusEnum::HEALTHY) => {
                        self.emit(Kind::Container, &name, Status::Healthy);
                        break;
                    }
                    Some(HealthStatusEnum::UNHEALTHY) => {
                        let detail = state
                            .health
                            .and_then(|h| h.log)
                            .and_then(|l| l.last().and_then(|r| r.output.clone()))
                            .map(|o| format!(": {}", o.trim()))
                            .unwrap_or_default();
                        return Err(ExecError::Unhealthy { container: name, detail });
                    }
                    _ => {}
                }
                if !announced {
                    self.emit(Kind::Container, &name, Status::Waiting);
                    announced = true;
                }
                changes.next().await;
            }
        }
        Ok(())
    }

    pub(super) async fn wait_completed(&self, service: &str, ids: &[String]) -> Result<(), ExecError> {
        for id in ids {
            let name = format!("{} (service {service})", &id[..id.len().min(12)]);
            let code = crate::engine::wait::exit_code(self.engine, id, &name).await?;
            if code != 0 {
                return Err(ExecError::NotCompleted { service: service.into(), code });
            }
            self.emit(Kind::Container, service, Status::Exited);
        }
        Ok(())
    }
}
