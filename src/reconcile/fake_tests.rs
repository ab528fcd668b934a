//! The executor, teardown and condition waits driven through the in-memory
//! engine: order, failures, time limits, interruptions and lost connections,
//! with no Docker engine. The end-to-end tests check the same against the
//! real one.

use std::time::Duration;

use crate::engine::fake::{Fault, OnStart};
use crate::engine::{Engine, EngineError, State};
use crate::model::Project;
use crate::progress::Recorder;
use crate::reconcile::execute::{ExecError, Executor};
use crate::reconcile::observe::observe;
use crate::reconcile::plan::{plan_up, Op, UpOptions};
use crate::reconcile::plan_down::{plan_down, DownOptions};
use crate::reconcile::ready::{wait_ready, WaitError};
use crate::testing::{at, engine_for, images, load};

/// Observes, plans and carries out an `up` of the whole project.
async fn up(engine: &dyn Engine, project: &Project) -> Result<(), ExecError> {
    let observed = observe(engine, project, &images(project)).await?;
    let plan = plan_up(project, &observed, &UpOptions::default()).expect("plan");
    Executor::new(engine, project, &Recorder::default(), 8).up(&plan).await
}

const STACK: &str = r#"
services:
  db:
    image: postgres
    volumes: [data:/var/lib/postgresql/data]
    healthcheck: { test: ["CMD", "true"], interval: 1s }
  migrate:
    image: tool
    depends_on: { db: { condition: service_healthy } }
  web:
    image: nginx
    depends_on:
      db: { condition: service_healthy }
      migrate: { condition: service_completed_successfully }
volumes:
  data: {}
"#;

#[tokio::test]
async fn up_makes_resources_first_and_starts_each_service_after_its_conditions() {
    let project = load(STACK);
    let engine = engine_for(&project);
    engine.on_start("demo-migrate-1", OnStart::Exit(0));
    up(&engine, &project).await.expect("up succeeds");
    let calls = engine.calls();
    let first_container = calls.iter().position(|c| c.starts_with("create demo-")).expect("a container was created");
    assert!(at(&calls, "create network demo_default") < first_container, "{calls:#?}");
    assert!(at(&calls, "create volume demo_data") < first_container, "{calls:#?}");
    assert!(at(&calls, "start demo-db-1") < at(&calls, "start demo-migrate-1"), "{calls:#?}");
    assert!(at(&calls, "wait migrate") < at(&calls, "start demo-web-1"), "{calls:#?}");
    assert_eq!(engine.state_of("demo-web-1"), Some(State::Running));
    assert_eq!(engine.state_of("demo-migrate-1"), Some(State::Exited));
}

#[tokio::test]
async fn up_again_on_what_it_made_changes_nothing() {
    let project = load(STACK);
    let engine = engine_for(&project);
    engine.on_start("demo-migrate-1", OnStart::Exit(0));
    up(&engine, &project).await.expect("first up");
    let observed = observe(&engine, &project, &images(&project)).await.expect("observe");
    let plan = plan_up(&project, &observed, &UpOptions::default()).expect("plan");
    let changes: Vec<&Op> = plan.ops.iter().filter(|op| !matches!(op, Op::KeepContainer { .. })).collect();
    // The finished one-shot job is started again, as docker compose does; nothing else changes.
    assert!(changes.iter().all(|op| matches!(op, Op::StartContainer { service, .. } if service == "migrate")), "{changes:#?}");
    let before = engine.calls().len();
    up(&engine, &project).await.expect("second up");
    let again: Vec<String> = engine.calls()[before..].iter().filter(|c| !c.starts_with("wait ")).cloned().collect();
    assert_eq!(again, vec!["start demo-migrate-1".to_string()]);
}

#[tokio::test]
async fn a_dependency_that_exits_leaves_its_dependents_created_but_not_started() {
    let project = load(STACK);
    let engine = engine_for(&project);
    engine.on_start("demo-db-1", OnStart::Exit(3));
    let err = up(&engine, &project).await.expect_err("up fails");
    assert!(matches!(&err, ExecError::DependencyExited { container, code: 3 } if container == "demo-db-1"), "{err:?}");
    let calls = engine.calls();
    assert!(!calls.iter().any(|c| c == "start demo-web-1" || c == "start demo-migrate-1"), "{calls:#?}");
    assert_eq!(engine.state_of("demo-web-1"), Some(State::Created));
}

#[tokio::test]
async fn an_unhealthy_dependency_names_the_container_and_its_check_output() {
    let project = load(STACK);
    let engine = engine_for(&project);
    engine.on_start("demo-db-1", OnStart::RunUnhealthy);
    let err = up(&engine, &project).await.expect_err("up fails");
    assert_eq!(err.to_string(), "container demo-db-1 is unhealthy: check failed");
}

#[tokio::test]
async fn a_job_that_fails_stops_the_services_waiting_for_its_success() {
    let project = load(STACK);
    let engine = engine_for(&project);
    engine.on_start("demo-migrate-1", OnStart::Exit(2));
    let err = up(&engine, &project).await.expect_err("up fails");
    assert!(matches!(&err, ExecError::NotCompleted { service, code: 2 } if service == "migrate"), "{err:?}");
    assert!(!engine.calls().iter().any(|c| c == "start demo-web-1"));
}

#[tokio::test]
async fn a_connection_lost_while_waiting_for_a_job_is_an_error_not_success() {
    let project = load(STACK);
    let engine = engine_for(&project);
    let lost = EngineError::Lost { action: "wait for container migrate".into(), reason: "connection reset by peer".into() };
    engine.fault("wait migrate", Fault::Fail(lost));
    let err = up(&engine, &project).await.expect_err("a lost engine never counts as exit 0");
    assert!(matches!(&err, ExecError::Engine(e) if e.is_unanswered()), "{err:?}");
    assert!(!engine.calls().iter().any(|c| c == "start demo-web-1"));
}

