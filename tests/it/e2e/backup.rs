//! `backup` and `restore` against the engine: a PostgreSQL database of a
//! few hundred megabytes survives `backup` → `down -v` → `restore` row for
//! row, restores into another project beside the original, and a backup
//! or restore cut short leaves the services running and the data as it was.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use super::{engine_ready, eventually, Stack, BUSYBOX, LOOP, POSTGRES};

fn compose() -> String {
    format!(
        r#"services:
  db:
    image: {POSTGRES}
    environment: {{ POSTGRES_USER: app, POSTGRES_PASSWORD: secret, POSTGRES_DB: todo }}
    volumes: [db-data:/var/lib/postgresql/data]
    healthcheck: {{ test: [CMD, pg_isready, -U, app, -d, todo, -h, 127.0.0.1], interval: 1s, retries: 60 }}
  app:
    image: {BUSYBOX}
    command: [sh, -c, "{LOOP}"]
    depends_on: {{ db: {{ condition: service_healthy }} }}
    volumes: [files:/files]
volumes:
  db-data: {{}}
  files: {{}}
"#
    )
}

/// Row count and a digest of every row, in id order.
const DIGEST: &str = "select count(*) || ' ' || md5(string_agg(md5(t::text), '' order by id)) from t";

fn running(s: &Stack) -> Vec<String> {
    let filter = format!("label=com.docker.compose.project={}", s.name);
    let mut v: Vec<String> = Stack::docker(&["ps", "--filter", &filter, "--format", "{{.Names}}"]).lines().map(String::from).collect();
    v.sort();
    v
}

