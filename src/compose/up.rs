//! `up` as an operation: lock the project, check what the engine can do,
//! observe, decide what to pull and build, get those images, plan, refuse
//! missing images, create and start in dependency order, and wait when
//! asked. A dry run stops after deciding and returns the same steps.

use std::collections::HashMap;
use std::time::Duration;

use miette::miette;

use super::images::{decide, needs_age, ImageFlags, ImageWork};
use super::lock::lock_project;
use super::volume::migrate;
use crate::engine::{ApiVersion, Engine};
use crate::model::Project;
use crate::progress::Reporter;
use crate::reconcile::execute::Executor;
use crate::reconcile::observe::{observe, Observed};
use crate::reconcile::plan::{image_ref, plan_up, scope, Op, Plan, UpOptions};
use crate::reconcile::ready::wait_ready;
use crate::reconcile::steps::{up_steps, Noun, Step, Steps, Verb};
use crate::{Error, ErrorKind};

/// What `up` is asked to do.
#[derive(Clone, Debug, Default)]
pub struct UpRequest {
    /// Which services, scale, recreation and orphans.
    pub plan: UpOptions,
    /// `--build`, `--no-build`, `--pull`.
    pub images: ImageFlags,
    /// `create`: make the containers but start none.
    pub create_only: bool,
    /// `--wait`: return once every service is running and healthy (or done).
    pub wait: bool,
    /// `--wait-timeout`.
    pub wait_timeout: Option<Duration>,
    /// Decide, change nothing.
    pub dry_run: bool,
    /// How many engine calls at once (`COMPOSE_PARALLEL_LIMIT`); 0 for the default.
    pub parallel: usize,
    /// `--migrate-volumes`: move the data of volumes whose driver, options
    /// or name changed into volumes made as the file asks (see
    /// [`crate::compose::volume::migrate`]). Without it such a volume is
    /// used as it is, and a renamed one stops `up`.
    pub migrate_volumes: bool,
}

/// What `up` did (or, in a dry run, would do).
#[derive(Clone, Debug)]
pub struct UpOutcome {
    /// Pulls and builds, then the plan's steps, with warnings.
    pub steps: Steps,
    /// The container plan that was carried out.
    pub plan: Plan,
}

impl UpOutcome {
    /// The image work's steps, then the plan's.
    fn new(work: &[ImageWork], plan: Plan) -> UpOutcome {
        let planned = up_steps(&plan);
        let steps = Steps { steps: work.iter().map(ImageWork::step).chain(planned.steps).collect(), warnings: planned.warnings };
        UpOutcome { steps, plan }
    }

    /// The services `up` brought up (those asked for and their dependencies).
    pub fn services(&self) -> &[String] {
        &self.plan.services
    }
}

/// Brings `project` up on `engine`. See the module docs for the sequence.
pub async fn up(engine: &dyn Engine, project: &Project, req: &UpRequest, reporter: &dyn Reporter) -> Result<UpOutcome, Error> {
    for svc in req.plan.scale.keys() {
        if !project.services.contains_key(svc) {
            return Err(Error::new(ErrorKind::Usage, miette!(code = "rcompose::unknown_service", "--scale: no such service: {svc}")));
        }
    }
    let lock = if req.dry_run {
        None
    } else {
        let lock = lock_project(engine.host(), &project.name, |m| reporter.warning(m))
            .map_err(|e| Error::new(ErrorKind::System, miette!("cannot lock the project: {e}")))?;
        Some(lock)
    };
    preflight(engine, project)?;
    let images: Vec<String> = project.services.iter().map(|(n, s)| image_ref(project, n, s)).collect();
    let mut observed = observe(engine, project, &images).await?;
    let scope = scope(project, &req.plan)?;
    let mut ages = HashMap::new();
    for image in needs_age(project, &scope, &req.images) {
        if observed.images.contains_key(&image) {
            if let Some(age) = crate::images::pull::image_age(engine, &image).await {
                ages.insert(image, age);
            }
        }
    }
    let work = decide(project, &scope, &observed.images, &ages, &req.images)?;
    let drifts = migrate::drifts(project, &observed, &volumes_of(project, &scope));
    if !req.migrate_volumes {
        migrate::refuse_renamed(&drifts)?;
    }
    if req.dry_run {
        let plan = plan_up(project, &observed, &req.plan)?;
        let mut outcome = UpOutcome::new(&work, plan);
        if req.migrate_volumes {
            let steps = drifts.iter().map(|d| Step::new(Verb::Copy, Noun::Volume, d.name.clone(), format!("migrate: {d}")));
            outcome.steps.steps.splice(0..0, steps);
        }
        return Ok(outcome);
    }
    if req.migrate_volumes && !drifts.is_empty() {
        for m in migrate::migrate(engine, project, &observed, &drifts, reporter).await? {
            reporter.warning(&format!(
                "volume {} was migrated; its data as it was is kept in volume {} (remove it with `docker volume rm {}` once you no longer need it)",
                m.name, m.kept, m.kept
            ));
        }
        observed = observe(engine, project, &images).await?;
    }
    if get_images(engine, project, &work, reporter).await? {
        observed = observe(engine, project, &images).await?;
    }
    let plan = plan_up(project, &observed, &req.plan)?;
    refuse_missing_images(project, &plan, &observed)?;
    let env: HashMap<String, String> = std::env::vars().collect();
    let parallel = if req.parallel == 0 { crate::reconcile::execute::parallel_limit(&env) } else { req.parallel };
    let mut exec = Executor::new(engine, project, reporter, parallel);
    exec.create_only = req.create_only;
    exec.up(&plan).await?;
    // Waiting needs no lock: `down` may come meanwhile.
    drop(lock);
    if req.wait && !req.create_only {
        let now = observe(engine, project, &[]).await?;
        let targets: Vec<(String, String, String)> = now
            .containers
            .iter()
            .filter(|c| !c.labels.oneoff && plan.services.contains(&c.labels.service))
            .map(|c| (c.id.clone(), c.name.clone(), c.labels.service.clone()))
            .collect();
        wait_ready(engine, &targets, req.wait_timeout).await?;
    }
    Ok(UpOutcome::new(&work, plan))
}

