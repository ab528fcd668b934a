//! Engine faults: a proxy socket between rcompose and the engine that, from
//! a chosen request on, either cuts every connection (the engine went away
//! mid-command) or keeps reading and never answers again (the engine is
//! stuck). rcompose must stop with a clear error, no panic, within a bounded
//! time (`COMPOSE_HTTP_TIMEOUT=3`), and the next command against the real
//! engine must finish the job.

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::interrupt::{assert_converged, down_or_engine_leak, leftovers};
use super::{engine_ready, Stack, BUSYBOX, LOOP};

/// What the proxy does once the fault starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Cut every connection, as if rcompose's link to the engine broke:
    /// rcompose's side is shut down and the engine sees its clients go
    /// (answers in flight are lost); each new connection is closed at once.
    Drop,
    /// Answer nothing more: keep every connection open, keep reading what
    /// rcompose sends, forward none of it and deliver no byte back.
    Hang,
}

struct Shared {
    fault: Fault,
    /// The fault starts at the `nth` request whose request line contains
    /// `pattern` (an empty pattern counts every request); that request never
    /// reaches the engine.
    pattern: String,
    nth: usize,
    matched: Mutex<usize>,
    tripped: AtomicBool,
    /// Request lines seen, in order; the one that started the fault is
    /// marked with a leading `!`.
    log: Mutex<Vec<String>>,
    /// A handle on every socket from rcompose, and on every one to the engine.
    clients: Mutex<Vec<UnixStream>>,
    engines: Mutex<Vec<UnixStream>>,
    /// Connections to the engine not yet closed by the engine.
    open_upstream: AtomicUsize,
}

impl Shared {
    fn tripped(&self) -> bool {
        self.tripped.load(Ordering::SeqCst)
    }

    /// Records a request line; true when it starts the fault.
    fn note(&self, line: String) -> bool {
        let mut matched = self.matched.lock().unwrap();
        let mut log = self.log.lock().unwrap();
        if !self.tripped() && line.contains(&self.pattern) {
            *matched += 1;
            if *matched >= self.nth {
                self.tripped.store(true, Ordering::SeqCst);
                log.push(format!("!{line}"));
                return true;
            }
        }
        log.push(line);
        false
    }

    fn keep(list: &Mutex<Vec<UnixStream>>, s: &UnixStream) {
        if let Ok(c) = s.try_clone() {
            list.lock().unwrap().push(c);
        }
    }

    /// Cuts rcompose off, and tells the engine its clients are gone (it
    /// finishes what it was doing and closes its side).
    fn cut_all(&self) {
        for s in self.clients.lock().unwrap().iter() {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
        for s in self.engines.lock().unwrap().iter() {
            let _ = s.shutdown(std::net::Shutdown::Write);
        }
    }
}

/// A unix-socket proxy to the engine that injects one [`Fault`].
pub struct FaultProxy {
    pub path: PathBuf,
    shared: Arc<Shared>,
    _dir: tempfile::TempDir,
}

impl FaultProxy {
    pub fn start(fault: Fault, pattern: &str, nth: usize) -> FaultProxy {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let shared = Arc::new(Shared {
            fault,
            pattern: pattern.to_string(),
            nth: nth.max(1),
            matched: Mutex::new(0),
            tripped: AtomicBool::new(false),
            log: Mutex::new(Vec::new()),
            clients: Mutex::new(Vec::new()),
            engines: Mutex::new(Vec::new()),
            open_upstream: AtomicUsize::new(0),
        });
        let s = Arc::clone(&shared);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { break };
                let s = Arc::clone(&s);
                std::thread::spawn(move || serve(client, s));
            }
        });
        FaultProxy { path, shared, _dir: dir }
    }

    /// A proxy that only relays (and can tell when the engine is done).
    pub fn relay() -> FaultProxy {
        FaultProxy::start(Fault::Hang, "", usize::MAX)
    }

    pub fn host(&self) -> String {
        format!("unix://{}", self.path.display())
    }

    pub fn tripped(&self) -> bool {
        self.shared.tripped()
    }

    pub fn log(&self) -> Vec<String> {
        self.shared.log.lock().unwrap().clone()
    }

    /// Waits until the engine has closed every connection, that is, has
    /// finished every request it was given (a stop it accepted still
    /// happens after its client is gone); false if that takes over `limit`.
    pub fn settle(&self, limit: Duration) -> bool {
        self.shared.cut_all();
        let end = Instant::now() + limit;
        while self.shared.open_upstream.load(Ordering::SeqCst) > 0 {
            if Instant::now() > end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.tripped.store(true, Ordering::SeqCst);
        self.shared.cut_all();
    }
}

