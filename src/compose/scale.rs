//! `scale` as an operation: `up` restricted to the services named, each with
//! its new replica count, as docker compose v2 does: replicas are created or
//! removed to match, out-of-date ones recreated, and the services' own
//! dependencies started unless `no_deps`. Other services are left alone.

use std::collections::HashMap;

use miette::miette;

use super::up::{up, UpOutcome, UpRequest};
use crate::engine::Engine;
use crate::model::Project;
use crate::progress::Reporter;
use crate::reconcile::plan::UpOptions;
use crate::{Error, ErrorKind};

/// What `scale` is asked to do.
#[derive(Clone, Debug, Default)]
pub struct ScaleRequest {
    /// Each service with its replica count, in the order given.
    pub replicas: Vec<(String, u32)>,
    /// `--no-deps`: leave the services' dependencies as they are.
    pub no_deps: bool,
    /// Decide, change nothing.
    pub dry_run: bool,
}

impl ScaleRequest {
    /// The `up` request that carries the scale out.
    pub fn up_request(&self, project: &Project) -> Result<UpRequest, Error> {
        if let Some((svc, _)) = self.replicas.iter().find(|(s, _)| !project.services.contains_key(s)) {
            return Err(Error::new(ErrorKind::Usage, miette!(code = "rcompose::unknown_service", "no such service: {svc}")));
        }
        let scale: HashMap<String, u32> = self.replicas.iter().cloned().collect();
        let mut services: Vec<String> = Vec::new();
        for (s, _) in &self.replicas {
            if !services.contains(s) {
                services.push(s.clone());
            }
        }
        let plan = UpOptions { services, no_deps: self.no_deps, scale, ..UpOptions::default() };
        Ok(UpRequest { plan, dry_run: self.dry_run, ..UpRequest::default() })
    }
}

/// Scales the named services of `project` on `engine`.
pub async fn scale(engine: &dyn Engine, project: &Project, req: &ScaleRequest, reporter: &dyn Reporter) -> Result<UpOutcome, Error> {
    up(engine, project, &req.up_request(project)?, reporter).await
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::engine::State;
    use crate::progress::Recorder;
    use crate::testing::{engine_for, load};

    const STACK: &str = "
services:
  db: { image: postgres }
  web: { image: nginx }
  worker: { image: busybox, depends_on: [db] }
";

    fn project() -> Project {
        load(STACK)
    }

    fn req(service: &str, n: u32, no_deps: bool) -> ScaleRequest {
        ScaleRequest { replicas: vec![(service.into(), n)], no_deps, dry_run: false }
    }

    #[tokio::test]
    async fn adds_and_removes_replicas_of_the_named_service_only() {
        let project = project();
        let engine = engine_for(&project);
        scale(&engine, &project, &req("worker", 3, false), &Recorder::default()).await.unwrap();
        assert_eq!(
            engine.container_names(),
            ["demo-db-1", "demo-worker-1", "demo-worker-2", "demo-worker-3"],
            "db started as worker's dependency, web untouched"
        );
        scale(&engine, &project, &req("worker", 1, false), &Recorder::default()).await.unwrap();
        assert_eq!(engine.container_names(), ["demo-db-1", "demo-worker-1"]);
        scale(&engine, &project, &req("worker", 0, false), &Recorder::default()).await.unwrap();
        assert_eq!(engine.container_names(), ["demo-db-1"]);
    }

    #[tokio::test]
    async fn no_deps_leaves_a_stopped_dependency_stopped() {
        let project = project();
        let engine = engine_for(&project);
        scale(&engine, &project, &req("worker", 1, false), &Recorder::default()).await.unwrap();
        let db = engine.list_containers(&Default::default()).await.unwrap().into_iter().find(|c| c.name == "demo-db-1").unwrap();
        engine.stop_container(crate::engine::ContainerRef::new(&db.id, &db.name), None).await.unwrap();
        scale(&engine, &project, &req("worker", 2, true), &Recorder::default()).await.unwrap();
        assert_eq!(engine.state_of("demo-db-1"), Some(State::Exited));
        assert_eq!(engine.state_of("demo-worker-2"), Some(State::Running));
        scale(&engine, &project, &req("worker", 2, false), &Recorder::default()).await.unwrap();
        assert_eq!(engine.state_of("demo-db-1"), Some(State::Running), "without --no-deps the dependency is started");
    }

    #[test]
    fn names_only_the_scaled_services_with_their_counts() {
        let req = ScaleRequest { replicas: vec![("worker".into(), 3)], no_deps: true, dry_run: false };
        let up = req.up_request(&project()).unwrap();
        assert_eq!(up.plan.services, vec!["worker".to_string()]);
        assert_eq!(up.plan.scale.get("worker"), Some(&3));
        assert!(up.plan.no_deps && !up.plan.remove_orphans && !up.create_only);
    }

    #[test]
    fn refuses_a_service_the_project_does_not_have() {
        let req = ScaleRequest { replicas: vec![("nosuch".into(), 2)], ..ScaleRequest::default() };
        let e = req.up_request(&project()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Usage);
        assert!(format!("{e:?}").contains("no such service: nosuch"), "{e:?}");
    }
}
