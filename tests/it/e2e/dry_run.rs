//! Golden tests of `--dry-run` for every changing command: each prints its
//! steps through the one renderer, exactly as below, and changes nothing on
//! the engine.

use super::{engine_ready, Stack, BUSYBOX};

fn compose() -> String {
    format!(
        "services:
  db:
    image: {BUSYBOX}
    command: [sleep, '300']
    volumes: [data:/data]
  app:
    image: {BUSYBOX}
    command: [sleep, '300']
    depends_on: [db]
  tool:
    build: .
    profiles: [tools]
volumes:
  data: {{}}
"
    )
}

/// What the engine holds for the project: containers with their states,
/// and whether its volume exists.
fn snapshot(s: &Stack) -> (Vec<(String, String)>, bool) {
    (s.containers(), Stack::volume_exists(&format!("{}_data", s.name)))
}

#[test]
fn every_changing_command_prints_its_steps_and_changes_nothing() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = Stack::new("dry", &compose());
    let p = s.name.clone();
    assert_eq!(
        s.ok(&["--dry-run", "up", "-d"]),
        format!(
            "create   network   {p}_default  (missing)\ncreate   volume    {p}_data  (missing)\ncreate   container {p}-db-1  (missing)\ncreate   container {p}-app-1  (missing)\n"
        )
    );
    assert_eq!(snapshot(&s), (Vec::new(), false), "up --dry-run made something");
    s.ok(&["up", "-d"]);
    s.ok(&["volume", "export", "data", "-o", "backup.tar"]);
    let before = snapshot(&s);
    let (db, app) = (format!("{p}-db-1"), format!("{p}-app-1"));
    let golden: Vec<(Vec<&str>, String)> = vec![
        (vec!["stop"], format!("stop     container {app}\nstop     container {db}\n")),
        // Running already: nothing to start, nothing to unpause.
        (vec!["start"], String::new()),
        (vec!["restart", "db"], format!("restart  container {db}\n")),
        (vec!["kill"], format!("kill     container {app}\nkill     container {db}\n")),
        (vec!["pause", "app"], format!("pause    container {app}\n")),
        (vec!["unpause", "app"], String::new()),
        (vec!["restart"], format!("restart  container {db}\nrestart  container {app}\n")),
        (vec!["create"], format!("keep     container {db}  (up to date)\nkeep     container {app}  (up to date)\n")),
        (vec!["volume", "export", "data", "-o", "out.tar"], format!("copy     volume    {p}_data  (to out.tar)\n")),
        (vec!["rm", "-f", "-s"], format!("remove   container {app}\nremove   container {db}\n")),
        (vec!["pull", "db"], format!("pull     image     {BUSYBOX}\n")),
        (vec!["--profile", "tools", "build"], format!("build    image     {p}-tool\n")),
        (vec!["run", "--rm", "--no-deps", "app", "echo", "hi"], "run      one-off   app  (echo hi, removed after)\n".to_string()),
        (vec!["exec", "app", "echo", "hi"], format!("exec     container {app}  (echo hi)\n")),
        (vec!["cp", "app:/etc/hostname", "copy"], format!("copy     file      {app}:/etc/hostname  (to copy)\n")),
        (vec!["volume", "import", "--force", "data", "backup.tar"], format!("write    volume    {p}_data  (from backup.tar)\n")),
        (vec!["volume", "clone", "data", "copy"], format!("create   volume    copy  (missing)\ncopy     volume    {p}_data  (into copy)\n")),
        (vec!["down", "-v"], format!("remove   container {app}\nremove   container {db}\nremove   network   {p}_default\nremove   volume    {p}_data  (-v)\n")),
    ];
    for (args, expected) in golden {
        let (globals, rest): (Vec<&str>, Vec<&str>) =
            if args[0] == "--profile" { (args[..2].to_vec(), args[2..].to_vec()) } else { (Vec::new(), args.clone()) };
        let mut full = globals;
        full.push("--dry-run");
        full.extend(rest);
        assert_eq!(s.ok(&full), expected, "rcompose {full:?}");
        assert_eq!(snapshot(&s), before, "rcompose {full:?} changed something");
    }
    assert!(!Stack::volume_exists("copy"), "volume clone --dry-run created the target");
    assert!(!s.path().join("copy").exists(), "cp --dry-run wrote a file");
    assert!(!s.path().join("out.tar").exists(), "volume export --dry-run wrote a file");
}

#[test]
fn volume_import_dry_run_writes_nothing_into_the_volume() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = Stack::new("dryimp", &compose());
    s.ok(&["up", "-d", "db"]);
    let db = format!("{}-db-1", s.name);
    Stack::docker(&["exec", &db, "sh", "-c", "echo original > /data/marker"]);
    let tar = s.path().join("backup.tar");
    s.ok(&["volume", "export", "data", "-o", tar.to_str().unwrap()]);
    Stack::docker(&["exec", &db, "sh", "-c", "echo changed > /data/marker"]);
    s.ok(&["stop"]);
    let out = s.ok(&["--dry-run", "volume", "import", "data", tar.to_str().unwrap()]);
    assert!(out.starts_with("write    volume"), "{out}");
    s.ok(&["start"]);
    assert_eq!(Stack::docker(&["exec", &db, "cat", "/data/marker"]), "changed", "the dry run restored the archive");
    // The same import for real does restore it: the test can tell.
    s.ok(&["stop"]);
    s.ok(&["volume", "import", "data", tar.to_str().unwrap()]);
    s.ok(&["start"]);
    assert_eq!(Stack::docker(&["exec", &db, "cat", "/data/marker"]), "original");
}
