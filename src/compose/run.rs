//! `run` as an operation, up to the one-off container: its dependencies
//! brought up and their conditions waited for (as `up` does), the service's
//! own networks and volumes made, the service changed by the flags, and the
//! container created. Attaching a terminal to it and passing its exit code
//! on is the command's part. A dry run returns the steps.

use std::collections::HashMap;

use miette::miette;

use crate::engine::Engine;
use crate::graph::{EdgeKind, ServiceGraph};
use crate::model::forms::Command;
use crate::model::{Project, Service};
use crate::progress::Reporter;
use crate::reconcile::execute::{parallel_limit, Executor};
use crate::reconcile::hash::config_hash;
use crate::reconcile::observe::{observe, observe_containers};
use crate::reconcile::plan::{image_ref, plan_up, Op, UpOptions};
use crate::reconcile::shared_mounts::shared_mounts;
use crate::reconcile::spec::{container_body, SpecInput};
use crate::reconcile::steps::{op_step, Noun, Step, Steps, Verb};
use crate::{Error, ErrorKind};

/// How the flags change the service for its one-off container.
#[derive(Clone, Debug, Default)]
pub struct OneOffOverrides {
    /// The command (the service's own when empty).
    pub command: Vec<String>,
    pub entrypoint: Option<String>,
    /// `KEY=VALUE`, or `KEY` to take the value from this process.
    pub env: Vec<String>,
    /// `KEY=VALUE`.
    pub labels: Vec<String>,
    /// `SOURCE:TARGET[:MODE]`, relative binds against the current folder.
    pub volumes: Vec<String>,
    pub user: Option<String>,
    pub workdir: Option<String>,
    /// Publish the service's ports (off by default, as in docker compose).
    pub service_ports: bool,
    /// The container's name (default `PROJECT-SERVICE-run-RANDOM`).
    pub name: Option<String>,
}

/// What `run` is asked to do.
#[derive(Clone, Debug, Default)]
pub struct RunRequest {
    pub service: String,
    pub overrides: OneOffOverrides,
    pub no_deps: bool,
    /// A terminal is attached (`tty` in the container).
    pub tty: bool,
    /// Standard input stays open (not detached).
    pub interactive: bool,
    /// `--rm`, for the dry run's wording.
    pub rm: bool,
    pub dry_run: bool,
}

/// The one-off container made, not yet started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OneOff {
    pub id: String,
    pub name: String,
}

/// What [`prepare_run`] did.
#[derive(Clone, Debug)]
pub enum Prepared {
    /// A dry run: what would be done.
    Planned(Steps),
    Created(OneOff),
}

/// `project` with `service` enabled even when its profile is off, as
/// docker compose's `run` does; an unknown service is a usage error.
pub fn with_service(project: &Project, service: &str) -> Result<(Project, Service), Error> {
    let mut project = project.clone();
    project.enable_services(&[service.to_string()]);
    let base = project.services.get(service).cloned().ok_or_else(|| {
        Error::new(
            ErrorKind::Usage,
            miette!(code = "rcompose::unknown_service", help = "`rcompose config --services` lists the services", "no such service: {service}"),
        )
    })?;
    Ok((project, base))
}

