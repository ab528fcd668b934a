//! `export` and `commit` against the engine: the tar holds a file written in
//! the container, the image exists, carries the flags and runs.

use std::process::Command;

use super::{engine_ready, Stack, BUSYBOX, LOOP};

fn stack(tag: &str) -> Stack {
    Stack::new(
        tag,
        &format!("services:\n  web:\n    image: {BUSYBOX}\n    command: [sh, -c, \"echo from-the-container > /marker.txt; {LOOP}\"]\n    deploy:\n      replicas: 2\n"),
    )
}

/// The content of `path` inside the tar at `tar`, if there.
fn entry(tar: &std::path::Path, path: &str) -> Option<String> {
    let out = Command::new("tar").args(["-xOf"]).arg(tar).arg(path).output().unwrap();
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn export_writes_the_container_file_system_as_a_tar() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = stack("export");
    s.ok(&["up", "-d"]);
    let marker = |n: u32| format!("{}-web-{n}", s.name);
    assert!(super::eventually(20, || Stack::docker(&["exec", &marker(2), "cat", "/marker.txt"]) == "from-the-container"));
    Stack::docker(&["exec", &marker(2), "sh", "-c", "echo second > /only-on-2"]);
    s.ok(&["export", "web", "-o", "web.tar"]);
    let tar = s.path().join("web.tar");
    assert_eq!(entry(&tar, "marker.txt").as_deref(), Some("from-the-container\n"));
    assert_eq!(entry(&tar, "only-on-2"), None, "replica 1 by default");
    assert!(entry(&tar, "bin/busybox").is_some(), "the image's files are there too");
    s.ok(&["export", "--index", "2", "web", "-o", "web2.tar"]);
    assert_eq!(entry(&s.path().join("web2.tar"), "only-on-2").as_deref(), Some("second\n"));
    // To stdout when redirected, byte for byte the same archive format.
    let out = s.run(&["export", "--index", "2", "web"]);
    assert!(out.status.success());
    std::fs::write(s.path().join("stdout.tar"), &out.stdout).unwrap();
    assert_eq!(entry(&s.path().join("stdout.tar"), "only-on-2").as_deref(), Some("second\n"));
    // A stopped container's file system is there too (v2 refuses it).
    s.ok(&["stop", "web"]);
    s.ok(&["export", "web", "-o", "stopped.tar"]);
    assert!(entry(&s.path().join("stopped.tar"), "marker.txt").is_some());
    // v2.40 exits 1 for a missing replica, an unknown service, a bad folder.
    for args in
        [&["export", "--index", "5", "web", "-o", "x.tar"][..], &["export", "nosuch", "-o", "x.tar"], &["export", "web", "-o", "/nonexistent-dir/x.tar"]]
    {
        assert_eq!(s.run(args).status.code(), Some(1), "{args:?}");
    }
    assert!(!s.path().join("x.tar").exists());
    let dry = s.ok(&["--dry-run", "export", "web", "-o", "dry.tar"]);
    assert!(dry.contains("dry.tar"), "{dry}");
    assert!(!s.path().join("dry.tar").exists());
}

#[test]
fn commit_makes_an_image_that_runs_with_the_changes_and_metadata() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = stack("commit");
    s.ok(&["up", "-d"]);
    let image = format!("{}-snap:t1", s.name);
    assert!(super::eventually(20, || Stack::docker(&["exec", &format!("{}-web-1", s.name), "cat", "/marker.txt"]) == "from-the-container"));
    let out = s.ok(&["commit", "-a", "Me <me@example.com>", "-m", "snapshot", "-c", "ENV FOO=bar", "-c", "LABEL x=y", "web", &image]);
    assert_eq!(out, "", "v2 prints nothing on stdout");
    let meta = Stack::docker(&["image", "inspect", &image, "--format", "{{.Author}}|{{.Comment}}|{{index .Config.Labels \"x\"}}"]);
    assert_eq!(meta, "Me <me@example.com>|snapshot|y");
    let ran = Stack::docker(&["run", "--rm", "--entrypoint", "sh", &image, "-c", "cat /marker.txt; echo $FOO"]);
    assert_eq!(ran, "from-the-container\nbar");
    // No tag: `latest`, as v2.
    let untagged = format!("{}-snap2", s.name);
    s.ok(&["commit", "--pause=false", "web", &untagged]);
    assert_eq!(Stack::docker(&["images", &untagged, "--format", "{{.Tag}}"]), "latest");
    // v2.40: a bad change is the engine's refusal, exit 1.
    let bad = s.run(&["commit", "-c", "BOGUS x", "web", &format!("{}-snap3", s.name)]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bogus is not a valid change command"), "{}", String::from_utf8_lossy(&bad.stderr));
    assert_eq!(s.run(&["commit", "nosuch"]).status.code(), Some(1));
    for i in [image, format!("{untagged}:latest")] {
        let _ = Command::new("docker").args(["rmi", "-f", &i]).output();
    }
}