#[tokio::test]
async fn an_optional_dependency_that_fails_is_a_warning() {
    let project = load(
        r#"
services:
  cache: { image: redis }
  web:
    image: nginx
    depends_on: { cache: { condition: service_started, required: false } }
"#,
    );
    let engine = engine_for(&project);
    engine.fault("start demo-cache-1", Fault::Fail(EngineError::Refused { action: "start".into(), message: "port is taken".into(), status: 500 }));
    let observed = observe(&engine, &project, &images(&project)).await.expect("observe");
    let plan = plan_up(&project, &observed, &UpOptions::default()).expect("plan");
    let recorder = Recorder::default();
    let result = Executor::new(&engine, &project, &recorder, 8).up(&plan).await;
    assert!(result.is_err(), "the failed start itself is still reported");
    assert_eq!(engine.state_of("demo-web-1"), Some(State::Running));
    let warnings = recorder.warnings.lock().expect("lock").clone();
    assert!(warnings.iter().any(|w| w.contains("optional dependency \"cache\" of \"web\"")), "{warnings:?}");
}

#[tokio::test]
async fn an_interrupted_up_converges_on_the_next_run() {
    let project = load(STACK);
    let engine = engine_for(&project);
    engine.on_start("demo-migrate-1", OnStart::Exit(0));
    engine.fault("start demo-web-1", Fault::Hang);
    let cut = tokio::time::timeout(Duration::from_millis(300), up(&engine, &project)).await;
    assert!(cut.is_err(), "the run was cut off while starting web");
    assert_eq!(engine.state_of("demo-web-1"), Some(State::Created));
    engine.clear_faults();
    let before = engine.calls().len();
    up(&engine, &project).await.expect("the next up converges");
    let after = &engine.calls()[before..];
    assert!(after.iter().any(|c| c == "start demo-web-1"), "{after:#?}");
    assert!(!after.iter().any(|c| c.starts_with("create ")), "nothing is created twice: {after:#?}");
    assert_eq!(engine.container_names(), vec!["demo-db-1", "demo-migrate-1", "demo-web-1"]);
    assert_eq!(engine.state_of("demo-web-1"), Some(State::Running));
}

#[tokio::test]
async fn wait_gives_up_at_its_time_limit_naming_what_is_pending() {
    let project = load(STACK);
    let engine = engine_for(&project);
    engine.on_start("demo-migrate-1", OnStart::Exit(0));
    up(&engine, &project).await.expect("up");
    engine.on_start("demo-db-1", OnStart::RunStarting);
    let observed = observe(&engine, &project, &[]).await.expect("observe");
    let db = observed.replica("db", 1).expect("db container").clone();
    engine.stop_container(crate::engine::ContainerRef::new(&db.id, &db.name), None).await.expect("stop");
    engine.start_container(crate::engine::ContainerRef::new(&db.id, &db.name)).await.expect("start");
    let targets = vec![(db.id.clone(), db.name.clone(), "db".to_string())];
    let err = wait_ready(&engine, &targets, Some(Duration::from_millis(300))).await.expect_err("times out");
    assert!(matches!(&err, WaitError::Timeout { .. }), "{err:?}");
    assert!(err.to_string().contains("demo-db-1 (health: starting)"), "{err}");
}

#[tokio::test]
async fn down_stops_dependents_before_their_dependencies_and_keeps_volumes() {
    let project = load(STACK);
    let engine = engine_for(&project);
    engine.on_start("demo-migrate-1", OnStart::Exit(0));
    up(&engine, &project).await.expect("up");
    let observed = observe(&engine, &project, &[]).await.expect("observe");
    let plan = plan_down(&project, &observed, &DownOptions::default());
    Executor::new(&engine, &project, &Recorder::default(), 8).down(&plan, None, false).await.expect("down");
    let calls = engine.calls();
    assert!(at(&calls, "stop demo-web-1") < at(&calls, "stop demo-db-1"), "{calls:#?}");
    assert!(engine.container_names().is_empty());
    let (networks, volumes) = engine.resource_names();
    assert!(networks.is_empty(), "{networks:?}");
    assert_eq!(volumes, vec!["demo_data"], "down without -v keeps the volume");
}

#[tokio::test]
async fn down_reports_a_lost_engine_and_skips_the_calls_still_to_come() {
    let project = load(STACK);
    let engine = engine_for(&project);
    engine.on_start("demo-migrate-1", OnStart::Exit(0));
    up(&engine, &project).await.expect("up");
    engine.fault("stop demo-web-1", Fault::Fail(EngineError::Lost { action: "stop container demo-web-1".into(), reason: "broken pipe".into() }));
    let observed = observe(&engine, &project, &[]).await.expect("observe");
    let plan = plan_down(&project, &observed, &DownOptions { volumes: true, ..Default::default() });
    let err = Executor::new(&engine, &project, &Recorder::default(), 8).down(&plan, None, true).await.expect_err("down fails");
    assert!(matches!(&err, ExecError::Engine(e) if e.is_unanswered()), "{err:?}");
    let calls = engine.calls();
    assert!(!calls.iter().any(|c| c == "stop demo-db-1"), "no call after the engine stopped answering: {calls:#?}");
    let (_, volumes) = engine.resource_names();
    assert_eq!(volumes, vec!["demo_data"], "a failed down removes no volume");
}