/// Brings up what the one-off needs and creates it (see the module docs).
pub async fn prepare_run(engine: &dyn Engine, project: &Project, req: &RunRequest, reporter: &dyn Reporter) -> Result<Prepared, Error> {
    let (project, base) = with_service(project, &req.service)?;
    let svc = one_off_service(&base, &req.overrides, req.tty, req.interactive)?;
    let env: HashMap<String, String> = std::env::vars().collect();
    let graph = ServiceGraph::build(&project);
    let deps: Vec<String> = if req.no_deps { Vec::new() } else { graph.dependencies(&req.service).into_iter().map(|(d, _)| d.to_string()).collect() };
    let images: Vec<String> = project.services.iter().map(|(n, s)| image_ref(&project, n, s)).collect();
    let observed = observe(engine, &project, &images).await?;
    let deps_plan = if deps.is_empty() { None } else { Some(plan_up(&project, &observed, &UpOptions { services: deps, ..Default::default() })?) };
    let own = UpOptions { services: vec![req.service.clone()], no_deps: true, ..Default::default() };
    let mut own_plan = plan_up(&project, &observed, &own)?;
    own_plan.ops.retain(|op| matches!(op, Op::CreateNetwork { .. } | Op::CreateVolume { .. }));
    own_plan.services.clear();
    own_plan.warnings.clear();
    if req.dry_run {
        let mut steps = Steps::default();
        for plan in deps_plan.iter().chain(std::iter::once(&own_plan)) {
            steps.steps.extend(plan.ops.iter().filter(|op| !matches!(op, Op::KeepContainer { .. })).map(op_step));
        }
        steps.steps.dedup();
        let command = svc.command.as_ref().map(|c| c.0.join(" ")).unwrap_or_default();
        let reason = if req.rm { format!("{command}, removed after") } else { command };
        steps.push(Step::new(Verb::Run, Noun::OneOff, req.service.clone(), reason));
        return Ok(Prepared::Planned(steps));
    }
    let exec = Executor::new(engine, &project, reporter, parallel_limit(&env));
    if let Some(plan) = &deps_plan {
        exec.up(plan).await?;
        // The one-off is not in that plan, so its own depends_on conditions
        // are waited for here, as `up` waits for a service's.
        let now = observe_containers(engine, &project).await?;
        for (dep, kind) in graph.dependencies(&req.service) {
            let EdgeKind::DependsOn { condition, required, .. } = kind else { continue };
            let ids: Vec<String> = now.service_containers(dep).iter().map(|c| c.id.clone()).collect();
            exec.wait_condition(dep, &req.service, condition, required, &ids).await?;
        }
    }
    // The service's own networks and volumes, even with --no-deps.
    exec.up(&own_plan).await?;
    let name = req.overrides.name.clone().unwrap_or_else(|| format!("{}-{}-run-{}", project.name, req.service, short_id()));
    let mut input = SpecInput {
        project: project.name.clone(),
        service: req.service.clone(),
        number: 1,
        container_name: name.clone(),
        image: image_ref(&project, &req.service, &base),
        config_hash: config_hash(&svc),
        oneoff: true,
        ..SpecInput::default()
    };
    if !svc.volumes_from.is_empty() {
        let now = observe_containers(engine, &project).await?;
        let firsts: HashMap<String, String> =
            svc.volumes_from.iter().filter_map(|v| v.service()).filter_map(|s| Some((s.to_string(), now.service_containers(s).first()?.id.clone()))).collect();
        input.shared_mounts = Some(shared_mounts(engine, &svc, &firsts, &project.name).await?);
        input.service_containers = firsts;
    }
    let mut body = container_body(&project, &svc, &input);
    body.attach_stdin = Some(req.interactive);
    body.attach_stdout = Some(req.interactive);
    body.attach_stderr = Some(req.interactive);
    body.stdin_once = Some(true);
    let id = engine.create_container(&name, svc.platform.as_deref(), body).await?;
    Ok(Prepared::Created(OneOff { id, name }))
}