#[test]
fn a_database_survives_backup_down_v_and_restore_and_copies_into_another_project() {
    if !engine_ready(&[POSTGRES, BUSYBOX]) {
        return;
    }
    let s = Stack::new("backup", &compose());
    s.ok(&["up", "-d", "--wait"]);
    let db = format!("{}-db-1", s.name);
    // About 260 MB of rows.
    s.psql(&db, "create table t (id int primary key, v text); insert into t select g, repeat(md5(g::text), 6) from generate_series(1, 1000000) g");
    let size: i64 = s.psql(&db, "select pg_database_size('todo')").parse().unwrap();
    assert!(size > 200 << 20, "only {size} bytes of rows");
    Stack::docker(&["exec", &format!("{}-app-1", s.name), "sh", "-c", "echo kept > /files/a; mkdir /files/d; ln -s a /files/link"]);
    let before = s.psql(&db, DIGEST);

    s.ok(&["backup", "-o", "all.tar.zst"]);
    let archive = s.path().join("all.tar.zst");
    assert!(!s.path().join("all.tar.zst.partial").exists());
    let compressed = std::fs::metadata(&archive).unwrap().len();
    assert!(compressed < u64::try_from(size).unwrap() / 2, "{compressed} bytes for {size} of rows");
    assert_eq!(running(&s).len(), 2, "the services run again after the backup");
    let verified = s.ok(&["backup", "verify", "all.tar.zst"]);
    assert!(verified.contains("ok      db-data") && verified.contains("ok      files"), "{verified}");
    let ls: serde_json::Value = serde_json::from_str(&s.ok(&["backup", "ls", "--format", "json", "all.tar.zst"])).unwrap();
    assert_eq!(ls["header"]["project"], s.name.as_str());
    assert_eq!(ls["header"]["volumes"][0]["name"], format!("{}_db-data", s.name));
    assert_eq!(ls["header"]["volumes"][0]["services"][0], "db");
    assert!(ls["sums"]["volumes"]["db-data"]["bytes"].as_u64().unwrap() > 200 << 20);
    assert_eq!(ls["header"]["services"]["db"]["image"], POSTGRES);

    // A non-empty volume is not overwritten without --force.
    let refused = s.run(&["restore", "all.tar.zst"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already hold data"), "{}", String::from_utf8_lossy(&refused.stderr));

    s.ok(&["down", "-v"]);
    assert!(!Stack::volume_exists(&format!("{}_db-data", s.name)));
    s.ok(&["restore", "all.tar.zst"]);
    s.ok(&["up", "-d", "--wait"]);
    assert_eq!(s.psql(&db, DIGEST), before, "rows differ after restore");
    let files = Stack::docker(&["exec", &format!("{}-app-1", s.name), "sh", "-c", "cat /files/a; readlink /files/link; test -d /files/d && echo dir"]);
    assert_eq!(files, "kept\na\ndir");

    // A copy of the environment under another name, running beside it.
    let copy = Stack::new("backup-copy", &compose());
    copy.ok(&["restore", &archive.to_string_lossy()]);
    copy.ok(&["up", "-d", "--wait"]);
    assert_eq!(copy.psql(&format!("{}-db-1", copy.name), DIGEST), before);
    assert_eq!(running(&s).len() + running(&copy).len(), 4);

    // --force over a running, changed database: back to the backup's rows.
    s.psql(&db, "delete from t where id <= 1000");
    s.ok(&["restore", "--force", "all.tar.zst"]);
    assert!(eventually(60, || Command::new("docker")
        .args(["exec", &db, "pg_isready", "-U", "app", "-h", "127.0.0.1"])
        .output()
        .is_ok_and(|o| o.status.success())));
    assert_eq!(s.psql(&db, DIGEST), before);
    assert_eq!(running(&s).len(), 2);
}

fn busybox_compose() -> String {
    format!("services:\n  app:\n    image: {BUSYBOX}\n    command: [sh, -c, \"{LOOP}\"]\n    volumes: [data:/data]\nvolumes:\n  data: {{}}\n")
}

/// Starts `rcompose ARGS` and returns it once its progress shows `line`.
fn start_until(s: &Stack, args: &[&str], line: &str) -> Child {
    let mut full = vec!["-p", s.name.as_str(), "--progress", "plain"];
    full.extend_from_slice(args);
    let mut child = Command::new(env!("CARGO_BIN_EXE_rcompose")).current_dir(s.path()).args(&full).stderr(Stdio::piped()).spawn().unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut l = String::new();
        assert!(err.read_line(&mut l).unwrap() > 0, "rcompose {args:?} ended before `{line}`:\n{seen}");
        seen.push_str(&l);
        if l.contains(line) {
            break;
        }
    }
    // Keep draining so the child never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    child
}

fn signal(child: &Child, sig: &str) {
    assert!(Command::new("kill").args([sig, &child.id().to_string()]).status().unwrap().success());
}

fn blob_sum(s: &Stack) -> String {
    Stack::docker(&["exec", &format!("{}-app-1", s.name), "sh", "-c", "md5sum /data/blob; ls -A /data"])
}

#[test]
fn a_backup_cut_short_leaves_services_running_and_no_archive() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = Stack::new("backup-cut", &busybox_compose());
    s.ok(&["up", "-d"]);
    Stack::docker(&["exec", &format!("{}-app-1", s.name), "sh", "-c", "dd if=/dev/urandom of=/data/blob bs=1M count=400 2>/dev/null"]);
    // A dry run says what it would do and does none of it.
    let plan = s.ok(&["--dry-run", "backup", "-o", "cut.tar.zst"]);
    let app = format!("{}-app-1", s.name);
    let expected =
        [format!("stop     container {app}"), format!("copy     volume    {}_data  (into cut.tar.zst)", s.name), format!("start    container {app}")];
    assert!(expected.iter().all(|l| plan.contains(l.as_str())), "{plan}");
    assert!(!s.path().join("cut.tar.zst").exists() && !s.path().join("cut.tar.zst.partial").exists());
    assert_eq!(running(&s), std::slice::from_ref(&app));
    for sig in ["-TERM", "-KILL"] {
        let mut child = start_until(&s, &["backup", "-o", "cut.tar.zst"], "Copying");
        std::thread::sleep(std::time::Duration::from_millis(300));
        signal(&child, sig);
        let status = child.wait().unwrap();
        assert!(!status.success(), "{sig}: the backup finished before it was cut");
        assert!(!s.path().join("cut.tar.zst").exists(), "{sig}: a half archive under the final name");
        assert!(eventually(30, || running(&s) == [format!("{}-app-1", s.name)]), "{sig}: the service did not run again: {:?}", running(&s));
        assert!(eventually(30, || !s.path().join("cut.tar.zst.partial").exists()), "{sig}: the partial file stayed");
        let helpers = Stack::docker(&["ps", "-a", "--filter", &format!("name={}-volume-helper", s.name), "--format", "{{.Names}}"]);
        assert!(
            eventually(30, || Stack::docker(&["ps", "-a", "--filter", &format!("name={}-volume-helper", s.name), "-q"]).is_empty()),
            "{sig}: helpers left: {helpers}"
        );
    }
}

#[test]
fn a_restore_cut_short_leaves_the_old_data() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = Stack::new("restore-cut", &busybox_compose());
    s.ok(&["up", "-d"]);
    let app = format!("{}-app-1", s.name);
    Stack::docker(&["exec", &app, "sh", "-c", "dd if=/dev/urandom of=/data/blob bs=1M count=400 2>/dev/null"]);
    s.ok(&["backup", "-o", "full.tar.zst"]);
    Stack::docker(&["exec", &app, "sh", "-c", "dd if=/dev/urandom of=/data/blob bs=1M count=1 2>/dev/null; echo new > /data/other"]);
    let old = blob_sum(&s);
    for sig in ["-TERM", "-KILL"] {
        let mut child = start_until(&s, &["restore", "--force", "full.tar.zst"], "Copying");
        std::thread::sleep(std::time::Duration::from_millis(300));
        signal(&child, sig);
        assert!(!child.wait().unwrap().success(), "{sig}: the restore finished before it was cut");
        assert!(eventually(30, || running(&s) == [app.clone()]), "{sig}: the service did not run again");
        assert_eq!(blob_sum(&s), old, "{sig}: the old data changed");
    }
    // And a restore let run to the end replaces it.
    s.ok(&["restore", "--force", "full.tar.zst"]);
    let restored = blob_sum(&s);
    assert!(!restored.contains("other") && restored != old, "{restored}");
}
