//! `attach` against the engine: output from now on with the container's
//! exit code, stdin for a `stdin_open` service, signals passed on.

use std::io::Write;
use std::process::{Command, Stdio};

use super::{engine_ready, Stack, BUSYBOX, LOOP};

fn stack(tag: &str) -> Stack {
    Stack::new(
        tag,
        &format!(
            "services:\n  short:\n    image: {BUSYBOX}\n    command: [sh, -c, \"sleep 3; echo bye; echo err >&2; exit 3\"]\n  reader:\n    image: {BUSYBOX}\n    stdin_open: true\n    command: [sh, -c, \"read l; echo got:$$l; exit 4\"]\n  trapper:\n    image: {BUSYBOX}\n    command: [sh, -c, \"trap 'echo term; exit 7' TERM; while true; do sleep 0.2 & wait $$!; done\"]\n  idle:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n"
        ),
    )
}

fn attach(s: &Stack, service: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rcompose"));
    c.current_dir(s.path()).args(["-p", &s.name, "attach", service]).stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

#[test]
fn attach_shows_output_and_passes_the_exit_code_stdin_and_signals() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = stack("attach");
    s.ok(&["up", "-d"]);
    // As v2.40: "bye" on stdout, "err" on stderr, exit code 3.
    let out = attach(&s, "short").stdin(Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "bye\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "err\n");
    // stdin reaches a stdin_open container.
    let mut child = attach(&s, "reader").stdin(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"hello\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "got:hello\n");
    // SIGTERM to attach goes to the container (--sig-proxy is on by default).
    let child = attach(&s, "trapper").stdin(Stdio::null()).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "term\n");
    // v2.40 exits 1 for a stopped container and an unknown service.
    let stopped = attach(&s, "short").stdin(Stdio::null()).output().unwrap();
    assert_eq!(stopped.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&stopped.stderr).contains("is not running"), "{}", String::from_utf8_lossy(&stopped.stderr));
    assert_eq!(attach(&s, "nosuch").stdin(Stdio::null()).output().unwrap().status.code(), Some(1));
    // --sig-proxy=false: an interrupt leaves the container running.
    let child = attach(&s, "idle").arg("--sig-proxy=false").stdin(Stdio::null()).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_secs(2));
    Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert_eq!(Stack::docker(&["inspect", "-f", "{{.State.Status}}", &format!("{}-idle-1", s.name)]), "running");
}
