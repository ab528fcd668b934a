//! `down` as an operation: stop and remove the project's containers in
//! reverse dependency order, then its networks, and its volumes and images
//! only when asked. External volumes and other projects' volumes are never
//! removed (`plan_down` decides; this carries it out).

use std::collections::HashMap;

use miette::miette;

use super::lock::lock_project;
use crate::engine::Engine;
use crate::model::Project;
use crate::progress::Reporter;
use crate::reconcile::execute::{parallel_limit, Executor};
use crate::reconcile::observe::{observe, observe_outside_users};
use crate::reconcile::plan_down::{is_anonymous, plan_down, DownOptions};
use crate::reconcile::steps::{down_steps, Steps};
use crate::{Error, ErrorKind};

/// What `down` is asked to do.
#[derive(Clone, Debug, Default)]
pub struct DownRequest {
    /// `-v`, `--remove-orphans`, `--rmi`, and whether only labels are known.
    pub plan: DownOptions,
    /// `-t`: seconds each container gets to stop.
    pub timeout: Option<i32>,
    /// Decide, change nothing.
    pub dry_run: bool,
}

/// Takes `project` down on `engine`; returns what was (or would be) done.
pub async fn down(engine: &dyn Engine, project: &Project, req: &DownRequest, reporter: &dyn Reporter) -> Result<Steps, Error> {
    // A service the file does not have is a mistake; with no file (`-p`
    // alone) names are matched against the containers' labels.
    if !req.plan.labels_only {
        if let Some(s) = req.plan.services.iter().find(|s| !project.services.contains_key(*s) && !project.disabled_services.contains_key(*s)) {
            return Err(Error::new(ErrorKind::Usage, miette!(code = "rcompose::unknown_service", "no such service: {s}")));
        }
    }
    let _lock = if req.dry_run {
        None
    } else {
        let lock = lock_project(engine.host(), &project.name, |m| reporter.warning(m))
            .map_err(|e| Error::new(ErrorKind::System, miette!("cannot lock the project: {e}")))?;
        Some(lock)
    };
    let mut observed = observe(engine, project, &[]).await?;
    if req.plan.volumes {
        let mut anonymous: Vec<String> =
            observed.containers.iter().flat_map(|c| c.volumes.iter().map(|(v, _)| v.clone())).filter(|v| is_anonymous(v)).collect();
        anonymous.sort();
        anonymous.dedup();
        observed.outside_users = observe_outside_users(engine, &project.name, &anonymous).await?;
    }
    let plan = plan_down(project, &observed, &req.plan);
    let steps = down_steps(&plan, req.plan.volumes);
    if req.dry_run {
        return Ok(steps);
    }
    if req.plan.volumes && !plan.volumes.is_empty() {
        reporter.warning(&format!("removing volumes: {}", plan.volumes.join(", ")));
    }
    let env: HashMap<String, String> = std::env::vars().collect();
    let exec = Executor::new(engine, project, reporter, parallel_limit(&env));
    exec.down(&plan, req.timeout, req.plan.volumes).await?;
    Ok(steps)
}
