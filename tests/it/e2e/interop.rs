//! docker compose v2 and rcompose see and manage each other's projects.

use std::process::Command;

use super::{engine_ready, Stack, BUSYBOX};

/// True when docker compose v2 is installed; otherwise skips loudly (or
/// fails, when the engine is required).
pub(super) fn compose_v2() -> bool {
    let ok = Command::new("docker").args(["compose", "version"]).output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var("RCOMPOSE_REQUIRE_ENGINE").as_deref() != Ok("1"), "RCOMPOSE_REQUIRE_ENGINE=1 but `docker compose` (v2) is not installed");
        eprintln!("\n*** SKIPPED: docker compose v2 not installed (run scripts/peers.sh); test not run ***\n");
    }
    ok
}

fn stack() -> Stack {
    Stack::new(
        "interop",
        &format!(
            "services:\n  web:\n    image: {BUSYBOX}\n    command: [sh, -c, \"trap 'exit 0' TERM; while true; do sleep 0.2 & wait $$!; done\"]\n    depends_on: [db]\n  db:\n    image: {BUSYBOX}\n    command: [sh, -c, \"trap 'exit 0' TERM; while true; do sleep 0.2 & wait $$!; done\"]\n    volumes: ['data:/data']\nvolumes:\n  data:\n"
        ),
    )
}

/// `docker compose -p NAME ARGS...` in the project folder.
pub(super) fn docker_compose(stack: &Stack, args: &[&str]) -> std::process::Output {
    Command::new("docker").current_dir(stack.path()).args(["compose", "-p", &stack.name]).args(args).output().unwrap()
}

#[test]
fn docker_compose_manages_what_rcompose_made() {
    if !engine_ready(&[BUSYBOX]) || !compose_v2() {
        return;
    }
    let stack = stack();
    stack.ok(&["up", "-d"]);
    let ps = docker_compose(&stack, &["ps", "--format", "{{.Service}}"]);
    let mut services: Vec<String> = String::from_utf8_lossy(&ps.stdout).lines().map(str::to_string).collect();
    services.sort();
    assert_eq!(services, vec!["db", "web"], "{}", String::from_utf8_lossy(&ps.stderr));
    let down = docker_compose(&stack, &["down", "-v"]);
    assert!(down.status.success(), "{}", String::from_utf8_lossy(&down.stderr));
    assert!(stack.containers().is_empty());
    assert!(!Stack::volume_exists(&format!("{}_data", stack.name)));
}

#[test]
fn rcompose_manages_what_docker_compose_made() {
    if !engine_ready(&[BUSYBOX]) || !compose_v2() {
        return;
    }
    let stack = stack();
    let up = docker_compose(&stack, &["up", "-d"]);
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    assert_eq!(stack.ok(&["ps", "--services"]), "db\nweb\n");
    // Same names and labels: a plain `up` adopts the containers.
    let before = stack.containers();
    assert_eq!(before.len(), 2);
    stack.ok(&["down", "-v"]);
    assert!(stack.containers().is_empty());
    assert!(!Stack::volume_exists(&format!("{}_data", stack.name)));
}
