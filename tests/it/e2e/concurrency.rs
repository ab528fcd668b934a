//! Isolation and races: projects from the same file run side by side (two,
//! and six at once, where one's `down -v` touches no other); concurrent runs
//! on one project take turns (a per-project lock), so several `up` leave
//! exactly one container per replica and a mix of `up` and `down` ends with
//! the project all up or all down, as the last run left it.

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
    assert_eq!(names, vec![format!("{}-db-1", s.name), format!("{}-web-1", s.name), format!("{}-web-2", s.name)], "exactly one container per replica");
}

/// What one of several concurrent runs did: its command, exit status,
/// output, and when it ended.
struct Finished {
    command: &'static str,
    status: std::process::ExitStatus,
    stderr: String,
    ended: std::time::Instant,
}

/// Starts the commands at once on one project and waits for all of them.
fn run_at_once(stack: &Stack, commands: &[&'static str]) -> Vec<Finished> {
    let children: Vec<(&'static str, std::process::Child)> = commands
        .iter()
        .map(|&command| {
            let mut args = vec!["-p", stack.name.as_str(), "--progress", "plain"];
            args.extend(command.split(' '));
            let child = Command::new(env!("CARGO_BIN_EXE_rcompose"))
                .current_dir(stack.path())
                .args(&args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            (command, child)
        })
        .collect();
    let waiters: Vec<_> = children
        .into_iter()
        .map(|(command, child)| {
            std::thread::spawn(move || {
                let out = child.wait_with_output().unwrap();
                Finished { command, status: out.status, stderr: String::from_utf8_lossy(&out.stderr).into_owned(), ended: std::time::Instant::now() }
            })
        })
        .collect();
    waiters.into_iter().map(|w| w.join().unwrap()).collect()
}

fn states(stack: &Stack) -> Vec<String> {
    let label = format!("label=com.docker.compose.project={}", stack.name);
    let mut v: Vec<String> = Stack::docker(&["ps", "-a", "--filter", &label, "--format", "{{.Names}} {{.State}}"]).lines().map(String::from).collect();
    v.sort();
    v
}

#[test]
fn concurrent_up_down_up_on_one_project_end_all_up_or_all_down() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = Stack::new("updown", &compose());
    let running: Vec<String> = ["db-1", "web-1", "web-2"].iter().map(|c| format!("{}-{c} running", s.name)).collect();
    let network = format!("{}_default", s.name);
    // Each order once, from nothing and from a running project.
    let rounds: [&[&'static str]; 4] = [&["up -d", "down", "up -d"], &["down", "up -d", "up -d"], &["up -d", "up -d", "down"], &["down", "up -d", "down"]];
    let mut waited = 0;
    for (round, commands) in rounds.iter().enumerate() {
        let done = run_at_once(&s, commands);
        for f in &done {
            assert!(f.status.success(), "round {round}: `{}` failed:\n{}", f.command, f.stderr);
            assert!(!f.stderr.contains("panicked"), "{}", f.stderr);
            waited += usize::from(f.stderr.contains("waiting for it to finish"));
        }
        // Runs on one project take turns, so the last one to end decides.
        let last = done.iter().max_by_key(|f| f.ended).unwrap().command;
        let now = states(&s);
        let has_network = super::interrupt::leftovers(&s.name).contains(&format!("network {network}"));
        if last == "down" {
            assert_eq!(now, Vec::<String>::new(), "round {round} {commands:?}: down ended last, yet containers are left");
            assert!(!has_network, "round {round} {commands:?}: down ended last, yet the network is left");
        } else {
            assert_eq!(now, running, "round {round} {commands:?}: up ended last, yet not every replica runs exactly once");
            assert!(has_network, "round {round} {commands:?}: up ended last, yet the network is missing");
        }
        eprintln!("round {round} {commands:?}: `{last}` ended last; {} containers", now.len());
    }
    // Two of three runs in each round found the lock taken, or ran after
    // the others had finished: at least some waited.
    assert!(waited > 0, "no run ever waited for another: they did not overlap, and the test proves nothing");
    s.ok(&["up", "-d"]);
    assert_eq!(states(&s), running, "a final up -d");
    s.ok(&["down", "-v"]);
    assert_eq!(super::interrupt::leftovers(&s.name), Vec::<String>::new(), "down -v left these behind");
}

#[test]
fn six_projects_in_parallel_get_their_own_containers_and_down_v_touches_no_other() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stacks: Vec<Stack> = (0..6).map(|i| Stack::new(&format!("par{i}"), &compose())).collect();
    let ups: Vec<_> = stacks.iter().map(|s| spawn_up(s, &s.name)).collect();
    for (s, c) in stacks.iter().zip(ups) {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}: {}", s.name, String::from_utf8_lossy(&out.stderr));
    }
    let mut ids = Vec::new();
    for s in &stacks {
        let names: Vec<String> = s.containers().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec![format!("{}-db-1", s.name), format!("{}-web-1", s.name), format!("{}-web-2", s.name)], "{}", s.name);
        // Everything carrying the name carries the label too, and the reverse.
        let mut expect = vec![format!("network {}_default", s.name), format!("volume {}_data", s.name)];
        expect.extend(names.iter().map(|n| format!("container {n}")));
        expect.sort();
        assert_eq!(super::interrupt::leftovers(&s.name), expect, "{}", s.name);
        Stack::docker(&["exec", &format!("{}-db-1", s.name), "sh", "-c", &format!("echo {} > /data/owner", s.name)]);
        ids.push(s.containers());
    }
    // Half go away with their volumes, all at once, while the others are
    // asked to converge again (which must change nothing).
    let (gone, kept): (Vec<usize>, Vec<usize>) = (0..stacks.len()).partition(|i| i % 2 == 0);
    let mut children = Vec::new();
    for &i in &gone {
        let s = &stacks[i];
        let c = Command::new(env!("CARGO_BIN_EXE_rcompose"))
            .current_dir(s.path())
            .args(["-p", &s.name, "--progress", "quiet", "down", "-v"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        children.push((s.name.clone(), c));
    }
    for &i in &kept {
        children.push((stacks[i].name.clone(), spawn_up(&stacks[i], &stacks[i].name)));
    }
    for (name, c) in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    }
    for &i in &gone {
        assert_eq!(super::interrupt::leftovers(&stacks[i].name), Vec::<String>::new(), "down -v of {} left these", stacks[i].name);
    }
    for &i in &kept {
        let s = &stacks[i];
        assert_eq!(s.containers(), ids[i], "{}: containers changed while other projects went down", s.name);
        assert_eq!(Stack::docker(&["exec", &format!("{}-db-1", s.name), "cat", "/data/owner"]), s.name, "{}: volume data changed", s.name);
    }
    let names: Vec<String> = stacks.iter().map(|s| s.name.clone()).collect();
    drop(stacks);
    for n in names {
        assert_eq!(super::interrupt::leftovers(&n), Vec::<String>::new(), "left behind by {n}");
    }
}
