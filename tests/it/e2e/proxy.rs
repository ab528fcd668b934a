//! A unix-socket proxy between rcompose and the engine that injects a fault:
//! from a chosen request on (or when a test says so), it either cuts every
//! connection (the engine went away mid-command) or keeps reading and never
//! answers again (the engine is stuck). rcompose reaches it through
//! DOCKER_HOST ([`spawn_through`]).

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Stack;

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

    pub fn fault(&self) -> Fault {
        self.shared.fault
    }

    /// Starts the fault now, whatever the requests so far (a `Drop` cuts the
    /// connections open at this moment, a request in flight included).
    pub fn trip(&self) {
        self.shared.tripped.store(true, Ordering::SeqCst);
        if self.shared.fault == Fault::Drop {
            self.shared.cut_all();
        }
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

/// Starts `rcompose -p NAME --progress plain ARGS...` in the stack's folder
/// with DOCKER_HOST on the proxy and COMPOSE_HTTP_TIMEOUT=3; stdout and
/// stderr are piped.
pub fn spawn_through(stack: &Stack, proxy: &FaultProxy, args: &[&str]) -> Child {
    let mut full = vec!["-p", stack.name.as_str(), "--progress", "plain"];
    full.extend_from_slice(args);
    Command::new(env!("CARGO_BIN_EXE_rcompose"))
        .current_dir(stack.path())
        .env("DOCKER_HOST", proxy.host())
        .env("COMPOSE_HTTP_TIMEOUT", "3")
        .args(&full)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until a request whose line contains `pattern` has gone through to
/// the engine, then cuts every connection (a [`Fault::Drop`] proxy that has
/// not tripped by itself); returns what rcompose did. Fails the test when
/// the request never comes, or rcompose outlives the cut by a minute.
pub fn drop_after(proxy: &FaultProxy, child: Child, pattern: &str) -> Output {
    let seen = |p: &FaultProxy| p.log().iter().any(|l| l.contains(pattern));
    let end = Instant::now() + Duration::from_secs(60);
    while !seen(proxy) {
        assert!(Instant::now() < end, "no request matching {pattern:?} within 60 s; requests: {:?}", proxy.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    // Let the request reach the engine, so that the cut comes mid-call.
    std::thread::sleep(Duration::from_millis(300));
    proxy.trip();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    if let Ok(out) = rx.recv_timeout(Duration::from_secs(60)) {
        out.unwrap()
    } else {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        panic!("rcompose kept running for 60 s after the engine connection dropped, and was killed");
    }
}

/// The error lines of rcompose's output (progress lines start with a clock).
pub fn error_text(stderr: &str) -> String {
    stderr.lines().filter(|l| !l.starts_with(|c: char| c.is_ascii_digit())).collect::<Vec<_>>().join("\n")
}
