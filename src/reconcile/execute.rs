//! Carrying out a plan against the engine.
//!
//! Owns: the order and concurrency of engine calls. Networks and volumes
//! first; then every service at once, each waiting only for its own
//! dependencies' conditions (started, healthy, completed successfully);
//! engine calls bounded by COMPOSE_PARALLEL_LIMIT. It makes no decisions:
//! every operation comes from the plan, and progress goes to a [`Reporter`].

use std::collections::HashMap;
use std::sync::Arc;

use miette::Diagnostic;
use tokio::sync::{watch, Semaphore};

use super::plan::{Op, Plan};
use crate::engine::{ContainerRef, Engine, EngineError};
use crate::graph::{EdgeKind, ServiceGraph};
use crate::model::{Condition, Project};
use crate::progress::{Event, Kind, Reporter, Status};

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ExecError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Engine(#[from] EngineError),
    #[error("dependency failed to start: container {container} exited with code {code}")]
    #[diagnostic(code(rcompose::dependency_exited), help("see its output with `docker logs {container}`"))]
    DependencyExited { container: String, code: i64 },
    #[error("container {container} is unhealthy{detail}")]
    #[diagnostic(code(rcompose::unhealthy), help("see its output with `docker logs {container}`"))]
    Unhealthy { container: String, detail: String },
    #[error("service \"{service}\" has no healthcheck, but \"{dependent}\" waits for it to be healthy")]
    #[diagnostic(code(rcompose::no_healthcheck), help("add a healthcheck to \"{service}\", or use `condition: service_started`"))]
    NoHealthcheck { service: String, dependent: String },
    #[error("service \"{service}\" did not complete successfully: exit code {code}")]
    #[diagnostic(code(rcompose::not_completed))]
    NotCompleted { service: String, code: i64 },
    #[error("service \"{service}\" was not started because \"{dependency}\" failed")]
    #[diagnostic(code(rcompose::dependency_failed))]
    DependencyFailed { service: String, dependency: String },
}

/// Runs plans against one engine for one project.
pub struct Executor<'a> {
    pub engine: &'a dyn Engine,
    pub project: &'a Project,
    pub reporter: &'a dyn Reporter,
    limit: Arc<Semaphore>,
    /// `create`: make containers but start none (and wait for nothing).
    pub create_only: bool,
}

/// COMPOSE_PARALLEL_LIMIT, or a default.
pub fn parallel_limit(env: &HashMap<String, String>) -> usize {
    env.get("COMPOSE_PARALLEL_LIMIT").and_then(|v| v.parse().ok()).filter(|n: &usize| *n > 0).unwrap_or(64)
}

type Ready = watch::Sender<Option<Result<Vec<String>, String>>>;

impl<'a> Executor<'a> {
    pub fn new(engine: &'a dyn Engine, project: &'a Project, reporter: &'a dyn Reporter, parallel: usize) -> Self {
        Executor { engine, project, reporter, limit: Arc::new(Semaphore::new(parallel.max(1))), create_only: false }
    }

    pub(super) async fn permit(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.limit.acquire().await.expect("semaphore is never closed")
    }

    pub(super) fn emit(&self, kind: Kind, name: &str, status: Status) {
        self.reporter.event(Event::new(kind, name, status));
    }

    /// Carries out an `up` plan.
    pub async fn up(&self, plan: &Plan) -> Result<(), ExecError> {
        for w in &plan.warnings {
            self.reporter.warning(w);
        }
        let resources = plan.ops.iter().filter(|op| matches!(op, Op::CreateNetwork { .. } | Op::CreateVolume { .. }));
        let results = futures::future::join_all(resources.map(|op| self.resource(op))).await;
        results.into_iter().collect::<Result<Vec<_>, _>>()?;
        self.drop_duplicate_networks().await?;

        let removals = plan.ops.iter().filter(|op| matches!(op, Op::RemoveContainer { .. }) && !plan.services.iter().any(|s| Some(s.as_str()) == op.service()));
        let none = HashMap::new();
        let results = futures::future::join_all(removals.map(|op| self.container_op(op, &none, &none))).await;
        results.into_iter().collect::<Result<Vec<_>, _>>()?;

        let graph = ServiceGraph::build(self.project);
        let early = self.create_early(plan, &graph).await?;
        let channels: HashMap<&str, Ready> = plan.services.iter().map(|s| (s.as_str(), watch::channel(None).0)).collect();
        let tasks = plan.services.iter().map(|s| self.service(s, plan, &graph, &channels, &early));
        let results = futures::future::join_all(tasks).await;
        // Report the first real failure, not the "dependency failed" echoes.
        let mut first_echo = None;
        for r in results {
            match r {
                Err(e @ ExecError::DependencyFailed { .. }) => first_echo = first_echo.or(Some(e)),
                Err(e) => return Err(e),
                Ok(()) => {}
            }
        }
        first_echo.map_or(Ok(()), Err)
    }

