//! `start`, `stop`, `restart`, `kill`, `rm`, `pause` and `unpause` as one
//! operation on the project's existing containers: chosen by service,
//! ordered by dependency level (starts from the bottom, stops from the top),
//! each level at once. A dry run returns the steps in that order.

use std::time::Duration;

use miette::miette;

use crate::engine::{ContainerRef, Engine, EngineError, State};
use crate::graph::ServiceGraph;
use crate::model::Project;
use crate::progress::{Event, Kind, Reporter, Status};
use crate::reconcile::observe::{observe_containers, ObservedContainer};
use crate::reconcile::steps::{Noun, Step, Steps, Verb};
use crate::{Error, ErrorKind};

/// What to do to each chosen container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Start,
    /// With `-t` seconds.
    Stop(Option<i32>),
    Restart(Option<i32>),
    Kill(String),
    Rm {
        stop: bool,
        volumes: bool,
    },
    Pause,
    Unpause,
}

impl Action {
    fn verb(&self) -> Verb {
        match self {
            Action::Start => Verb::Start,
            Action::Stop(_) => Verb::Stop,
            Action::Restart(_) => Verb::Restart,
            Action::Kill(_) => Verb::Kill,
            Action::Rm { .. } => Verb::Remove,
            Action::Pause => Verb::Pause,
            Action::Unpause => Verb::Unpause,
        }
    }

    /// Whether it goes from dependents down to dependencies.
    fn top_down(&self) -> bool {
        matches!(self, Action::Stop(_) | Action::Rm { .. } | Action::Kill(_))
    }

    /// Whether one-off (`run`) containers are acted on too: `kill` and `rm`
    /// reach them; `stop` and `start` leave them alone, as in docker
    /// compose v2.
    fn reaches_one_offs(&self) -> bool {
        matches!(self, Action::Rm { .. } | Action::Kill(_))
    }

    /// Whether it does anything to a container in `state` (a stop of a
    /// stopped container, an unpause of a running one do nothing).
    fn applies_to(&self, state: State) -> bool {
        match self {
            Action::Start => state != State::Running,
            Action::Stop(_) => matches!(state, State::Running | State::Paused | State::Restarting),
            Action::Restart(_) => true,
            Action::Kill(_) | Action::Pause => state == State::Running,
            Action::Rm { stop, .. } => *stop || state != State::Running,
            Action::Unpause => state == State::Paused,
        }
    }

    /// The `-t` given to stop or restart.
    fn timeout(&self) -> Option<i32> {
        match self {
            Action::Stop(t) | Action::Restart(t) => *t,
            Action::Start | Action::Kill(_) | Action::Rm { .. } | Action::Pause | Action::Unpause => None,
        }
    }
}

/// Containers of the chosen services, grouped by dependency level (start
/// order); services outside the graph come last.
pub(crate) fn by_level<'a>(project: &Project, containers: &[&'a ObservedContainer]) -> Vec<Vec<&'a ObservedContainer>> {
    let levels = ServiceGraph::build(project).levels().unwrap_or_default();
    let mut out: Vec<Vec<&ObservedContainer>> = levels.iter().map(|l| containers.iter().filter(|c| l.contains(&c.labels.service)).copied().collect()).collect();
    out.push(containers.iter().filter(|c| !levels.iter().any(|l| l.contains(&c.labels.service))).copied().collect());
    out.retain(|l| !l.is_empty());
    out
}

/// `services` and everything they depend on, directly or not.
fn with_dependencies(project: &Project, services: &[String]) -> Vec<String> {
    let graph = ServiceGraph::build(project);
    let mut out: Vec<String> = services.to_vec();
    let mut i = 0;
    while i < out.len() {
        for (dep, _) in graph.dependencies(&out[i]) {
            if !out.iter().any(|s| s == dep) {
                out.push(dep.to_string());
            }
        }
        i += 1;
    }
    out
}

/// Seconds a stop of `c` may take: `-t`, else the service's
/// stop_grace_period, else the engine's default.
fn stop_timeout(project: &Project, t: Option<i32>, c: &ObservedContainer) -> Option<i32> {
    let service = project.services.get(&c.labels.service).and_then(|s| s.stop_grace_period).map(|g| g.0);
    t.or_else(|| service.map(|d: Duration| i32::try_from(d.as_secs()).unwrap_or(i32::MAX)))
}

