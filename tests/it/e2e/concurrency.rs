//! Isolation: two projects from the same file run side by side; two `up`
//! runs on one project at once leave exactly one container per replica.

use std::process::Command;

use super::{engine_ready, Stack, BUSYBOX};

fn compose() -> String {
    format!(
        "services:\n  web:\n    image: {BUSYBOX}\n    command: [sh, -c, \"trap 'exit 0' TERM; while true; do sleep 0.2 & wait $$!; done\"]\n    scale: 2\n  db:\n    image: {BUSYBOX}\n    command: [sh, -c, \"trap 'exit 0' TERM; while true; do sleep 0.2 & wait $$!; done\"]\n    volumes: ['data:/data']\nvolumes:\n  data:\n"
    )
}

fn spawn_up(stack: &Stack, name: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_rcompose"))
        .current_dir(stack.path())
        .args(["-p", name, "--progress", "plain", "up", "-d"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn two_projects_from_one_file_run_in_parallel_without_touching_each_other() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let a = Stack::new("isoa", &compose());
    let b = Stack::new("isob", &compose());
    b.write("compose.yaml", &compose());
    let (ca, cb) = (spawn_up(&a, &a.name), spawn_up(&b, &b.name));
    for c in [ca, cb] {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(a.containers().len(), 3);
    assert_eq!(b.containers().len(), 3);
    Stack::docker(&["exec", &format!("{}-db-1", a.name), "sh", "-c", "echo only-a > /data/f"]);
    b.ok(&["down", "-v"]);
    assert_eq!(a.containers().len(), 3, "down on b touched a");
    assert_eq!(Stack::docker(&["exec", &format!("{}-db-1", a.name), "cat", "/data/f"]), "only-a");
}

#[test]
fn concurrent_up_on_one_project_creates_no_duplicates() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = Stack::new("race", &compose());
    let children: Vec<_> = (0..3).map(|_| spawn_up(&s, &s.name)).collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let names: Vec<String> = s.containers().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        vec![format!("{}-db-1", s.name), format!("{}-web-1", s.name), format!("{}-web-2", s.name)],
        "exactly one container per replica"
    );
}
