//! `scale` against the engine: replicas created and removed for the named
//! service only, dependencies started unless `--no-deps`, and v2's errors.

use super::{engine_ready, Stack, BUSYBOX, LOOP};

fn stack(tag: &str) -> Stack {
    Stack::new(
        tag,
        &format!(
            "services:\n  db:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n  web:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n  worker:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n    depends_on: [db]\n"
        ),
    )
}

/// `name state` of each of the project's containers, sorted.
fn states(s: &Stack) -> Vec<String> {
    let filter = format!("label=com.docker.compose.project={}", s.name);
    let mut v: Vec<String> = Stack::docker(&["ps", "-a", "--filter", &filter, "--format", "{{.Names}} {{.State}}"]).lines().map(str::to_string).collect();
    v.sort();
    v
}

#[test]
fn scale_adds_and_removes_replicas_of_the_named_services_only() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = stack("scale");
    s.ok(&["up", "-d", "web"]);
    let web_before = s.containers();
    s.ok(&["scale", "worker=3"]);
    let n = &s.name;
    let running = |names: &[&str]| names.iter().map(|c| format!("{n}-{c} running")).collect::<Vec<_>>();
    assert_eq!(states(&s), running(&["db-1", "web-1", "worker-1", "worker-2", "worker-3"]), "db came up as worker's dependency");
    s.ok(&["scale", "worker=1"]);
    assert_eq!(states(&s), running(&["db-1", "web-1", "worker-1"]));
    let web_id = |cs: &[(String, String)]| cs.iter().find(|(name, _)| name.ends_with("-web-1")).map(|(_, id)| id.clone());
    assert_eq!(web_id(&s.containers()), web_id(&web_before), "web was not recreated");
    s.ok(&["stop", "db"]);
    s.ok(&["scale", "--no-deps", "worker=2"]);
    let now = states(&s);
    assert!(now.contains(&format!("{n}-db-1 exited")), "--no-deps leaves db stopped: {now:?}");
    assert!(now.contains(&format!("{n}-worker-2 running")), "{now:?}");
    s.ok(&["scale", "worker=0"]);
    assert!(!states(&s).iter().any(|c| c.contains("-worker-")), "{:?}", states(&s));
    assert!(states(&s).contains(&format!("{n}-db-1 running")), "without --no-deps db is started again");
}

#[test]
fn scale_refuses_what_v2_refuses_with_exit_1() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = stack("scale-err");
    // v2.40: "no such service: nosuch", "invalid scale specifier: worker",
    // "invalid scale specifier: can't parse replica value as int: worker=x",
    // "requires at least 1 arg(s), only received 0", each with exit code 1.
    for (args, message) in [
        (&["scale", "nosuch=2"][..], "no such service: nosuch"),
        (&["scale", "worker"][..], "invalid scale specifier: worker"),
        (&["scale", "worker=x"][..], "invalid scale specifier: can't parse replica value as int: worker=x"),
        (&["scale"][..], "SERVICE=REPLICAS"),
    ] {
        let out = s.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
    }
    assert!(s.containers().is_empty());
}