/// The project volume keys that the services in `scope` mount.
fn volumes_of<'a>(project: &'a Project, scope: &[String]) -> Vec<&'a str> {
    let mut keys: Vec<&str> = scope
        .iter()
        .filter_map(|s| project.services.get(s))
        .flat_map(|s| s.volumes.iter())
        .filter(|m| m.kind == crate::model::MountType::Volume)
        .filter_map(|m| m.source.as_deref())
        .filter_map(|src| project.volumes.get_key_value(src).map(|(k, _)| k.as_str()))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Pulls, then builds; true when anything was fetched or made.
async fn get_images(engine: &dyn Engine, project: &Project, work: &[ImageWork], reporter: &dyn Reporter) -> Result<bool, Error> {
    let env: HashMap<String, String> = std::env::vars().collect();
    let mut builds = Vec::new();
    for w in work {
        match w {
            ImageWork::Pull { image, .. } => crate::images::pull::pull_image(engine, image, &env, reporter).await?,
            ImageWork::Build { service, .. } => builds.push(service.clone()),
        }
    }
    if !builds.is_empty() {
        let opts = crate::images::build::BuildOptions::default();
        super::build(engine, project, &builds, &opts, reporter).await?;
    }
    Ok(!work.is_empty())
}

/// Refuses, before anything is created, to plan containers whose image is
/// not here.
fn refuse_missing_images(project: &Project, plan: &Plan, observed: &Observed) -> Result<(), Error> {
    let mut missing: Vec<(String, String)> = Vec::new();
    for op in &plan.ops {
        if let Op::CreateContainer { service, .. } = op {
            let image = image_ref(project, service, &project.services[service]);
            if !observed.images.contains_key(&image) && !missing.iter().any(|(_, i)| i == &image) {
                missing.push((service.clone(), image));
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = missing.iter().map(|(s, i)| format!("{i} (service {s})")).collect();
    Err(Error::new(
        ErrorKind::State,
        miette!(
            code = "rcompose::image_missing",
            help = "pull it (`rcompose pull`), build it, or check the name; nothing was created",
            "no such image: {}",
            list.join(", ")
        ),
    ))
}

/// Features the engine must support for this project.
fn preflight(engine: &dyn Engine, project: &Project) -> Result<(), Error> {
    for (name, svc) in &project.services {
        for m in &svc.volumes {
            if m.volume.as_ref().is_some_and(|v| v.subpath.is_some()) {
                engine.require(ApiVersion(1, 45), &format!("volume subpath (service \"{name}\", mount {})", m.target))?;
            }
        }
        if svc.healthcheck.as_ref().is_some_and(|h| h.start_interval.is_some()) {
            engine.require(ApiVersion(1, 44), &format!("healthcheck start_interval (service \"{name}\")"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fake::FakeEngine;
    use crate::progress::Recorder;
    use crate::testing::{at, load};

    const STACK: &str = "
services:
  db: { image: postgres, pull_policy: missing }
  web: { image: nginx, depends_on: [db] }
";

    #[tokio::test]
    async fn up_pulls_missing_images_before_creating_and_its_dry_run_says_so_first() {
        let project = load(STACK);
        let engine = FakeEngine::new();
        engine.add_image("nginx");
        let dry = up(&engine, &project, &UpRequest { dry_run: true, ..UpRequest::default() }, &Recorder::default()).await.unwrap();
        assert_eq!(
            crate::render::plan::table(&dry.steps),
            "pull     image     postgres  (missing)\ncreate   network   demo_default  (missing)\ncreate   container demo-db-1  (missing)\ncreate   container demo-web-1  (missing)\n"
        );
        assert!(engine.calls().is_empty(), "a dry run calls nothing: {:?}", engine.calls());
        let done = up(&engine, &project, &UpRequest::default(), &Recorder::default()).await.unwrap();
        assert_eq!(done.steps.steps.len(), dry.steps.steps.len());
        let calls = engine.calls();
        assert!(at(&calls, "pull postgres") < at(&calls, "create demo-db-1"), "{calls:#?}");
        assert_eq!(engine.state_of("demo-web-1"), Some(crate::engine::State::Running));
    }

    #[tokio::test]
    async fn a_stack_brought_up_from_rust_runs_commands_and_goes_down() {
        let project = load(STACK);
        let engine = FakeEngine::new();
        engine.add_image("nginx");
        engine.add_image("postgres");
        let stack = project.up(&engine, UpRequest::default()).await.unwrap();
        stack.wait(Duration::from_secs(5)).await.unwrap();
        assert_eq!(stack.exec("web", &["echo", "hi"]).await.unwrap().stdout_text(), "hi");
        assert_eq!(stack.port("web", 80).await.unwrap(), None, "nothing is published");
        let missing = stack.exec("nope", &["true"]).await.unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::State);
        stack.down(true).await.unwrap();
        assert!(engine.container_names().is_empty());
    }
}
