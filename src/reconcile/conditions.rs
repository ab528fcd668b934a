//! Dependency conditions: waiting for a service to be healthy or to have
//! completed successfully before its dependents start.

use super::execute::{ExecError, Executor};
use crate::engine::changes::Changes;
use crate::engine::{ContainerRef, Health};
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
                let info = self.engine.inspect_container(ContainerRef::new(id, service)).await?;
                let name = info.name.clone();
                if !info.has_healthcheck && info.health.is_none() {
                    return Err(ExecError::NoHealthcheck { service: service.into(), dependent: dependent.into() });
                }
                if !info.running && !info.restarting {
                    return Err(ExecError::DependencyExited { container: name, code: info.exit_code.unwrap_or(-1) });
                }
                match info.health {
                    Some(Health::Healthy) => {
                        self.emit(Kind::Container, &name, Status::Healthy);
                        break;
                    }
                    Some(Health::Unhealthy) => {
                        let detail = info.last_health_output.map(|o| format!(": {o}")).unwrap_or_default();
                        return Err(ExecError::Unhealthy { container: name, detail });
                    }
                    Some(Health::Starting) | None => {}
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
            // A lost connection is an error here, never a success.
            let code = self.engine.wait_exit(ContainerRef::new(id, service)).await?;
            if code != 0 {
                return Err(ExecError::NotCompleted { service: service.into(), code });
            }
            self.emit(Kind::Container, service, Status::Exited);
        }
        Ok(())
    }
}
