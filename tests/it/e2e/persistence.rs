//! The seeds' proof: a PostgreSQL volume keeps every row across `down` and
//! `up`; only `down -v` empties it.

use super::{engine_ready, Stack, POSTGRES};

fn compose() -> String {
    format!(
        r#"services:
  db:
    image: {POSTGRES}
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: secret
      POSTGRES_DB: todo
    volumes:
      - db-data:/var/lib/postgresql/data
    stop_grace_period: 20s
volumes:
  db-data:
"#
    )
}

fn wait_ready(stack: &Stack, container: &str) {
    let ok = super::eventually(90, || {
        std::process::Command::new("docker")
            .args(["exec", container, "pg_isready", "-U", "app", "-d", "todo", "-h", "127.0.0.1"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    assert!(ok, "database in {} never became ready", stack.name);
}

#[test]
fn rows_survive_down_and_up_until_down_v() {
    if !engine_ready(&[POSTGRES]) {
        return;
    }
    let stack = Stack::new("persist", &compose());
    let db = format!("{}-db-1", stack.name);
    let volume = format!("{}_db-data", stack.name);

    stack.ok(&["up", "-d"]);
    wait_ready(&stack, &db);
    stack.psql(&db, "CREATE TABLE todos (id serial PRIMARY KEY, title text NOT NULL)");
    stack.psql(&db, "INSERT INTO todos (title) SELECT 'todo ' || g FROM generate_series(1, 250) g");
    assert_eq!(stack.psql(&db, "SELECT count(*) FROM todos"), "250");
    let checksum = stack.psql(&db, "SELECT md5(string_agg(title, ',' ORDER BY id)) FROM todos");

    stack.ok(&["down"]);
    assert!(stack.containers().is_empty(), "down left containers: {:?}", stack.containers());
    assert!(Stack::volume_exists(&volume), "down removed the named volume");

    stack.ok(&["up", "-d"]);
    wait_ready(&stack, &db);
    assert_eq!(stack.psql(&db, "SELECT count(*) FROM todos"), "250");
    assert_eq!(stack.psql(&db, "SELECT md5(string_agg(title, ',' ORDER BY id)) FROM todos"), checksum);

    stack.ok(&["down", "-v"]);
    assert!(!Stack::volume_exists(&volume), "down -v kept the volume");

    stack.ok(&["up", "-d"]);
    wait_ready(&stack, &db);
    assert_eq!(stack.psql(&db, "SELECT count(*) FROM pg_tables WHERE tablename = 'todos'"), "0", "a fresh volume starts empty");
}

#[test]
fn export_down_v_import_up_keeps_every_row() {
    if !engine_ready(&[POSTGRES]) {
        return;
    }
    let stack = Stack::new("volrt", &compose());
    let db = format!("{}-db-1", stack.name);
    let volume = format!("{}_db-data", stack.name);
    stack.ok(&["up", "-d"]);
    wait_ready(&stack, &db);
    stack.psql(&db, "CREATE TABLE todos (id serial PRIMARY KEY, title text NOT NULL)");
    stack.psql(&db, "INSERT INTO todos (title) SELECT 'row ' || g FROM generate_series(1, 500) g");
    let checksum = stack.psql(&db, "SELECT md5(string_agg(title, ',' ORDER BY id)) FROM todos");

    // A running database is not imported into without --force.
    let dump = stack.path().join("db-data.tar");
    stack.ok(&["volume", "export", "db-data", "-o", dump.to_str().unwrap()]);
    let refused = stack.run(&["volume", "import", "db-data", dump.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is in use by running containers"), "{}", String::from_utf8_lossy(&refused.stderr));

    stack.ok(&["stop"]);
    stack.ok(&["volume", "export", "db-data", "-o", dump.to_str().unwrap()]);
    assert!(std::fs::metadata(&dump).unwrap().len() > 1_000_000, "export is too small to hold a database");
    stack.ok(&["volume", "clone", "db-data", "db-copy"]);
    assert!(Stack::volume_exists("db-copy"));
    stack.ok(&["down", "-v"]);
    assert!(!Stack::volume_exists(&volume));

    stack.ok(&["volume", "import", "db-data", dump.to_str().unwrap()]);
    stack.ok(&["up", "-d"]);
    wait_ready(&stack, &db);
    assert_eq!(stack.psql(&db, "SELECT count(*) FROM todos"), "500");
    assert_eq!(stack.psql(&db, "SELECT md5(string_agg(title, ',' ORDER BY id)) FROM todos"), checksum);
    Stack::docker(&["volume", "rm", "db-copy"]);
}
