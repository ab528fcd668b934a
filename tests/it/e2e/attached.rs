//! `up` without `-d`: prefixed output until the containers exit; Ctrl-C
//! stops them.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{engine_ready, Stack, BUSYBOX};

#[test]
fn attached_up_prints_prefixed_output_and_returns_when_containers_exit() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new(
        "attach",
        &format!(
            "services:\n  first:\n    image: {BUSYBOX}\n    command: [sh, -c, 'echo hello from first; sleep 1; echo bye from first']\n  second:\n    image: {BUSYBOX}\n    command: [sh, -c, 'echo hello from second']\n"
        ),
    );
    let out = stack.ok(&["up"]);
    let first = format!("{}-first-1", stack.name);
    let second = format!("{}-second-1", stack.name);
    assert!(out.lines().any(|l| l.starts_with(&first) && l.ends_with("| hello from first")), "{out}");
    assert!(out.lines().any(|l| l.starts_with(&first) && l.ends_with("| bye from first")), "{out}");
    assert!(out.lines().any(|l| l.starts_with(&second) && l.ends_with("| hello from second")), "{out}");
}

#[test]
fn ctrl_c_stops_attached_containers() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new(
        "sigint",
        &format!(
            "services:\n  loop:\n    image: {BUSYBOX}\n    command: [sh, -c, \"echo started; trap 'echo stopping; exit 0' TERM; while true; do sleep 0.2 & wait $$!; done\"]\n"
        ),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_rcompose"))
        .current_dir(stack.path())
        .args(["-p", &stack.name, "--progress", "plain", "up"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let container = format!("{}-loop-1", stack.name);
    assert!(super::eventually(30, || Stack::docker(&["inspect", "-f", "{{.State.Running}}", &container]) == "true"), "container never ran");
    std::thread::sleep(Duration::from_millis(500));
    let pid = child.id().to_string();
    Command::new("kill").args(["-INT", &pid]).status().unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "rcompose did not stop after Ctrl-C");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(status.code(), Some(130));
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    assert!(out.contains("| started"), "{out}");
    assert_eq!(Stack::docker(&["inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}", &container]), "false 0");
}
