//! `exec`, `start`/`stop`/`restart`/`kill`/`rm`/`pause`/`unpause`, `port`
//! and `wait` against the engine.

use std::io::Write;
use std::process::{Command, Stdio};

use super::proxy::{drop_after, spawn_through, Fault, FaultProxy};
use super::{engine_ready, Stack, BUSYBOX, LOOP};

fn stack(tag: &str) -> Stack {
    Stack::new(
        tag,
        &format!(
            "services:\n  app:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n    working_dir: /tmp\n    ports: ['127.0.0.1::8080']\n  worker:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n    depends_on: [app]\n"
        ),
    )
}

fn state(c: &str) -> String {
    Stack::docker(&["inspect", "-f", "{{.State.Status}}", c])
}

#[test]
fn exec_passes_output_stdin_env_and_exit_code() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = stack("exec");
    s.ok(&["up", "-d"]);
    assert_eq!(s.ok(&["exec", "-T", "app", "sh", "-c", "echo $GREETING from $(pwd)", "-e"]).trim(), "from /tmp");
    assert_eq!(s.ok(&["exec", "-T", "-e", "GREETING=hi", "-w", "/", "app", "sh", "-c", "echo $GREETING from $(pwd)"]).trim(), "hi from /");
    let out = s.run(&["exec", "-T", "app", "sh", "-c", "echo oops >&2; exit 3"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "oops");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rcompose"))
        .current_dir(s.path())
        .args(["-p", &s.name, "exec", "-T", "app", "sh", "-c", "tr a-z A-Z"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"piped input\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "PIPED INPUT\n");
    let err = s.run(&["exec", "-T", "nope", "true"]);
    assert!(!err.status.success());
}

#[test]
fn lifecycle_commands_change_container_state() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = stack("life2");
    s.ok(&["up", "-d"]);
    let app = format!("{}-app-1", s.name);
    let worker = format!("{}-worker-1", s.name);
    s.ok(&["stop", "-t", "2"]);
    assert_eq!((state(&app), state(&worker)), ("exited".into(), "exited".into()));
    s.ok(&["start", "app"]);
    assert_eq!((state(&app), state(&worker)), ("running".into(), "exited".into()));
    s.ok(&["start"]);
    assert_eq!(state(&worker), "running");
    let started = Stack::docker(&["inspect", "-f", "{{.State.StartedAt}}", &app]);
    s.ok(&["restart", "-t", "1", "app"]);
    assert_ne!(Stack::docker(&["inspect", "-f", "{{.State.StartedAt}}", &app]), started);
    s.ok(&["pause", "worker"]);
    assert_eq!(state(&worker), "paused");
    s.ok(&["unpause", "worker"]);
    assert_eq!(state(&worker), "running");
    let port = s.ok(&["port", "app", "8080"]);
    assert!(port.trim().starts_with("127.0.0.1:"), "{port}");
    s.ok(&["kill", "worker"]);
    assert_eq!(state(&worker), "exited");
    s.ok(&["rm", "-f", "worker"]);
    assert_eq!(s.containers().len(), 1);
    s.ok(&["rm", "-f", "-s"]);
    assert!(s.containers().is_empty());
}

#[test]
fn wait_returns_the_exit_code() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = Stack::new("waitcode", &format!("services:\n  job:\n    image: {BUSYBOX}\n    command: [sh, -c, 'sleep 1; exit 5']\n"));
    s.ok(&["up", "-d"]);
    let out = s.run(&["wait", "job"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stdout).contains("exited with code 5"));
}

/// Checks that rcompose failed because the engine was lost while it waited
/// for a container whose name starts with `container`, and claimed no exit.
pub fn assert_lost_while_waiting(out: &std::process::Output, container: &str) {
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "a lost engine is an engine-lost failure (exit 1):\nstdout: {stdout}\nstderr: {stderr}");
    assert!(!stdout.contains("exited with code"), "no exit code came from the engine, yet one was printed: {stdout}");
    let err = super::proxy::error_text(&stderr);
    let said = format!("lost the connection to the Docker engine during `wait for container {container}");
    assert!(err.contains(&said), "the error does not say the engine was lost while waiting for {container}:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn wait_through_a_dropped_connection_fails_and_names_the_container() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = stack("waitlost");
    s.ok(&["up", "-d", "app"]);
    // A Drop proxy that trips only when told to: mid-wait.
    let proxy = FaultProxy::start(Fault::Drop, "", usize::MAX);
    let child = spawn_through(&s, &proxy, &["wait", "app"]);
    let out = drop_after(&proxy, child, "/wait");
    assert_lost_while_waiting(&out, &format!("{}-app-1", s.name));
    assert_eq!(state(&format!("{}-app-1", s.name)), "running", "the container never exited: no exit code to report");
}

