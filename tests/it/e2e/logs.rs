//! `logs`: two services' output with prefixes; `-f` picks up containers
//! that start later; `--tail` and `--no-log-prefix`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::{engine_ready, Stack, BUSYBOX};

fn talker(name: &str, lines: &str) -> String {
    format!("  {name}:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{lines} trap 'exit 0' TERM; while true; do sleep 0.2 & wait $$!; done\"]\n")
}

#[test]
fn logs_prefix_tail_and_plain() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new("logs", &format!("services:\n{}{}", talker("alpha", "echo a1; echo a2;"), talker("beta", "echo b1;")));
    stack.ok(&["up", "-d"]);
    let a = format!("{}-alpha-1", stack.name);
    let b = format!("{}-beta-1", stack.name);
    assert!(super::eventually(20, || stack.ok(&["logs"]).contains("b1") && stack.ok(&["logs"]).contains("a2")));
    let out = stack.ok(&["logs"]);
    assert!(out.lines().any(|l| l.starts_with(&a) && l.ends_with("| a1")), "{out}");
    assert!(out.lines().any(|l| l.starts_with(&b) && l.ends_with("| b1")), "{out}");
    let tail = stack.ok(&["logs", "--tail", "1", "alpha"]);
    assert_eq!(tail.lines().count(), 1, "{tail}");
    assert!(tail.ends_with("| a2\n"), "{tail}");
    assert_eq!(stack.ok(&["logs", "--no-log-prefix", "beta"]), "b1\n");
}

#[test]
fn logs_follow_picks_up_containers_that_start_later() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new("follow", &format!("services:\n{}{}", talker("first", "echo from-first;"), talker("later", "echo from-later;")));
    stack.ok(&["up", "-d", "first"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_rcompose"))
        .current_dir(stack.path())
        .args(["-p", &stack.name, "logs", "-f"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let wait_for = |needle: &str| -> bool {
        let end = std::time::Instant::now() + Duration::from_secs(20);
        while std::time::Instant::now() < end {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
                if line.ends_with(needle) {
                    return true;
                }
            }
        }
        false
    };
    assert!(wait_for("| from-first"), "first service's line never came");
    stack.ok(&["up", "-d", "later"]);
    assert!(wait_for("| from-later"), "a container started later was not followed");
    let _ = child.kill();
    let _ = child.wait();
}
