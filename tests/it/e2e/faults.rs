//! Engine faults, through the proxy in [`super::proxy`] that, from
//! a chosen request on, either cuts every connection (the engine went away
//! mid-command) or keeps reading and never answers again (the engine is
//! stuck). rcompose must stop with a clear error, no panic, within a bounded
//! time (`COMPOSE_HTTP_TIMEOUT=3`), and the next command against the real
//! engine must finish the job.

use std::time::{Duration, Instant};

use super::interrupt::{assert_converged, down_or_engine_leak, leftovers};
use super::proxy::{error_text, spawn_through, Fault, FaultProxy};
use super::{engine_ready, Stack, BUSYBOX, LOOP};

/// Six services in four layers; `api` has two replicas and waits for `db`
/// to be healthy, `db` has a named volume, and `edge` joins a second
/// network (a call of its own after the create).
fn compose() -> String {
    let svc = |name: &str, extra: &str| format!("  {name}:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n{extra}");
    [
        "services:\n".to_string(),
        svc("db", "    volumes: ['data:/data']\n    healthcheck: {test: [CMD, 'true'], interval: 1s}\n"),
        svc("cache", ""),
        svc("api", "    depends_on:\n      db: {condition: service_healthy}\n      cache: {condition: service_started}\n    scale: 2\n"),
        svc("worker", "    depends_on: [db]\n"),
        svc("web", "    depends_on: [api]\n"),
        svc("edge", "    depends_on: [web, worker]\n    networks: [default, back]\n"),
        "volumes:\n  data:\n".to_string(),
        "networks:\n  back:\n".to_string(),
    ]
    .concat()
}

fn expected(project: &str) -> Vec<String> {
    let mut v: Vec<String> = ["api-1", "api-2", "cache-1", "db-1", "edge-1", "web-1", "worker-1"].iter().map(|s| format!("{project}-{s}")).collect();
    v.sort();
    v
}

fn edge_networks(stack: &Stack) -> String {
    let found = Stack::docker(&["inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", &format!("{}-edge-1", stack.name)]);
    let mut nets: Vec<&str> = found.split_whitespace().collect();
    nets.sort();
    nets.join(" ")
}

/// Seconds the faulted command may take: COMPOSE_HTTP_TIMEOUT is 3, a stop
/// adds its 10-second grace period; the rest is margin for a busy machine.
const BOUND: Duration = Duration::from_secs(30);

/// What one faulted command did.
struct Faulted {
    code: Option<i32>,
    took: Duration,
    stderr: String,
}