#[test]
fn top_lists_processes_and_events_stream_the_projects_events() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = stack("top");
    let mut events = Command::new(env!("CARGO_BIN_EXE_rcompose"))
        .current_dir(s.path())
        .args(["-p", &s.name, "events", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = events.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    s.ok(&["up", "-d"]);
    let mut seen_start = false;
    let end = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::time::Instant::now() < end && !seen_start {
        if let Ok(line) = rx.recv_timeout(std::time::Duration::from_millis(200)) {
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            seen_start = v["action"] == "start" && v["service"] == "app";
        }
    }
    let _ = events.kill();
    let _ = events.wait();
    assert!(seen_start, "no start event for the app service");
    let top = s.ok(&["top", "app"]);
    assert!(top.starts_with(&format!("{}-app-1\n", s.name)), "{top}");
    assert!(top.contains("PID") && top.contains("sleep"), "{top}");
}

#[test]
fn create_makes_containers_without_starting_them_and_cp_copies_both_ways() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = stack("create");
    s.ok(&["create"]);
    let app = format!("{}-app-1", s.name);
    assert_eq!(state(&app), "created");
    assert_eq!(s.containers().len(), 2);
    s.ok(&["start"]);
    assert_eq!(state(&app), "running");

    std::fs::create_dir_all(s.path().join("seed/sub")).unwrap();
    s.write("seed/sub/data.txt", "seeded\n");
    s.ok(&["cp", "./seed", "app:/tmp/"]);
    assert_eq!(Stack::docker(&["exec", &app, "cat", "/tmp/seed/sub/data.txt"]), "seeded");
    Stack::docker(&["exec", &app, "sh", "-c", "echo from-container > /tmp/out.txt"]);
    s.ok(&["cp", "app:/tmp/out.txt", "./copied.txt"]);
    assert_eq!(std::fs::read_to_string(s.path().join("copied.txt")).unwrap(), "from-container\n");
    let bad = s.run(&["cp", "a", "b"]);
    assert!(!bad.status.success());
}

#[test]
fn dry_run_on_mutating_commands_changes_nothing() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = stack("drylife");
    s.ok(&["up", "-d"]);
    let app = format!("{}-app-1", s.name);
    let out = s.ok(&["--dry-run", "stop"]);
    assert!(out.contains(&format!("stop     container {app}")), "{out}");
    assert!(out.find("worker").unwrap() < out.find(&app).unwrap(), "dependents stop first: {out}");
    assert_eq!(state(&app), "running");
    for cmd in [vec!["kill"], vec!["rm", "-f", "-s"], vec!["restart"], vec!["pause"]] {
        let mut args = vec!["--dry-run"];
        args.extend(cmd.iter().copied());
        s.ok(&args);
        assert_eq!(state(&app), "running", "{cmd:?} changed something");
    }
    assert!(s.ok(&["--dry-run", "run", "--rm", "app", "echo", "hi"]).contains("run      one-off   app  (echo hi, removed after)"));
    assert!(s.ok(&["--dry-run", "exec", "app", "echo", "hi"]).contains(&format!("exec     container {app}  (echo hi)")));
    assert_eq!(s.containers().len(), 2);
}

#[test]
fn exec_gets_a_tty_when_there_is_one() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("\n*** SKIPPED: `script` (util-linux) not found; TTY exec test not run ***\n");
        return;
    }
    let s = stack("tty");
    s.ok(&["up", "-d"]);
    let bin = env!("CARGO_BIN_EXE_rcompose");
    // `script` gives rcompose a pseudo-terminal, as a person's shell would.
    let with_tty = Command::new("script")
        .current_dir(s.path())
        .args(["-qec", &format!("{bin} -p {} exec app sh -c 'tty; exit 7'", s.name), "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&with_tty.stdout);
    assert!(text.contains("/dev/pts/"), "no TTY inside: {text}");
    assert_eq!(with_tty.status.code(), Some(7));
    let without = s.ok(&["exec", "-T", "app", "sh", "-c", "tty || true"]);
    assert!(without.contains("not a tty"), "{without}");
}

#[test]
fn up_of_a_service_whose_profile_is_off_starts_it_as_docker_compose_does() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = Stack::new(
        "profup",
        &format!("services:\n  app:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n  tool:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n    profiles: [tools]\n"),
    );
    s.ok(&["up", "-d", "tool"]);
    let names: Vec<String> = s.containers().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, vec![format!("{}-tool-1", s.name)], "only the named service runs");
    s.ok(&["down", "-t", "0"]);
    assert!(s.containers().is_empty(), "down removes it although its profile is off");
}

#[test]
fn stop_with_one_file_leaves_the_services_of_another_file_running() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let svc = |name: &str| format!("services:\n  {name}:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n");
    let s = Stack::new("stopfile", &svc("a"));
    s.write("b.yaml", &svc("b"));
    s.ok(&["up", "-d"]);
    s.ok(&["-f", "b.yaml", "up", "-d"]);
    s.ok(&["stop", "-t", "0"]);
    assert_eq!(state(&format!("{}-a-1", s.name)), "exited");
    assert_eq!(state(&format!("{}-b-1", s.name)), "running", "stop -f compose.yaml reached b.yaml's service");
    s.ok(&["-f", "b.yaml", "down", "-t", "0"]);
}

#[test]
fn down_of_one_service_keeps_the_others_and_what_they_use() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = Stack::new(
        "downsvc",
        &format!(
            "services:\n  db:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n    volumes: [data:/data]\n  web:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n    depends_on: [db]\nvolumes:\n  data: {{}}\n"
        ),
    );
    s.ok(&["up", "-d"]);
    let (db, web) = (format!("{}-db-1", s.name), format!("{}-web-1", s.name));
    assert_eq!(
        s.ok(&["--dry-run", "down", "-v", "web"]),
        format!("remove   container {web}\nwarning: network {}_default is still in use; not removing it\n", s.name)
    );
    s.ok(&["down", "-v", "-t", "0", "web"]);
    let names: Vec<String> = s.containers().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, vec![db.clone()], "only web went");
    assert_eq!(state(&db), "running");
    assert!(Stack::volume_exists(&format!("{}_data", s.name)), "db's volume stays");
    let unknown = s.run(&["down", "nope"]);
    assert!(!unknown.status.success() && String::from_utf8_lossy(&unknown.stderr).contains("no such service: nope"));
    s.ok(&["down", "-v", "-t", "0", "db"]);
    assert!(s.containers().is_empty());
    assert!(!Stack::volume_exists(&format!("{}_data", s.name)), "down -v db removes its volume");
}
