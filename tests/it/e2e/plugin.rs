//! rcompose as the docker CLI plugin (`docker compose …`), and the docker
//! CLI contexts it follows. Each test installs the built binary in its own
//! temporary DOCKER_CONFIG; the real `~/.docker` is never touched.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use super::proxy::FaultProxy;
use super::{engine_ready, eventually, Stack, BUSYBOX, LOOP};

/// A docker configuration folder with rcompose installed as its compose
/// plugin.
struct DockerConfig {
    dir: tempfile::TempDir,
}

impl DockerConfig {
    fn with_plugin() -> DockerConfig {
        let dir = tempfile::Builder::new().prefix("rcompose-docker-config").tempdir().unwrap();
        let plugins = dir.path().join("cli-plugins");
        std::fs::create_dir_all(&plugins).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_rcompose"), plugins.join("docker-compose")).unwrap();
        DockerConfig { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `program ARGS` in `cwd` with DOCKER_CONFIG here, no DOCKER_HOST or
    /// DOCKER_CONTEXT from the test's environment, and `env` on top.
    fn command(&self, program: &str, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(program);
        cmd.current_dir(cwd).env("DOCKER_CONFIG", self.path()).env_remove("DOCKER_HOST").env_remove("DOCKER_CONTEXT").args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        finish(cmd, args)
    }

    fn docker(&self, stack: &Stack, args: &[&str]) -> Output {
        self.command("docker", stack.path(), args, &[])
    }

    /// Creates a docker context whose engine is at `host`.
    fn context(&self, name: &str, host: &str) {
        let tmp = std::env::temp_dir();
        let out = self.command("docker", &tmp, &["context", "create", name, "--docker", &format!("host={host}")], &[]);
        assert!(out.status.success(), "docker context create: {}", text(&out.stderr));
    }
}

/// Runs `cmd` with piped output; kills it and fails after three minutes.
fn finish(mut cmd: Command, args: &[&str]) -> Output {
    let child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    if let Ok(out) = rx.recv_timeout(Duration::from_secs(180)) {
        out.expect("output")
    } else {
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        panic!("{args:?} hung for 180 s and was killed");
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(out: &Output, what: &str) -> String {
    assert!(out.status.success(), "{what} failed ({:?}):\n{}\n{}", out.status, text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

fn services_in_ps_json(stdout: &str) -> Vec<String> {
    let mut names: Vec<String> =
        stdout.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["Service"].as_str().unwrap().to_string()).collect();
    names.sort();
    names
}

#[test]
fn docker_compose_runs_rcompose_as_its_plugin() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new(
        "plugin",
        &format!(
            "services:\n  web:\n    image: {BUSYBOX}\n    command: [sh, -c, \"echo plugin-log-marker; {LOOP}\"]\n    ports: ['127.0.0.1::8080']\n  worker:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n"
        ),
    );
    let config = DockerConfig::with_plugin();
    let compose = |args: &[&str]| {
        let mut full = vec!["compose", "-p", stack.name.as_str()];
        full.extend_from_slice(args);
        config.docker(&stack, &full)
    };
    assert!(ok(&compose(&["version"]), "docker compose version").starts_with("rcompose version"), "the plugin is not rcompose");

    ok(&compose(&["up", "-d", "--wait"]), "docker compose up -d --wait");
    assert_eq!(stack.containers().len(), 2);
    assert_eq!(services_in_ps_json(&ok(&compose(&["ps", "--format", "json"]), "ps")), ["web", "worker"]);
    let port = ok(&compose(&["port", "web", "8080"]), "port");
    assert!(port.trim().starts_with("127.0.0.1:"), "{port}");
    assert_eq!(ok(&compose(&["exec", "-T", "web", "echo", "hello-from-exec"]), "exec").trim(), "hello-from-exec");
    assert!(ok(&compose(&["logs", "web"]), "logs").contains("plugin-log-marker"));

    ok(&compose(&["down", "-v", "worker"]), "down -v worker");
    let left: Vec<String> = stack.containers().into_iter().map(|(name, _)| name).collect();
    assert_eq!(left, [format!("{}-web-1", stack.name)]);
    ok(&compose(&["down", "-v"]), "down -v");
    assert!(stack.containers().is_empty());
}

#[test]
fn the_plugin_answers_the_docker_cli_metadata_query() {
    let config = DockerConfig::with_plugin();
    let out = config.command(env!("CARGO_BIN_EXE_rcompose"), config.path(), &["docker-cli-plugin-metadata"], &[]);
    let meta: serde_json::Value = serde_json::from_str(&ok(&out, "metadata")).unwrap();
    assert_eq!(meta["SchemaVersion"], "0.1.0");
    assert_eq!(meta["Vendor"], "rcompose");
}

#[test]
fn rcompose_follows_the_docker_context_in_both_forms() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new("plugin-ctx", &format!("services:\n  app:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n"));
    let proxy = FaultProxy::relay();
    let config = DockerConfig::with_plugin();
    let context = format!("rct-proxy-{}", std::process::id());
    config.context(&context, &proxy.host());
    let name = stack.name.as_str();

    ok(&config.docker(&stack, &["--context", &context, "compose", "-p", name, "up", "-d"]), "docker --context X compose up");
    let through_plugin = proxy.log().len();
    assert!(through_plugin > 0, "docker --context X compose did not go through the context's socket");
    assert_eq!(stack.containers().len(), 1);

    let rcompose = env!("CARGO_BIN_EXE_rcompose");
    let ps = config.command(rcompose, stack.path(), &["-p", name, "ps", "--format", "json"], &[("DOCKER_CONTEXT", &context)]);
    assert_eq!(services_in_ps_json(&ok(&ps, "DOCKER_CONTEXT=X rcompose ps")), ["app"]);
    let through_env = proxy.log().len();
    assert!(through_env > through_plugin, "DOCKER_CONTEXT=X rcompose ps did not go through the context's socket");

    // `docker --config DIR` instead of DOCKER_CONFIG.
    let cfg = config.path().to_str().unwrap();
    let mut cmd = Command::new("docker");
    cmd.current_dir(stack.path()).env_remove("DOCKER_CONFIG").env_remove("DOCKER_HOST").env_remove("DOCKER_CONTEXT");
    cmd.args(["--config", cfg, "--context", &context, "compose", "-p", name, "ps", "-q"]);
    assert_eq!(ok(&finish(cmd, &["--config"]), "docker --config DIR --context X compose ps").lines().count(), 1);
    let through_config_flag = proxy.log().len();
    assert!(through_config_flag > through_env, "docker --config DIR --context X compose did not go through the context's socket");

    // `docker context use` (currentContext in config.json) too.
    ok(&config.command("docker", stack.path(), &["context", "use", &context], &[]), "docker context use");
    ok(&config.command(rcompose, stack.path(), &["-p", name, "down", "-v"], &[]), "rcompose down with a current context");
    assert!(proxy.log().len() > through_config_flag, "rcompose did not follow currentContext");
    assert!(stack.containers().is_empty());
}

#[test]
fn a_context_that_leads_nowhere_is_a_clear_error() {
    if !engine_ready(&[]) {
        return;
    }
    let stack = Stack::new("plugin-dead", &format!("services:\n  app:\n    image: {BUSYBOX}\n"));
    let config = DockerConfig::with_plugin();
    let dead = format!("rct-dead-{}", std::process::id());
    let socket = config.path().join("nothing-listens-here.sock");
    config.context(&dead, &format!("unix://{}", socket.display()));

    let out = config.docker(&stack, &["--context", &dead, "compose", "-p", &stack.name, "ps"]);
    assert_eq!(out.status.code(), Some(1), "as docker compose v2");
    let err = text(&out.stderr);
    assert!(err.contains(&format!("docker context \"{dead}\"")) && err.contains(&socket.display().to_string()), "{err}");

    let rcompose = env!("CARGO_BIN_EXE_rcompose");
    let out = config.command(rcompose, stack.path(), &["-p", &stack.name, "ps"], &[("DOCKER_CONTEXT", "rct-no-such-context")]);
    assert_eq!(out.status.code(), Some(1), "as docker compose v2");
    let err = text(&out.stderr);
    assert!(err.contains("docker context \"rct-no-such-context\"") && err.contains("does not exist") && err.contains("DOCKER_CONTEXT"), "{err}");
}

/// The docker CLI, told to stop while its output is not a terminal, closes
/// its plugin socket instead of passing the signal on: rcompose takes that
/// as SIGTERM, and an attached `up` stops its containers and exits 130, as
/// docker compose v2 does.
#[test]
fn stopping_the_docker_cli_stops_an_attached_up() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new("plugin-sig", &format!("services:\n  app:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n"));
    let config = DockerConfig::with_plugin();
    let child = Command::new("docker")
        .current_dir(stack.path())
        .env("DOCKER_CONFIG", config.path())
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .args(["compose", "-p", &stack.name, "up"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let running = |s: &Stack| Stack::docker(&["ps", "-q", "--filter", &format!("label=com.docker.compose.project={}", s.name)]);
    assert!(eventually(60, || !running(&stack).is_empty()), "up never started the container");
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let Ok(out) = rx.recv_timeout(Duration::from_secs(60)) else {
        let _ = Command::new("kill").args(["-9", &pid]).status();
        panic!("docker compose up kept running for 60 s after one SIGTERM to the docker CLI");
    };
    let out = out.unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    assert!(running(&stack).is_empty(), "the container still runs");
}