/// Runs `rcompose ARGS` through the proxy with COMPOSE_HTTP_TIMEOUT=3; a
/// run that outlives twice the bound is killed (and the test fails).
fn run_through(stack: &Stack, proxy: &FaultProxy, args: &[&str]) -> Faulted {
    let started = Instant::now();
    let child = spawn_through(stack, proxy, args);
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = if let Ok(out) = rx.recv_timeout(BOUND * 2) {
        out.unwrap()
    } else {
        let _ = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status();
        panic!("rcompose {args:?} through a faulty engine hung for {} s and was killed", (BOUND * 2).as_secs());
    };
    Faulted { code: out.status.code(), took: started.elapsed(), stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}

/// Checks a faulted run: it failed, in time, without a panic, with an error
/// about the engine that names what it was doing.
fn assert_clear_failure(f: &Faulted, proxy: &FaultProxy, what: &str) {
    let log = proxy.log();
    assert!(proxy.tripped(), "{what}: the fault never started, so the test proves nothing; requests: {log:?}");
    assert!(!f.stderr.contains("panicked"), "{what}: rcompose panicked:\n{}", f.stderr);
    assert!(f.code.is_some_and(|c| c != 0), "{what}: rcompose did not fail (exit {:?}):\n{}", f.code, f.stderr);
    assert!(f.took < BOUND, "{what}: rcompose took {:.1} s to give up (bound {} s)", f.took.as_secs_f64(), BOUND.as_secs());
    let err = error_text(&f.stderr);
    assert!(err.contains("engine"), "{what}: the error does not mention the engine:\n{}", f.stderr);
    // Either the connection itself, or the engine call in backquotes.
    let names_action = err.contains("cannot connect to the Docker engine") || err.split('`').nth(1).is_some_and(|a| a.contains(' '));
    assert!(names_action, "{what}: the error does not say what rcompose was doing:\n{}", f.stderr);
    // The engine never answered, so it refused nothing.
    assert!(!err.contains("refused"), "{what}: the error blames the engine for refusing:\n{}", f.stderr);
    if proxy.fault() == Fault::Hang {
        // COMPOSE_HTTP_TIMEOUT, plus the 10-second grace period for a stop.
        let limit = err.split("within ").nth(1).and_then(|t| t.split(' ').next()).and_then(|n| n.parse::<u64>().ok());
        assert!(matches!(limit, Some(3 | 13)), "{what}: the error does not give the limit from COMPOSE_HTTP_TIMEOUT=3:\n{}", f.stderr);
    }
}

fn first_error_line(stderr: &str) -> String {
    let text = error_text(stderr);
    let line = text.lines().map(|l| l.trim().trim_start_matches(['x', '×', ' '])).find(|l| !l.is_empty() && !l.starts_with("rcompose::"));
    line.unwrap_or("").chars().take(160).collect()
}

/// Fault points for `up -d`: (pattern of the request line, which match,
/// whether the next `up` waits for the engine to finish the calls in flight).
///
/// The engine carries on with a call whose client is gone. A container
/// create may then complete or be undone a moment later, and a command that
/// looks meanwhile acts on a container about to vanish: no client can avoid
/// that, so the next `up` comes once the engine is done. A network create
/// always completes, so at the network point the next `up` comes at once,
/// while the first network is still being made; on engines before API 1.44
/// that makes the network twice, which rcompose must clean up.
const UP_POINTS: [(&str, usize, bool); 6] = [
    ("", 1, true),                   // the first request: the handshake
    ("/networks/create", 2, false),  // the other network's create in flight
    ("/containers/create", 3, true), // creating containers
    ("/connect", 1, true),           // joining edge's second network
    ("/events", 1, true),            // waiting for db to be healthy
    ("/start", 3, true),             // starting containers
];

/// Fault points for `down`.
const DOWN_POINTS: [(&str, usize); 3] = [
    ("/stop", 2),               // stopping containers
    ("DELETE /containers/", 4), // removing containers
    ("DELETE /networks/", 1),   // removing the network
];

#[test]
fn up_against_a_dropping_or_stuck_engine_fails_clearly_and_the_next_up_converges() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new("fltup", &compose());
    let want = expected(&stack.name);
    stack.ok(&["up", "-d"]);
    Stack::docker(&["exec", &format!("{}-db-1", stack.name), "sh", "-c", "echo kept > /data/marker"]);
    stack.ok(&["down"]);
    let mut engine_leaks = Vec::new();
    for fault in [Fault::Drop, Fault::Hang] {
        for (pattern, nth, settle) in UP_POINTS {
            let what = format!("up -d, {fault:?} at request #{nth} matching {pattern:?}");
            let proxy = FaultProxy::start(fault, pattern, nth);
            let f = run_through(&stack, &proxy, &["up", "-d"]);
            assert_clear_failure(&f, &proxy, &what);
            let at = proxy.log().into_iter().find(|l| l.starts_with('!')).unwrap_or_default();
            let settling = Instant::now();
            if settle {
                assert!(proxy.settle(BOUND), "{what}: the engine still works on requests after {} s", BOUND.as_secs());
            }
            eprintln!(
                "{what}: failed after {:.2} s (fault at {at}; {}): {}",
                f.took.as_secs_f64(),
                if settle { format!("engine done {:.2} s later", settling.elapsed().as_secs_f64()) } else { "next up at once".into() },
                first_error_line(&f.stderr)
            );
            drop(proxy);
            let next = stack.run(&["up", "-d"]);
            let next_err = String::from_utf8_lossy(&next.stderr);
            assert!(next.status.success(), "{what}: the next up -d failed:\n{next_err}");
            if next_err.contains("exists twice") {
                eprintln!("{what}: the next up found a network made twice and removed the copy");
            }
            assert_converged(&stack, &want, &what);
            assert_eq!(edge_networks(&stack), format!("{0}_back {0}_default", stack.name), "{what}: edge lacks a network");
            assert_eq!(Stack::docker(&["exec", &format!("{}-db-1", stack.name), "cat", "/data/marker"]), "kept", "{what}: volume data lost");
            // A start cut off by the fault can trip the old engine's endpoint count.
            if let Some(net) = down_or_engine_leak(&stack, &["down"]) {
                engine_leaks.push(format!("network {net}"));
            }
        }
    }
    let name = stack.name.clone();
    drop(stack);
    let left: Vec<String> = leftovers(&name).into_iter().filter(|l| !engine_leaks.contains(l)).collect();
    assert_eq!(left, Vec::<String>::new(), "left behind after the test");
}

#[test]
fn down_against_a_dropping_or_stuck_engine_fails_clearly_and_up_then_down_v_still_work() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new("fltdown", &compose());
    let want = expected(&stack.name);
    stack.ok(&["up", "-d"]);
    Stack::docker(&["exec", &format!("{}-db-1", stack.name), "sh", "-c", "echo kept > /data/marker"]);
    for fault in [Fault::Drop, Fault::Hang] {
        for (pattern, nth) in DOWN_POINTS {
            let what = format!("down, {fault:?} at request #{nth} matching {pattern:?}");
            let proxy = FaultProxy::start(fault, pattern, nth);
            // No -t: each stop keeps its default 10-second grace period.
            let f = run_through(&stack, &proxy, &["down"]);
            assert_clear_failure(&f, &proxy, &what);
            let at = proxy.log().into_iter().find(|l| l.starts_with('!')).unwrap_or_default();
            // Stops and removals the engine had accepted still happen; the
            // next command comes once it has finished them, as no client can
            // call them back.
            let settling = Instant::now();
            assert!(proxy.settle(BOUND), "{what}: the engine still works on requests after {} s", BOUND.as_secs());
            eprintln!(
                "{what}: failed after {:.2} s (fault at {at}; engine done {:.2} s later): {}",
                f.took.as_secs_f64(),
                settling.elapsed().as_secs_f64(),
                first_error_line(&f.stderr)
            );
            drop(proxy);
            stack.ok(&["up", "-d"]);
            assert_converged(&stack, &want, &what);
            assert_eq!(edge_networks(&stack), format!("{0}_back {0}_default", stack.name), "{what}: edge lacks a network");
            assert_eq!(Stack::docker(&["exec", &format!("{}-db-1", stack.name), "cat", "/data/marker"]), "kept", "{what}: volume data lost");
        }
    }
    stack.ok(&["down", "-v"]);
    assert_eq!(leftovers(&stack.name), Vec::<String>::new(), "down -v after the faults left these behind");
}
