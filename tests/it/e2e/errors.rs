//! Failures give a clear error and a non-zero exit, and leave nothing a
//! re-run cannot converge.

use super::{engine_ready, Stack, BUSYBOX};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn missing_external_volume_names_it_and_creates_nothing() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new("extvol", &format!(
        "services:\n  app:\n    image: {BUSYBOX}\n    command: [sleep, '60']\n    volumes: ['data:/data']\nvolumes:\n  data:\n    external: true\n    name: rct-missing-external-volume\n"
    ));
    let out = stack.run(&["up", "-d"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("external volume \"rct-missing-external-volume\" not found"), "{}", stderr(&out));
    assert!(stack.containers().is_empty());
    assert!(Stack::docker(&["network", "ls", "-q", "--filter", &format!("label=com.docker.compose.project={}", stack.name)]).is_empty());
}

#[test]
fn unreachable_engine_is_a_clear_error() {
    let dir = crate::support::project(&[("compose.yaml", "services:\n  a:\n    image: x\n")]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rcompose"))
        .current_dir(dir.path())
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .args(["up", "-d"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("cannot connect to the Docker engine at unix:///nonexistent/docker.sock"), "{err}");
    assert!(err.contains("is the Docker daemon running"), "{err}");
}

#[test]
fn missing_image_fails_before_creating_anything() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    // pull_policy never: no pull is tried, the image must be there.
    let stack = Stack::new(
        "noimage",
        &format!(
            "services:\n  ok:\n    image: {BUSYBOX}\n    command: [sleep, '60']\n  bad:\n    image: rcompose-test/does-not-exist:1\n    pull_policy: never\n"
        ),
    );
    let out = stack.run(&["up", "-d"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no such image: rcompose-test/does-not-exist:1 (service bad, pull_policy: never)"), "{}", stderr(&out));
    assert!(stack.containers().is_empty(), "created {:?}", stack.containers());
    // The default policy pulls a missing image; a registry that is not there
    // (a closed port on loopback) fails the pull, still before anything is created.
    stack.write(
        "compose.yaml",
        &format!("services:\n  ok:\n    image: {BUSYBOX}\n    command: [sleep, '60']\n  bad:\n    image: 127.0.0.1:9/rcompose-test/does-not-exist:1\n"),
    );
    let out = stack.run(&["up", "-d"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("pulling 127.0.0.1:9/rcompose-test/does-not-exist:1 failed"), "{}", stderr(&out));
    assert!(stack.containers().is_empty(), "created {:?}", stack.containers());
}

#[test]
fn dependency_that_exits_fails_up_and_a_fixed_rerun_converges() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let bad = format!(
        "services:\n  db:\n    image: {BUSYBOX}\n    command: [sh, -c, 'exit 3']\n    healthcheck:\n      test: [CMD, 'true']\n      interval: 1s\n  web:\n    image: {BUSYBOX}\n    command: [sleep, '60']\n    depends_on:\n      db:\n        condition: service_healthy\n"
    );
    let stack = Stack::new("exits", &bad);
    let out = stack.run(&["up", "-d"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&format!("container {}-db-1 exited with code 3", stack.name)), "{err}");
    // Like docker compose v2, containers are created before dependencies are
    // waited for; web must exist at most as "created", never started.
    let web = format!("{}-web-1", stack.name);
    if stack.containers().iter().any(|(n, _)| *n == web) {
        let state = Stack::docker(&["inspect", &web, "--format", "{{.State.Status}} {{.State.StartedAt}}"]);
        assert!(state.starts_with("created 0001-01-01"), "web started though db failed: {state}");
    }

    stack.write("compose.yaml", &bad.replace("[sh, -c, 'exit 3']", "[sh, -c, \"trap 'exit 0' TERM; while true; do sleep 0.2 & wait $$!; done\"]"));
    stack.ok(&["up", "-d"]);
    let names: Vec<String> = stack.containers().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, vec![format!("{}-db-1", stack.name), format!("{}-web-1", stack.name)]);
}

#[test]
fn features_newer_than_the_engine_are_refused_before_anything_is_created() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let api = Stack::docker(&["version", "--format", "{{.Server.APIVersion}}"]);
    let (major, minor) = api.split_once('.').map(|(a, b)| (a.parse::<u32>().unwrap(), b.parse::<u32>().unwrap())).unwrap();
    // `init` fills the volume (a subpath must exist before it is mounted);
    // `app` mounts only its `sub` folder.
    let stack = Stack::new("subpath", &format!(
        "services:\n  init:\n    image: {BUSYBOX}\n    command: [sh, -c, 'mkdir -p /all/sub && echo inside-sub > /all/sub/f']\n    volumes: ['data:/all']\n  app:\n    image: {BUSYBOX}\n    command: [sleep, '30']\n    depends_on: {{init: {{condition: service_completed_successfully}}}}\n    volumes:\n      - type: volume\n        source: data\n        target: /data\n        volume:\n          subpath: sub\nvolumes:\n  data:\n"
    ));
    if (major, minor) >= (1, 45) {
        eprintln!("engine API {api} supports volume subpath: checking that it works");
        stack.ok(&["up", "-d"]);
        let seen = Stack::docker(&["exec", &format!("{}-app-1", stack.name), "cat", "/data/f"]);
        assert_eq!(seen, "inside-sub", "the subpath mount does not show the sub folder");
        return;
    }
    let out = stack.run(&["up", "-d"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("volume subpath (service \"app\", mount /data) needs Docker Engine API 1.45 or newer"), "{err}");
    assert!(stack.containers().is_empty());
    assert!(!Stack::volume_exists(&format!("{}_data", stack.name)), "a volume was created before refusing");
}