/// Reads and throws away whatever the client sends, never answering.
fn swallow(client: &mut UnixStream) {
    let mut buf = [0u8; 16 * 1024];
    while matches!(client.read(&mut buf), Ok(n) if n > 0) {}
}

/// Request lines ("METHOD PATH") at line starts in a chunk of client bytes.
fn request_lines(chunk: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(chunk)
        .split("\r\n")
        .filter_map(|text| {
            let mut parts = text.split(' ');
            let (method, path, proto) = (parts.next()?, parts.next()?, parts.next()?);
            (proto.starts_with("HTTP/1") && matches!(method, "GET" | "POST" | "PUT" | "DELETE" | "HEAD")).then(|| format!("{method} {path}"))
        })
        .collect()
}

#[allow(clippy::needless_pass_by_value)] // each relay thread owns its handle
fn serve(mut client: UnixStream, s: Arc<Shared>) {
    Shared::keep(&s.clients, &client);
    if s.tripped() {
        match s.fault {
            Fault::Drop => {
                let _ = client.shutdown(std::net::Shutdown::Both);
            }
            Fault::Hang => swallow(&mut client),
        }
        return;
    }
    let Ok(mut upstream) = UnixStream::connect("/var/run/docker.sock") else { return };
    Shared::keep(&s.engines, &upstream);
    s.open_upstream.fetch_add(1, Ordering::SeqCst);
    // Engine → client, until the fault; read to the end either way, so
    // that the engine's close marks the end of its work.
    {
        let (mut up, mut down, s) = (upstream.try_clone().unwrap(), client.try_clone().unwrap(), Arc::clone(&s));
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let mut deliver = true;
            loop {
                match up.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    // A stuck engine sends nothing more, not even the rest
                    // of an answer it had begun.
                    Ok(_) if s.tripped() && s.fault == Fault::Hang => {}
                    Ok(n) if deliver => deliver = down.write_all(&buf[..n]).is_ok(),
                    Ok(_) => {}
                }
            }
            if !(s.tripped() && s.fault == Fault::Hang) {
                let _ = down.shutdown(std::net::Shutdown::Both);
            }
            s.open_upstream.fetch_sub(1, Ordering::SeqCst);
        });
    }
    // Client → engine, until the fault.
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match client.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut starts = false;
        for line in request_lines(&buf[..n]) {
            starts |= s.note(line);
        }
        if starts || s.tripped() {
            match s.fault {
                Fault::Drop => s.cut_all(),
                Fault::Hang => swallow(&mut client),
            }
            break;
        }
        if upstream.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = upstream.shutdown(std::net::Shutdown::Write);
}

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
    let mut full = vec!["-p", stack.name.as_str(), "--progress", "plain"];
    full.extend_from_slice(args);
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_rcompose"))
        .current_dir(stack.path())
        .env("DOCKER_HOST", proxy.host())
        .env("COMPOSE_HTTP_TIMEOUT", "3")
        .args(&full)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = if let Ok(out) = rx.recv_timeout(BOUND * 2) {
        out.unwrap()
    } else {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        panic!("rcompose {args:?} through a faulty engine hung for {} s and was killed", (BOUND * 2).as_secs());
    };
    Faulted { code: out.status.code(), took: started.elapsed(), stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}

/// The error lines of rcompose's output (progress lines start with a clock).
fn error_text(stderr: &str) -> String {
    stderr.lines().filter(|l| !l.starts_with(|c: char| c.is_ascii_digit())).collect::<Vec<_>>().join("\n")
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
    if proxy.shared.fault == Fault::Hang {
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