/// The service as its one-off container runs it: the flags applied, no
/// restart policy, no fixed name, ports only with `--service-ports`.
pub fn one_off_service(base: &Service, o: &OneOffOverrides, tty: bool, interactive: bool) -> Result<Service, Error> {
    let mut svc = base.clone();
    if !o.command.is_empty() {
        svc.command = Some(Command(o.command.clone()));
    }
    if let Some(ep) = &o.entrypoint {
        let words = shell_words::split(ep).map_err(|_| Error::new(ErrorKind::Usage, miette!("cannot split --entrypoint `{ep}`")))?;
        svc.entrypoint = Some(Command(words));
    }
    for e in &o.env {
        match e.split_once('=') {
            Some((k, v)) => svc.environment.insert(k.to_string(), Some(v.to_string())),
            None => svc.environment.insert(e.clone(), std::env::var(e).ok()),
        };
    }
    for l in &o.labels {
        let (k, v) = l.split_once('=').unwrap_or((l.as_str(), ""));
        svc.labels.insert(k.to_string(), v.to_string());
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    for v in &o.volumes {
        let spec = crate::load::mounts::parse(v)
            .map_err(|e| Error::new(ErrorKind::Usage, miette!(code = "rcompose::invalid_volume", "invalid --volume `{v}`: {e}")))?;
        let source = spec.source.clone().map(|s| {
            if spec.bind {
                crate::load::paths::absolutize(&cwd, &s, std::env::var_os("HOME").as_deref().map(std::path::Path::new)).to_string_lossy().into_owned()
            } else {
                s
            }
        });
        svc.volumes.push(crate::model::ServiceVolume {
            kind: if spec.bind { crate::model::MountType::Bind } else { crate::model::MountType::Volume },
            source,
            target: spec.target,
            read_only: spec.read_only,
            bind: spec.bind.then(|| crate::model::mounts::BindOptions { create_host_path: Some(true), ..Default::default() }),
            ..Default::default()
        });
    }
    if o.user.is_some() {
        svc.user.clone_from(&o.user);
    }
    if o.workdir.is_some() {
        svc.working_dir.clone_from(&o.workdir);
    }
    if !o.service_ports {
        svc.ports.clear();
    }
    svc.restart = None;
    svc.container_name = None;
    svc.tty = Some(tty);
    svc.stdin_open = Some(interactive);
    Ok(svc)
}

fn short_id() -> String {
    let mut bytes = [0u8; 6];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = std::io::Read::read_exact(&mut f, &mut bytes);
    }
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Recorder;
    use crate::testing::{engine_for, load};

    const STACK: &str = "
services:
  db: { image: postgres }
  tool:
    image: busybox
    command: [echo, hi]
    ports: ['8080:80']
    restart: always
    depends_on: [db]
    profiles: [tools]
";

    #[tokio::test]
    async fn run_enables_a_profiled_service_starts_its_dependencies_and_creates_the_one_off() {
        let project = load(STACK);
        assert!(!project.services.contains_key("tool"), "the profile is off");
        let engine = engine_for(&project);
        engine.add_image("busybox");
        let req = RunRequest { service: "tool".into(), overrides: OneOffOverrides { name: Some("job".into()), ..Default::default() }, ..Default::default() };
        let Prepared::Created(one_off) = prepare_run(&engine, &project, &req, &Recorder::default()).await.unwrap() else { panic!("not a dry run") };
        assert_eq!(one_off.name, "job");
        assert_eq!(engine.state_of("demo-db-1"), Some(crate::engine::State::Running));
        let body = engine.body_of("job").unwrap();
        assert_eq!(body.labels.unwrap()["com.docker.compose.oneoff"], "True");
        let host = body.host_config.unwrap();
        assert!(host.port_bindings.unwrap_or_default().is_empty(), "no ports without --service-ports");
        assert!(host.restart_policy.is_none_or(|r| r.name != Some(crate::engine::wire::RestartPolicyNameEnum::ALWAYS)));
    }

    #[tokio::test]
    async fn a_dry_run_lists_dependencies_and_the_one_off_and_creates_nothing() {
        let project = load(STACK);
        let engine = engine_for(&project);
        let req = RunRequest { service: "tool".into(), rm: true, dry_run: true, ..Default::default() };
        let Prepared::Planned(steps) = prepare_run(&engine, &project, &req, &Recorder::default()).await.unwrap() else { panic!("a dry run") };
        assert_eq!(
            crate::render::plan::table(&steps),
            "create   network   demo_default  (missing)\ncreate   container demo-db-1  (missing)\nrun      one-off   tool  (echo hi, removed after)\n"
        );
        assert!(engine.calls().is_empty());
    }
}
