//! End-to-end: the rcompose binary against the real Docker engine.
//!
//! Each test uses its own project name and removes everything it made (a
//! guard runs `down -v` on drop). Without an engine or the test images the
//! tests skip loudly; with RCOMPOSE_REQUIRE_ENGINE=1 (CI) they fail instead.

mod api_version;
mod attach_cmd;
mod attached;
mod backup;
mod build;
mod commands;
mod concurrency;
mod dry_run;
mod errors;
mod exit_codes;
mod faults;
mod interop;
mod interrupt;
mod lifecycle;
mod logs;
mod migrate;
mod mounts;
mod order;
mod persistence;
mod plan;
mod plugin;
mod proxy;
mod ps_json;
mod pull;
mod run;
mod scale;
mod secrets;
mod snapshot;
mod soak;
mod stats;
mod todo_app;
mod volume_import;
mod wait;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

pub const BUSYBOX: &str = "rcompose-test/busybox:latest";
pub const POSTGRES: &str = "rcompose-test/postgres:15";
/// A container command (for YAML in `format!`) that runs until SIGTERM and
/// then exits at once with 0.
pub const LOOP: &str = "trap 'exit 0' TERM; while true; do sleep 0.2 & wait $$!; done";

fn required() -> bool {
    std::env::var("RCOMPOSE_REQUIRE_ENGINE").as_deref() == Ok("1")
}

/// True when the engine answers and the test images exist; otherwise skips
/// loudly (or fails, when the engine is required).
pub fn engine_ready(images: &[&str]) -> bool {
    let ok = Command::new("docker").args(["info", "--format", "{{.ServerVersion}}"]).output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(!required(), "RCOMPOSE_REQUIRE_ENGINE=1 but no Docker engine answers");
        eprintln!("\n*** SKIPPED: no Docker engine answers; end-to-end test not run ***\n");
        return false;
    }
    for image in images {
        let found = Command::new("docker").args(["image", "inspect", image]).output().is_ok_and(|o| o.status.success());
        if !found {
            assert!(!required(), "RCOMPOSE_REQUIRE_ENGINE=1 but test image {image} is missing: run scripts/test-images.sh");
            eprintln!("\n*** SKIPPED: test image {image} missing (run scripts/test-images.sh) ***\n");
            return false;
        }
    }
    true
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A compose project in a temporary folder with a unique name; `down -v`
/// on drop.
pub struct Stack {
    pub dir: tempfile::TempDir,
    pub name: String,
}

impl Stack {
    pub fn new(tag: &str, compose: &str) -> Stack {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("rct-{tag}-{}-{n}", std::process::id());
        let dir = tempfile::Builder::new().prefix("rcompose-e2e").tempdir().unwrap();
        std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
        Stack { dir, name }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, file: &str, text: &str) {
        std::fs::write(self.dir.path().join(file), text).unwrap();
    }

    /// Runs `rcompose -p NAME ARGS...` in the project folder; a command
    /// that hangs is killed after three minutes and fails the test.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut full = vec!["-p", self.name.as_str(), "--progress", "plain"];
        full.extend_from_slice(args);
        let child = Command::new(env!("CARGO_BIN_EXE_rcompose"))
            .current_dir(self.path())
            .args(&full)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run rcompose");
        let pid = child.id();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait_with_output());
        });
        if let Ok(out) = rx.recv_timeout(std::time::Duration::from_secs(180)) {
            out.expect("rcompose output")
        } else {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("rcompose {args:?} hung for 180 s and was killed");
        }
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "rcompose {args:?} failed ({:?}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `docker` with arguments; returns trimmed stdout.
    pub fn docker(args: &[&str]) -> String {
        let out = Command::new("docker").args(args).output().expect("docker");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Ids of this project's containers (all states), by name.
    pub fn containers(&self) -> Vec<(String, String)> {
        let out = Stack::docker(&["ps", "-a", "--filter", &format!("label=com.docker.compose.project={}", self.name), "--format", "{{.Names}} {{.ID}}"]);
        let mut v: Vec<(String, String)> = out.lines().filter_map(|l| l.split_once(' ')).map(|(a, b)| (a.to_string(), b.to_string())).collect();
        v.sort();
        v
    }

    pub fn volume_exists(name: &str) -> bool {
        Command::new("docker").args(["volume", "inspect", name]).output().is_ok_and(|o| o.status.success())
    }

    /// `psql` inside the project's db container; returns trimmed output.
    pub fn psql(&self, container: &str, sql: &str) -> String {
        let out = Command::new("docker").args(["exec", container, "psql", "-U", "app", "-d", "todo", "-tAc", sql]).output().expect("docker exec");
        assert!(out.status.success(), "psql failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = Command::new(env!("CARGO_BIN_EXE_rcompose"))
            .current_dir(self.dir.path())
            .args(["-p", &self.name, "--progress", "quiet", "down", "-v", "--remove-orphans", "-t", "1"])
            .output();
        // Belt and braces: anything still labelled for the project.
        let filter = format!("label=com.docker.compose.project={}", self.name);
        let ids = Stack::docker(&["ps", "-aq", "--filter", &filter]);
        for id in ids.lines() {
            let _ = Command::new("docker").args(["rm", "-fv", id]).output();
        }
        let vols = Stack::docker(&["volume", "ls", "-q", "--filter", &filter]);
        for v in vols.lines() {
            let _ = Command::new("docker").args(["volume", "rm", "-f", v]).output();
        }
    }
}

/// Polls `f` until it returns true or `secs` pass.
pub fn eventually(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    false
}