/// Carries out `action` on the project's containers of `services` (all
/// when empty). Returns the steps taken, or in a dry run, to be taken.
pub async fn lifecycle(
    engine: &dyn Engine,
    project: &Project,
    action: &Action,
    services: &[String],
    dry_run: bool,
    reporter: &dyn Reporter,
) -> Result<Steps, Error> {
    for s in services {
        if !project.services.is_empty() && !project.services.contains_key(s) {
            return Err(Error::new(ErrorKind::Usage, miette!(code = "rcompose::unknown_service", "no such service: {s}")));
        }
    }
    let observed = observe_containers(engine, project).await?;
    // `start web` starts what web depends on too, as docker compose v2 does.
    let services = if *action == Action::Start { with_dependencies(project, services) } else { services.to_vec() };
    // With no service named, the file's services: `-f a.yaml stop` leaves
    // the project's containers from another file alone, as v2 does. Without
    // a file (`-p NAME` alone) every container of the project.
    let in_scope = |service: &String| {
        if services.is_empty() {
            project.services.is_empty() || project.services.contains_key(service)
        } else {
            services.contains(service)
        }
    };
    let chosen: Vec<&ObservedContainer> =
        observed.containers.iter().filter(|c| in_scope(&c.labels.service)).filter(|c| !c.labels.oneoff || action.reaches_one_offs()).collect();
    if chosen.is_empty() && *action == Action::Start {
        return Err(Error::new(
            ErrorKind::State,
            miette!(code = "rcompose::no_containers", help = "create them with `rcompose up -d`", "no containers to start"),
        ));
    }
    let mut levels = by_level(project, &chosen);
    if action.top_down() {
        levels.reverse();
    }
    for level in &mut levels {
        level.retain(|c| action.applies_to(c.state));
    }
    let steps = Steps { steps: levels.iter().flatten().map(|c| Step::new(action.verb(), Noun::Container, c.name.clone(), "")).collect(), warnings: Vec::new() };
    if dry_run {
        return Ok(steps);
    }
    for level in levels {
        let results = futures::future::join_all(level.iter().map(|c| act(engine, project, action, c, reporter))).await;
        results.into_iter().collect::<Result<Vec<_>, _>>()?;
    }
    Ok(steps)
}

