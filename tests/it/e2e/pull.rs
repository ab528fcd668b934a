//! Pulling from a local registry (Debian's docker-registry on 127.0.0.1),
//! without and with htpasswd auth: images arrive, progress shows, a wrong
//! password is a clear error, and the password appears in no output.

use std::process::{Child, Command, Stdio};

use super::{engine_ready, Stack, BUSYBOX};

struct Registry {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tools_ready() -> bool {
    let ok = Command::new("docker-registry").arg("--version").output().is_ok() && Command::new("htpasswd").arg("-h").output().is_ok();
    if !ok {
        assert!(std::env::var("RCOMPOSE_REQUIRE_ENGINE").as_deref() != Ok("1"), "docker-registry or htpasswd missing: run scripts/peers.sh");
        eprintln!("\n*** SKIPPED: docker-registry/htpasswd not installed; pull tests not run ***\n");
    }
    ok
}

fn start_registry(user_pass: Option<(&str, &str)>) -> Registry {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut config = format!(
        "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}/data\nhttp:\n  addr: 127.0.0.1:{port}\n",
        dir.path().display()
    );
    if let Some((u, p)) = user_pass {
        let out = Command::new("htpasswd").args(["-Bbn", u, p]).output().unwrap();
        std::fs::write(dir.path().join("htpasswd"), out.stdout).unwrap();
        config.push_str(&format!("auth:\n  htpasswd:\n    realm: rcompose-test\n    path: {}/htpasswd\n", dir.path().display()));
    }
    std::fs::write(dir.path().join("config.yml"), config).unwrap();
    let child = Command::new("docker-registry")
        .args(["serve", dir.path().join("config.yml").to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(super::eventually(20, || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()), "registry never listened");
    Registry { child, port, dir }
}

/// `docker` with a private DOCKER_CONFIG.
fn docker_as(config_dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new("docker");
    cmd.env("DOCKER_CONFIG", config_dir).args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().unwrap();
    if let Some(text) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// Builds an image with a layer of its own (random bytes, so the pull must
/// download it), pushes it, and removes it locally. `--no-cache`: the
/// builder would otherwise reuse another test's identical `RUN` step, and
/// the image then shares that layer, which stays on the engine when only
/// this tag is removed (the pull would then download nothing).
fn push_busybox(reg: &Registry, config_dir: &std::path::Path, name: &str) -> String {
    let image = format!("127.0.0.1:{}/{name}:1", reg.port);
    let ctx = tempfile::tempdir().unwrap();
    std::fs::write(ctx.path().join("Dockerfile"), format!("FROM {BUSYBOX}\nRUN head -c 3000000 /dev/urandom > /blob\n")).unwrap();
    let built = Command::new("docker").env("DOCKER_BUILDKIT", "0").args(["build", "-q", "--no-cache", "-t", &image]).arg(ctx.path()).output().unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let out = docker_as(config_dir, &["push", &image], None);
    assert!(out.status.success(), "push: {}", String::from_utf8_lossy(&out.stderr));
    Stack::docker(&["rmi", &image]);
    image
}

fn rcompose_with(stack: &Stack, config_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rcompose"))
        .current_dir(stack.path())
        .env("DOCKER_CONFIG", config_dir)
        .env("RUST_LOG", "trace")
        .args(["-p", &stack.name, "--progress", "plain"])
        .args(args)
        .output()
        .unwrap()
}

fn image_exists(image: &str) -> bool {
    Command::new("docker").args(["image", "inspect", image]).output().is_ok_and(|o| o.status.success())
}

#[test]
fn pull_from_a_local_registry_with_progress_and_pull_policy() {
    if !engine_ready(&[BUSYBOX]) || !tools_ready() {
        return;
    }
    let reg = start_registry(None);
    let cfg = tempfile::tempdir().unwrap();
    let image = push_busybox(&reg, cfg.path(), "rct/open");
    let stack = Stack::new("pull", &format!("services:\n  app:\n    image: {image}\n    command: [sleep, '30']\n"));
    let out = rcompose_with(&stack, cfg.path(), &["pull"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("Image {image}  Pulling")) && err.contains(&format!("Image {image}  Pulled")), "{err}");
    assert!(err.contains("Pull complete"), "no layer progress: {err}");
    assert!(image_exists(&image));
    // `up` pulls a missing image by default.
    Stack::docker(&["rmi", &image]);
    let out = rcompose_with(&stack, cfg.path(), &["up", "-d"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stack.containers().len(), 1);
    stack.ok(&["down", "--rmi", "all"]);
    // --ignore-pull-failures: the image that exists arrives, the missing one is a warning.
    stack.write("compose.yaml", &format!("services:\n  app:\n    image: {image}\n  ghost:\n    image: 127.0.0.1:{}/rct/missing:1\n", reg.port));
    let out = rcompose_with(&stack, cfg.path(), &["pull"]);
    assert!(!out.status.success(), "a missing image must fail a plain pull");
    let out = rcompose_with(&stack, cfg.path(), &["pull", "--ignore-pull-failures"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rct/missing:1 failed"));
    assert!(image_exists(&image));
    Stack::docker(&["rmi", &image]);
    let _ = reg.dir.path();
}

/// `pull_policy: refresh` names no window; docker compose v2 treats it as
/// `missing`: `up` pulls the image when it is absent and only then.
#[test]
fn pull_policy_refresh_pulls_only_a_missing_image() {
    if !engine_ready(&[BUSYBOX]) || !tools_ready() {
        return;
    }
    let reg = start_registry(None);
    let cfg = tempfile::tempdir().unwrap();
    let image = push_busybox(&reg, cfg.path(), "rct/refresh");
    Stack::docker(&["rmi", &image]);
    let stack = Stack::new("pullrefresh", &format!("services:\n  app:\n    image: {image}\n    pull_policy: refresh\n    command: [sleep, '30']\n"));
    let out = rcompose_with(&stack, cfg.path(), &["up", "-d"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains(&format!("Image {image}  Pulled")), "a missing image is pulled: {err}");
    let out = rcompose_with(&stack, cfg.path(), &["up", "-d", "--force-recreate"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("Pulling"), "a present image is not pulled again: {err}");
    stack.ok(&["down", "--rmi", "all"]);
    let _ = reg.dir.path();
}

#[test]
fn pull_with_registry_auth_and_no_password_leaks() {
    if !engine_ready(&[BUSYBOX]) || !tools_ready() {
        return;
    }
    let password = "pa55-Very-Secret-7731";
    let reg = start_registry(Some(("ci-user", password)));
    let good = tempfile::tempdir().unwrap();
    let login = docker_as(good.path(), &["login", "-u", "ci-user", "--password-stdin", &format!("127.0.0.1:{}", reg.port)], Some(password));
    assert!(login.status.success(), "login: {}", String::from_utf8_lossy(&login.stderr));
    let image = push_busybox(&reg, good.path(), "rct/private");
    let stack = Stack::new("pullauth", &format!("services:\n  app:\n    image: {image}\n    command: [sleep, '30']\n"));

    // Without credentials: refused, clearly.
    let none = tempfile::tempdir().unwrap();
    let out = rcompose_with(&stack, none.path(), &["pull"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("pulling {image} failed")), "{}", String::from_utf8_lossy(&out.stderr));

    // A wrong password: refused, and neither password is printed.
    let bad = tempfile::tempdir().unwrap();
    let wrong = "wrong-Secret-9912";
    let auth = base64_encode(&format!("ci-user:{wrong}"));
    std::fs::write(bad.path().join("config.json"), format!("{{\"auths\": {{\"127.0.0.1:{}\": {{\"auth\": \"{auth}\"}}}}}}", reg.port)).unwrap();
    let out = rcompose_with(&stack, bad.path(), &["--verbose", "--verbose", "--verbose", "pull"]);
    assert!(!out.status.success());
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(all.contains("failed"), "{all}");
    assert!(!all.contains(wrong) && !all.contains(&auth), "the password leaked: {all}");

    // A credential helper (`credsStore`): a script that answers `get`.
    let helper_dir = tempfile::tempdir().unwrap();
    let helper = helper_dir.path().join("docker-credential-rcttest");
    std::fs::write(&helper, format!("#!/bin/sh\ncat >/dev/null\necho '{{\"ServerURL\":\"x\",\"Username\":\"ci-user\",\"Secret\":\"{password}\"}}'\n")).unwrap();
    std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let store = tempfile::tempdir().unwrap();
    std::fs::write(store.path().join("config.json"), "{\"credsStore\": \"rcttest\"}").unwrap();
    let path = format!("{}:{}", helper_dir.path().display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new(env!("CARGO_BIN_EXE_rcompose"))
        .current_dir(stack.path())
        .env("DOCKER_CONFIG", store.path())
        .env("PATH", path)
        .args(["-p", &stack.name, "--progress", "plain", "pull"])
        .output()
        .unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "credential helper: {all}");
    assert!(!all.contains(password), "the password leaked: {all}");
    assert!(image_exists(&image));
    Stack::docker(&["rmi", &image]);

    // The right credentials (from `docker login`): pulled, password nowhere.
    let out = rcompose_with(&stack, good.path(), &["--verbose", "--verbose", "--verbose", "pull"]);
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{all}");
    assert!(!all.contains(password), "the password leaked: {all}");
    assert!(image_exists(&image));
    Stack::docker(&["rmi", &image]);
}

fn base64_encode(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::new();
    for chunk in b.chunks(3) {
        let n = (chunk[0] as u32) << 16 | (*chunk.get(1).unwrap_or(&0) as u32) << 8 | *chunk.get(2).unwrap_or(&0) as u32;
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { T[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { T[n as usize & 63] as char } else { '=' });
    }
    out
}
