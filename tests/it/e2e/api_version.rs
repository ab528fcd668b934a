//! What rcompose actually sends: a request log from a proxy socket between
//! rcompose and the engine. bollard up to 0.21.1 leaves the `/vX.Y` prefix out
//! of request paths (bollard issue 736), so the engine answers at its own
//! version; a prefix, if present, must never name a version other than the
//! engine's (pinning an old one breaks on Docker 29, which refuses < 1.44).

use std::io::Write;
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::{Arc, Mutex};

use super::{engine_ready, Stack, BUSYBOX};

/// A unix-socket proxy to the engine that records request lines.
pub struct LoggingProxy {
    pub path: std::path::PathBuf,
    pub requests: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl LoggingProxy {
    pub fn start() -> LoggingProxy {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { break };
                let log = Arc::clone(&log);
                std::thread::spawn(move || relay(client, &log));
            }
        });
        LoggingProxy { path, requests, _dir: dir }
    }
}

fn relay(client: UnixStream, log: &Mutex<Vec<String>>) {
    let Ok(mut upstream) = UnixStream::connect("/var/run/docker.sock") else { return };
    let mut back_up = upstream.try_clone().unwrap();
    let mut back_client = client.try_clone().unwrap();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut back_up, &mut back_client);
        let _ = back_client.shutdown(std::net::Shutdown::Both);
    });
    let mut client = client;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match std::io::Read::read(&mut client, &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                // Request lines sit at the start of a line; bodies are passed on as they come.
                for text in String::from_utf8_lossy(&buf[..n]).split("\r\n") {
                    let mut parts = text.split(' ');
                    if let (Some(method), Some(path), Some(proto)) = (parts.next(), parts.next(), parts.next()) {
                        if proto.starts_with("HTTP/1") && matches!(method, "GET" | "POST" | "PUT" | "DELETE" | "HEAD") {
                            log.lock().unwrap().push(format!("{method} {path}"));
                        }
                    }
                }
                if upstream.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = upstream.shutdown(std::net::Shutdown::Write);
}

#[test]
fn request_paths_never_pin_an_old_api_version() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let engine_api = Stack::docker(&["version", "--format", "{{.Server.APIVersion}}"]);
    let proxy = LoggingProxy::start();
    let stack = Stack::new("api", &format!("services:\n  a:\n    image: {BUSYBOX}\n    command: [sleep, '30']\n"));
    let host = format!("unix://{}", proxy.path.display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rcompose"))
        .current_dir(stack.path())
        .env("DOCKER_HOST", &host)
        .args(["-p", &stack.name, "--progress", "quiet", "up", "-d"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let requests = proxy.requests.lock().unwrap().clone();
    assert!(requests.iter().any(|r| r.contains("/containers/create")), "{requests:?}");
    for r in &requests {
        let path = r.split(' ').nth(1).unwrap();
        if let Some(rest) = path.strip_prefix("/v").filter(|r| r.starts_with(|c: char| c.is_ascii_digit())) {
            let version = rest.split('/').next().unwrap();
            assert_eq!(version, engine_api, "request pins API {version} but the engine speaks {engine_api}: {r}");
        }
    }
    eprintln!("request log ({} requests), first: {:?}", requests.len(), &requests[..requests.len().min(4)]);
}