pub(crate) async fn act(engine: &dyn Engine, project: &Project, action: &Action, c: &ObservedContainer, reporter: &dyn Reporter) -> Result<(), EngineError> {
    let me = ContainerRef::new(&c.id, &c.name);
    let ev = |s: Status| reporter.event(Event::new(Kind::Container, &c.name, s));
    let running = c.state == State::Running;
    match action {
        Action::Start if running => {}
        Action::Start => {
            ev(Status::Starting);
            engine.start_container(me).await?;
            ev(Status::Started);
        }
        Action::Stop(t) => {
            if matches!(c.state, State::Running | State::Paused | State::Restarting) {
                ev(Status::Stopping);
                engine.stop_container(me, stop_timeout(project, *t, c)).await?;
                ev(Status::Stopped);
            }
        }
        Action::Restart(t) => {
            ev(Status::Starting);
            engine.restart_container(me, stop_timeout(project, *t, c)).await?;
            ev(Status::Started);
        }
        Action::Kill(signal) => {
            if running {
                engine.kill_container(me, signal).await?;
                ev(Status::Stopped);
            }
        }
        Action::Rm { stop, volumes } => {
            if running && !stop {
                return Ok(());
            }
            if running {
                ev(Status::Stopping);
                engine.stop_container(me, stop_timeout(project, action.timeout(), c)).await?;
            }
            ev(Status::Removing);
            engine.remove_container(me, *volumes).await?;
            ev(Status::Removed);
        }
        Action::Pause => {
            if running {
                engine.pause_container(me).await?;
                ev(Status::Paused);
            }
        }
        Action::Unpause => {
            if c.state == State::Paused {
                engine.unpause_container(me).await?;
                ev(Status::Unpaused);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Recorder;
    use crate::testing::{at, engine_for, load};

    const STACK: &str = "
services:
  db: { image: postgres }
  web: { image: nginx, depends_on: [db] }
";

    async fn up(engine: &dyn Engine, project: &Project) {
        let observed = crate::reconcile::observe::observe(engine, project, &crate::testing::images(project)).await.unwrap();
        let plan = crate::reconcile::plan::plan_up(project, &observed, &Default::default()).unwrap();
        crate::reconcile::execute::Executor::new(engine, project, &Recorder::default(), 4).up(&plan).await.unwrap();
    }

    #[tokio::test]
    async fn stop_goes_from_dependents_down_and_start_from_dependencies_up() {
        let project = load(STACK);
        let engine = engine_for(&project);
        up(&engine, &project).await;
        let stop = lifecycle(&engine, &project, &Action::Stop(None), &[], false, &Recorder::default()).await.unwrap();
        let names: Vec<&str> = stop.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["demo-web-1", "demo-db-1"]);
        let calls = engine.calls();
        assert!(at(&calls, "stop demo-web-1") < at(&calls, "stop demo-db-1"), "{calls:#?}");
        lifecycle(&engine, &project, &Action::Start, &[], false, &Recorder::default()).await.unwrap();
        let calls = engine.calls();
        let last_start = |name: &str| calls.iter().rposition(|c| c == &format!("start {name}")).unwrap();
        assert!(last_start("demo-db-1") < last_start("demo-web-1"), "{calls:#?}");
        assert_eq!(engine.state_of("demo-web-1"), Some(State::Running));
    }

    #[tokio::test]
    async fn a_dry_run_lists_the_steps_and_calls_nothing() {
        let project = load(STACK);
        let engine = engine_for(&project);
        up(&engine, &project).await;
        let before = engine.calls().len();
        let steps = lifecycle(&engine, &project, &Action::Rm { stop: true, volumes: false }, &[], true, &Recorder::default()).await.unwrap();
        assert_eq!(crate::render::plan::table(&steps), "remove   container demo-web-1\nremove   container demo-db-1\n");
        assert_eq!(engine.calls().len(), before);
        assert_eq!(engine.container_names(), ["demo-db-1", "demo-web-1"]);
    }

    #[tokio::test]
    async fn start_without_containers_and_unknown_services_are_errors() {
        let project = load(STACK);
        let engine = engine_for(&project);
        let none = lifecycle(&engine, &project, &Action::Start, &[], false, &Recorder::default()).await.unwrap_err();
        assert_eq!(none.kind(), ErrorKind::State);
        let unknown = lifecycle(&engine, &project, &Action::Stop(None), &["nope".into()], false, &Recorder::default()).await.unwrap_err();
        assert_eq!(unknown.kind(), ErrorKind::Usage);
    }

    #[tokio::test]
    async fn start_brings_dependencies_and_stop_leaves_one_offs_alone() {
        let project = load(STACK);
        let engine = engine_for(&project);
        up(&engine, &project).await;
        let req = crate::compose::RunRequest {
            service: "web".into(),
            no_deps: true,
            overrides: crate::compose::OneOffOverrides { name: Some("job".into()), ..Default::default() },
            ..Default::default()
        };
        let crate::compose::Prepared::Created(job) = crate::compose::prepare_run(&engine, &project, &req, &Recorder::default()).await.unwrap() else {
            panic!("created")
        };
        engine.start_container(crate::engine::ContainerRef::new(&job.id, &job.name)).await.unwrap();
        lifecycle(&engine, &project, &Action::Stop(None), &[], false, &Recorder::default()).await.unwrap();
        assert_eq!(engine.state_of("job"), Some(State::Running), "stop leaves one-offs alone");
        assert_eq!(engine.state_of("demo-db-1"), Some(State::Exited));
        lifecycle(&engine, &project, &Action::Start, &["web".into()], false, &Recorder::default()).await.unwrap();
        assert_eq!(engine.state_of("demo-db-1"), Some(State::Running), "start web starts db, which web depends on");
        lifecycle(&engine, &project, &Action::Kill("SIGKILL".into()), &[], false, &Recorder::default()).await.unwrap();
        assert_eq!(engine.state_of("job"), Some(State::Exited), "kill reaches one-offs");
    }
}
