//! Attached `up` exit codes: `--exit-code-from` returns the chosen
//! service's code; `--abort-on-container-exit` the first exit's code.
//! Where docker compose returns 0 for a chosen container it stopped itself
//! (it never finished), rcompose returns non-zero: a CI job must not pass on
//! tests that did not run to the end.

use super::{engine_ready, Stack, BUSYBOX, LOOP};

fn stack(tag: &str, test_cmd: &str) -> Stack {
    Stack::new(
        tag,
        &format!(
            "services:\n  db:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n  tests:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{test_cmd}\"]\n    depends_on: [db]\n"
        ),
    )
}

#[test]
fn exit_code_from_returns_the_test_containers_code() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let pass = stack("exitok", "echo running tests; sleep 1; echo all passed");
    let out = pass.run(&["up", "--exit-code-from", "tests"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("| all passed"));
    let db = format!("{}-db-1", pass.name);
    assert_eq!(Stack::docker(&["inspect", "-f", "{{.State.Running}}", &db]), "false", "db kept running after the tests finished");

    let fail = stack("exitbad", "echo 2 failures; sleep 1; exit 5");
    let out = fail.run(&["up", "--exit-code-from", "tests"]);
    assert_eq!(out.status.code(), Some(5));
}

#[test]
fn abort_on_container_exit_returns_the_first_exit_code() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = stack("abort", "sleep 1; exit 3");
    let out = s.run(&["up", "--abort-on-container-exit"]);
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn exit_code_from_a_service_that_was_stopped_is_never_zero() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    // `tests` exits first (with 0) and db is stopped by the abort: db never finished.
    let s = stack("stopped", "sleep 1; echo done");
    let out = s.run(&["up", "--exit-code-from", "db"]);
    assert_ne!(out.status.code(), Some(0), "docker compose returns 0 here; a stopped service must not pass");
    assert!(String::from_utf8_lossy(&out.stderr).contains("did not complete"));
}

#[test]
fn attach_no_attach_and_timestamps_shape_the_output() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = Stack::new(
        "attachsel",
        &format!(
            "services:\n  noisy:\n    image: {BUSYBOX}\n    command: [sh, -c, \"echo noisy-line; {LOOP}\"]\n  tests:\n    image: {BUSYBOX}\n    command: [sh, -c, 'sleep 1; echo test-line']\n    depends_on: [noisy]\n"
        ),
    );
    let out = s.run(&["up", "--no-attach", "noisy", "--timestamps", "--exit-code-from", "tests"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("noisy-line"), "--no-attach service printed: {text}");
    let line = text.lines().find(|l| l.ends_with("test-line")).expect("test output");
    assert!(line.contains("| 20") && line.contains('T') && line.contains('Z'), "no timestamp: {line}");
    let out = s.run(&["up", "--attach", "noisy", "--abort-on-container-exit"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("noisy-line") && !text.contains("test-line"), "--attach shows only noisy: {text}");
}
