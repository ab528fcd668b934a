//! `run`: one-off containers with the oneoff label, dependencies started
//! first, exit codes passed through, `--rm` leaves nothing behind.

use super::commands::assert_lost_while_waiting;
use super::proxy::{drop_after, spawn_through, Fault, FaultProxy};
use super::{engine_ready, Stack, BUSYBOX, LOOP};

fn stack(tag: &str) -> Stack {
    Stack::new(
        tag,
        &format!(
            "services:\n  db:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n  job:\n    image: {BUSYBOX}\n    command: [echo, default-command]\n    environment:\n      FROM_FILE: yes-from-file\n    depends_on: [db]\n"
        ),
    )
}

#[test]
fn run_rm_passes_output_and_exit_code_and_leaves_nothing() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = stack("run");
    std::fs::create_dir_all(s.path().join("data")).unwrap();
    s.write("data/file", "mounted\n");
    let out = s.run(&["run", "--rm", "-T", "-e", "EXTRA=extra", "-v", "./data:/data:ro", "job", "sh", "-c", "echo $FROM_FILE $EXTRA; cat /data/file; exit 4"]);
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "yes-from-file extra\nmounted\n");
    let names: Vec<String> = s.containers().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, vec![format!("{}-db-1", s.name)], "the dependency runs, the one-off is gone");
    assert_eq!(Stack::docker(&["inspect", "-f", "{{.State.Status}}", &format!("{}-db-1", s.name)]), "running");
}

#[test]
fn run_without_rm_keeps_a_oneoff_container_that_down_removes() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = stack("run2");
    let out = s.ok(&["run", "--no-deps", "-T", "job"]);
    assert_eq!(out, "default-command\n");
    let all = s.containers();
    assert_eq!(all.len(), 1, "--no-deps started nothing else: {all:?}");
    let (name, _) = &all[0];
    assert!(name.starts_with(&format!("{}-job-run-", s.name)), "{name}");
    assert_eq!(Stack::docker(&["inspect", "-f", "{{index .Config.Labels \"com.docker.compose.oneoff\"}}", name]), "True");
    // (an empty line, as docker compose v2 prints for an empty list)
    assert_eq!(s.ok(&["ps", "--services"]), "\n", "one-off containers are not services' containers");
    s.ok(&["down"]);
    assert!(s.containers().is_empty());
}

#[test]
fn run_through_a_dropped_connection_fails_and_names_the_container() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = stack("runlost");
    let proxy = FaultProxy::start(Fault::Drop, "", usize::MAX);
    // No --rm: its removal after the wait would fail on its own and hide a
    // wait that passed for an exit.
    let child = spawn_through(&s, &proxy, &["run", "-T", "--no-deps", "job", "sleep", "60"]);
    let out = drop_after(&proxy, child, "/wait");
    assert_lost_while_waiting(&out, &format!("{}-job-run-", s.name));
}
