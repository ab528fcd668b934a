//! A volume whose `driver_opts` or `name` changed in the file: plain `up`
//! keeps using the data and explains (a renamed one stops `up`), and
//! `up --migrate-volumes` / `volume migrate` move every row into a volume
//! made as the file asks while the old data stays in a volume of its own.

use std::process::Command;

use super::{engine_ready, eventually, Stack, POSTGRES};

fn compose(volume: &str) -> String {
    format!(
        r#"services:
  db:
    image: {POSTGRES}
    environment: {{ POSTGRES_USER: app, POSTGRES_PASSWORD: secret, POSTGRES_DB: todo }}
    volumes: [db-data:/var/lib/postgresql/data]
    healthcheck: {{ test: [CMD, pg_isready, -U, app, -d, todo, -h, 127.0.0.1], interval: 1s, retries: 60 }}
volumes:
  db-data:{volume}
"#
    )
}

const DIGEST: &str = "select count(*) || ' ' || md5(string_agg(v, ',' order by id)) from t";

/// Removes the volumes a migration kept (they are outside the project, so
/// the stack's own clean-up leaves them).
struct Kept(String);
impl Drop for Kept {
    fn drop(&mut self) {
        for v in Stack::docker(&["volume", "ls", "-q", "--filter", &format!("label=io.rcompose.migrated-from={}", self.0)]).lines() {
            let _ = Command::new("docker").args(["volume", "rm", "-f", v]).output();
        }
        let _ = Command::new("docker").args(["volume", "rm", "-f", &self.0]).output();
    }
}

#[test]
fn changed_driver_opts_keep_the_data_until_migrated_and_the_old_volume_stays() {
    if !engine_ready(&[POSTGRES]) {
        return;
    }
    let s = Stack::new("migrate", &compose(" {}"));
    let volume = format!("{}_db-data", s.name);
    let _kept = Kept(volume.clone());
    s.ok(&["up", "-d", "--wait"]);
    let db = format!("{}-db-1", s.name);
    s.psql(&db, "create table t (id int primary key, v text); insert into t select g, md5(g::text) from generate_series(1, 5000) g");
    let before = s.psql(&db, DIGEST);

    let disk = s.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    s.write("compose.yaml", &compose(&format!("\n    driver_opts: {{ type: none, o: bind, device: {} }}", disk.display())));
    let out = s.run(&["up", "-d", "--wait"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("it is used as it is") && err.contains("--migrate-volumes"), "{err}");
    assert_eq!(s.psql(&db, DIGEST), before, "plain up changed the data");
    assert_eq!(std::fs::read_dir(&disk).unwrap().count(), 0, "plain up wrote to the new place");

    let plan = s.ok(&["--dry-run", "up", "-d", "--migrate-volumes"]);
    assert!(plan.contains(&format!("copy     volume    {volume}")), "{plan}");
    let out = s.run(&["up", "-d", "--wait", "--migrate-volumes"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("was migrated") && err.contains("-premigration-"), "{err}");
    assert_eq!(s.psql(&db, DIGEST), before, "rows differ after the migration");
    assert!(disk.join("PG_VERSION").exists(), "the data is not in the new place");
    let kept = Stack::docker(&["volume", "ls", "-q", "--filter", &format!("label=io.rcompose.migrated-from={volume}")]);
    assert_eq!(kept.lines().count(), 1, "the old data is kept: {kept}");
    // The next `up` has nothing to migrate; `down -v` leaves the kept data.
    let again = s.run(&["up", "-d", "--wait"]);
    assert!(!String::from_utf8_lossy(&again.stderr).contains("it is used as it is"));
    s.ok(&["down", "-v"]);
    assert!(Stack::volume_exists(kept.trim()), "down -v removed the kept data");
}

#[test]
fn a_renamed_volume_stops_up_until_volume_migrate_copies_it() {
    if !engine_ready(&[POSTGRES]) {
        return;
    }
    let s = Stack::new("rename", &compose(" {}"));
    let old = format!("{}_db-data", s.name);
    let new = format!("{}-data-v2", s.name);
    let _kept = (Kept(old.clone()), Kept(new.clone()));
    s.ok(&["up", "-d", "--wait"]);
    let db = format!("{}-db-1", s.name);
    s.psql(&db, "create table t (id int primary key, v text); insert into t select g, md5(g::text) from generate_series(1, 3000) g");
    let before = s.psql(&db, DIGEST);
    s.write("compose.yaml", &compose(&format!("\n    name: {new}")));
    let out = s.run(&["up", "-d"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains(&format!("its data is in {old}")), "{err}");
    assert!(!Stack::volume_exists(&new), "a refused up created the new volume");
    s.ok(&["volume", "migrate"]);
    assert!(eventually(60, || Command::new("docker")
        .args(["exec", &db, "pg_isready", "-U", "app", "-h", "127.0.0.1"])
        .output()
        .is_ok_and(|o| o.status.success())));
    assert_eq!(s.psql(&db, DIGEST), before);
    let mounts = Stack::docker(&["inspect", &db, "--format", "{{range .Mounts}}{{.Name}}{{end}}"]);
    assert_eq!(mounts, new);
    assert!(Stack::volume_exists(&old), "the old volume is kept");
}
