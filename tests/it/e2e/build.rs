//! Building images: `.dockerignore`, args and target reach the build, and
//! `up --build` recreates only what changed.

use super::{engine_ready, Stack, BUSYBOX};

fn run_image(image: &str, cmd: &[&str]) -> String {
    let mut args = vec!["run", "--rm", image];
    args.extend_from_slice(cmd);
    Stack::docker(&args)
}

#[test]
fn context_honours_dockerignore_and_args_and_target_reach_the_build() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new("build", "services:\n  app:\n    build:\n      context: ./app\n      target: first\n      args:\n        GREETING: hello-from-args\n    command: [sleep, '30']\n");
    std::fs::create_dir_all(stack.path().join("app/cache")).unwrap();
    stack.write("app/keep.txt", "kept\n");
    stack.write("app/secret.key", "no\n");
    stack.write("app/cache/big.bin", "no\n");
    stack.write("app/.dockerignore", "*.key\ncache\n");
    stack.write(
        "app/Dockerfile",
        &format!("FROM {BUSYBOX} AS first\nARG GREETING\nCOPY . /ctx\nRUN echo \"$GREETING\" > /greeting\nFROM {BUSYBOX} AS second\nRUN touch /second-stage\n"),
    );
    stack.ok(&["build"]);
    let image = format!("{}-app", stack.name);
    let out = stack.run(&["build"]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.lines().any(|l| l.len() > 13 && l.as_bytes()[2] == b':' && l.contains(&format!("Image {image}  Built"))), "plain lines carry a time: {log}");
    let files = run_image(&image, &["find", "/ctx", "-type", "f"]);
    assert!(files.contains("/ctx/keep.txt"), "{files}");
    assert!(!files.contains("secret.key"), ".dockerignore not honoured: {files}");
    assert!(!files.contains("big.bin"), ".dockerignore not honoured: {files}");
    assert_eq!(run_image(&image, &["cat", "/greeting"]), "hello-from-args");
    assert_eq!(run_image(&image, &["sh", "-c", "test -e /second-stage && echo second || echo first"]), "first");
    stack.ok(&["build", "--no-cache", "--build-arg", "GREETING=from-the-flag"]);
    assert_eq!(run_image(&image, &["cat", "/greeting"]), "from-the-flag", "--build-arg overrides the file's args");
    stack.ok(&["down", "--rmi", "local", "-t", "1"]);
}

#[test]
fn up_build_recreates_only_changed_services() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let svc = |n: &str| format!("  {n}:\n    build: ./{n}\n    command: [sh, -c, \"trap 'exit 0' TERM; while true; do sleep 0.2 & wait $$!; done\"]\n");
    let stack = Stack::new("rebuild", &format!("services:\n{}{}", svc("a"), svc("b")));
    for n in ["a", "b"] {
        std::fs::create_dir_all(stack.path().join(n)).unwrap();
        stack.write(&format!("{n}/Dockerfile"), &format!("FROM {BUSYBOX}\nCOPY version /version\n"));
        // Distinct contents: identical builds could share (and swap) cache layers.
        stack.write(&format!("{n}/version"), &format!("{n}1\n"));
    }
    stack.ok(&["up", "-d"]);
    let before = stack.containers();
    assert_eq!(before.len(), 2);
    stack.ok(&["up", "-d", "--build"]);
    assert_eq!(stack.containers(), before, "an unchanged rebuild recreated containers");
    stack.write("a/version", "a2\n");
    stack.ok(&["up", "-d", "--build"]);
    let after = stack.containers();
    let a = format!("{}-a-1", stack.name);
    let b = format!("{}-b-1", stack.name);
    let id = |list: &[(String, String)], n: &str| list.iter().find(|(x, _)| x == n).map(|(_, i)| i.clone());
    assert_ne!(id(&before, &a), id(&after, &a), "a changed but was not recreated");
    assert_eq!(id(&before, &b), id(&after, &b), "b did not change but was recreated");
    assert_eq!(Stack::docker(&["exec", &a, "cat", "/version"]), "a2");
    stack.ok(&["down", "--rmi", "local", "-t", "1"]);
}

#[test]
fn a_failing_build_names_the_service_and_creates_nothing() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new("badbuild", "services:\n  app:\n    build: ./app\n");
    std::fs::create_dir_all(stack.path().join("app")).unwrap();
    stack.write("app/Dockerfile", &format!("FROM {BUSYBOX}\nRUN exit 7\n"));
    let out = stack.run(&["up", "-d"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("building service \"app\" failed"), "{err}");
    assert!(stack.containers().is_empty());
}
