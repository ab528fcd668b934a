//! `up --wait`: 0 once everything is running and healthy (one-shot jobs that
//! exit 0 count as done); otherwise non-zero with the reason, within the
//! timeout.

use std::time::{Duration, Instant};

use super::{engine_ready, eventually, Stack, BUSYBOX, LOOP};

fn service(name: &str, health: &str, extra: &str) -> String {
    format!("  {name}:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n{health}{extra}")
}

#[test]
fn wait_succeeds_on_a_healthy_stack_with_a_finished_job() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let health = "    healthcheck:\n      test: [CMD, 'true']\n      interval: 500ms\n";
    let compose = format!(
        "services:\n{}{}  migrate:\n    image: {BUSYBOX}\n    command: [sh, -c, 'echo migrated']\n",
        service("db", health, ""),
        service("web", "", "    depends_on:\n      db:\n        condition: service_healthy\n"),
    );
    let stack = Stack::new("waitok", &compose);
    let start = Instant::now();
    stack.ok(&["up", "--wait", "--wait-timeout", "60"]);
    assert!(start.elapsed() < Duration::from_secs(60));
    assert_eq!(Stack::docker(&["inspect", "-f", "{{.State.Health.Status}}", &format!("{}-db-1", stack.name)]), "healthy");
    // A job still running when the wait checked it counted as ready (the
    // rule docker compose v2 keeps too): it must still end with 0.
    let job = format!("{}-migrate-1", stack.name);
    let done = || Stack::docker(&["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", &job]) == "exited 0";
    assert!(eventually(30, done), "the job did not exit 0");
}

#[test]
fn wait_fails_on_an_unhealthy_service_with_its_health_log_and_output() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let health = "    healthcheck:\n      test: [CMD-SHELL, 'echo db not accepting connections; exit 1']\n      interval: 300ms\n      retries: 2\n";
    let stack = Stack::new("waitbad", &format!("services:\n  db:\n    image: {BUSYBOX}\n    command: [sh, -c, \"echo booting db; {LOOP}\"]\n{health}"));
    let out = stack.run(&["up", "--wait", "--wait-timeout", "60"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("container {}-db-1 is unhealthy", stack.name)), "{err}");
    assert!(err.contains("db not accepting connections"), "health log missing: {err}");
    assert!(err.contains("| booting db"), "output missing: {err}");
}

#[test]
fn wait_times_out_on_a_service_that_never_becomes_healthy() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let health = "    healthcheck:\n      test: [CMD, 'false']\n      interval: 1s\n      start_period: 5m\n";
    let stack = Stack::new("waitslow", &format!("services:\n{}", service("slow", health, "")));
    let start = Instant::now();
    let out = stack.run(&["up", "--wait", "--wait-timeout", "3"]);
    let took = start.elapsed();
    assert!(!out.status.success());
    assert!(took < Duration::from_secs(20), "took {took:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("timed out after 3 s waiting for") && err.contains(&format!("{}-slow-1", stack.name)), "{err}");
}

/// A job a service waits for (`service_completed_successfully`) fails
/// `up --wait` with its exit code.
///
/// The job is a dependency on purpose: `--wait` alone counts a running
/// container without a healthcheck as ready (as docker compose v2 does), so
/// a bare job that fails within a millisecond of starting may still be seen
/// running; only a condition that asks for its exit tells for certain.
#[test]
fn wait_fails_when_a_job_exits_non_zero() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let job = format!("  migrate:\n    image: {BUSYBOX}\n    command: [sh, -c, 'echo migration failed; exit 4']\n");
    let app = service("app", "", "    depends_on:\n      migrate:\n        condition: service_completed_successfully\n");
    let stack = Stack::new("waitjob", &format!("services:\n{job}{app}"));
    let out = stack.run(&["up", "--wait", "--wait-timeout", "60"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("service \"migrate\" did not complete successfully: exit code 4"), "{err}");
    let app_state = Stack::docker(&["inspect", "-f", "{{.State.Status}}", &format!("{}-app-1", stack.name)]);
    assert_eq!(app_state, "created", "the dependent of a failed job is not started");
}

/// A service that exits non-zero while `up --wait` waits for its health
/// fails the wait with its exit code and the end of its output.
#[test]
fn wait_fails_when_a_waited_for_service_exits_non_zero() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let health = "    healthcheck:\n      test: [CMD, 'false']\n      interval: 1s\n      retries: 100\n";
    let compose = format!("services:\n  db:\n    image: {BUSYBOX}\n    command: [sh, -c, 'sleep 1; echo migration failed; exit 4']\n{health}");
    let stack = Stack::new("waitexit", &compose);
    let out = stack.run(&["up", "--wait", "--wait-timeout", "60"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("container {}-db-1 exited with code 4", stack.name)), "{err}");
    assert!(err.contains("| migration failed"), "{err}");
}