    /// Creates at once every new container whose creation needs nothing from
    /// another container (only `depends_on` edges: no `network_mode`,
    /// `volumes_from`, `links`, `ipc` or `pid` naming a service), so that
    /// starting is all that waits for dependencies. Returns name → id.
    async fn create_early(&self, plan: &Plan, graph: &ServiceGraph) -> Result<HashMap<String, String>, ExecError> {
        let independent = |service: &str| {
            let s = &self.project.services[service];
            graph.dependencies(service).iter().all(|(_, kind)| matches!(kind, EdgeKind::DependsOn { .. })) && s.namespace_services().next().is_none()
        };
        let none = &HashMap::new();
        let early = plan.ops.iter().filter_map(|op| match op {
            Op::CreateContainer { service, number, name, replaces: None, .. } if independent(service) => Some((service, *number, name)),
            _ => None,
        });
        let results = futures::future::join_all(early.map(|(service, number, name)| async move {
            let _permit = self.permit().await;
            self.create(service, number, name, None, none).await.map(|id| (name.clone(), id))
        }))
        .await;
        results.into_iter().collect()
    }

    async fn service(
        &self,
        name: &str,
        plan: &Plan,
        graph: &ServiceGraph,
        channels: &HashMap<&str, Ready>,
        early: &HashMap<String, String>,
    ) -> Result<(), ExecError> {
        let result = self.service_inner(name, plan, graph, channels, early).await;
        let sent = match &result {
            Ok(ids) => Ok(ids.clone()),
            Err(e) => Err(e.to_string()),
        };
        if let Some(tx) = channels.get(name) {
            tx.send_replace(Some(sent));
        }
        result.map(|_| ())
    }

    async fn service_inner(
        &self,
        name: &str,
        plan: &Plan,
        graph: &ServiceGraph,
        channels: &HashMap<&str, Ready>,
        early: &HashMap<String, String>,
    ) -> Result<Vec<String>, ExecError> {
        let mut dep_containers: HashMap<String, String> = HashMap::new();
        for (dep, kind) in graph.dependencies(name) {
            let Some(tx) = channels.get(dep) else { continue };
            let mut rx = tx.subscribe();
            let outcome = rx.wait_for(std::option::Option::is_some).await.ok().and_then(|v| v.clone());
            let (condition, required) = match kind {
                EdgeKind::DependsOn { condition, required, .. } => (condition, required),
                _ => (Condition::ServiceStarted, true),
            };
            let ids = match outcome {
                Some(Ok(ids)) => ids,
                _ if !required => {
                    self.reporter.warning(&format!("optional dependency \"{dep}\" of \"{name}\" failed to start; going on"));
                    continue;
                }
                _ => return Err(ExecError::DependencyFailed { service: name.into(), dependency: dep.into() }),
            };
            if let Some(first) = ids.first() {
                dep_containers.insert(dep.to_string(), first.clone());
            }
            self.wait_condition(dep, name, condition, required, &ids).await?;
        }
        let ops: Vec<&Op> = plan.ops.iter().filter(|op| op.service() == Some(name)).collect();
        let results = futures::future::join_all(ops.iter().map(|op| self.container_op(op, &dep_containers, early))).await;
        let mut ids = Vec::new();
        for r in results {
            if let Some(id) = r? {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// One container operation; returns the id of the container that now
    /// serves (none for removals).
    async fn container_op(&self, op: &Op, deps: &HashMap<String, String>, early: &HashMap<String, String>) -> Result<Option<String>, ExecError> {
        match op {
            Op::KeepContainer { name, id, .. } => {
                self.emit(Kind::Container, name, Status::Running);
                Ok(Some(id.clone()))
            }
            Op::StartContainer { id, .. } if self.create_only => Ok(Some(id.clone())),
            Op::StartContainer { service, name, id, .. } => {
                let _permit = self.permit().await;
                self.join_missing_networks(service, name, id).await?;
                self.emit(Kind::Container, name, Status::Starting);
                self.engine.start_container(ContainerRef::new(id, name)).await?;
                self.emit(Kind::Container, name, Status::Started);
                Ok(Some(id.clone()))
            }
            Op::RemoveContainer { name, id, .. } => {
                let _permit = self.permit().await;
                self.stop_and_remove(name, id, None, false).await?;
                Ok(None)
            }
            Op::CreateContainer { name, .. } if early.contains_key(name) => {
                let id = &early[name];
                let _permit = self.permit().await;
                self.start_created(name, id, None).await?;
                Ok(Some(id.clone()))
            }
            Op::CreateContainer { service, number, name, replaces, .. } => {
                let id = self.create_and_start(service, *number, name, replaces.as_ref(), deps).await?;
                Ok(Some(id))
            }
            Op::CreateNetwork { .. } | Op::CreateVolume { .. } => Ok(None),
        }
    }

    /// Removes named resources at once; one already gone is not an error.
    pub(super) async fn remove_all<'n, F, Fut>(&self, kind: Kind, names: &'n [String], remove: F) -> Result<(), ExecError>
    where
        F: Fn(&'n str) -> Fut,
        Fut: std::future::Future<Output = Result<(), EngineError>>,
    {
        let results = futures::future::join_all(names.iter().map(|n| {
            let fut = remove(n);
            async move {
                self.emit(kind, n, Status::Removing);
                match fut.await {
                    Ok(()) => {}
                    Err(e) if e.is_not_found() => {}
                    Err(e) => return Err(ExecError::from(e)),
                }
                self.emit(kind, n, Status::Removed);
                Ok(())
            }
        }))
        .await;
        results.into_iter().collect::<Result<Vec<_>, _>>().map(|_| ())
    }
}
