//! Idempotence, recreation, anonymous volumes, orphans, scale, ps and ls.

use super::{engine_ready, Stack, BUSYBOX, LOOP};

fn compose(extra_env: &str) -> String {
    format!(
        r#"services:
  app:
    image: {BUSYBOX}
    command: ["sh", "-c", "{LOOP}"]
    environment:
      MODE: "{extra_env}"
    volumes:
      - /scratch
  side:
    image: {BUSYBOX}
    command: ["sh", "-c", "{LOOP}"]
    depends_on: [app]
"#
    )
}

#[test]
fn noop_up_keeps_containers_and_a_change_recreates_one_service_keeping_anonymous_data() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new("life", &compose("one"));
    stack.ok(&["up", "-d"]);
    let before = stack.containers();
    assert_eq!(before.len(), 2, "{before:?}");
    let app = format!("{}-app-1", stack.name);
    Stack::docker(&["exec", &app, "sh", "-c", "echo kept > /scratch/data"]);

    stack.ok(&["up", "-d"]);
    assert_eq!(stack.containers(), before, "a no-op up recreated something");

    stack.write("compose.yaml", &compose("two"));
    stack.ok(&["up", "-d"]);
    let after = stack.containers();
    let id = |list: &[(String, String)], name: &str| list.iter().find(|(n, _)| n == name).map(|(_, i)| i.clone());
    let side = format!("{}-side-1", stack.name);
    assert_ne!(id(&before, &app), id(&after, &app), "app was not recreated");
    assert_eq!(id(&before, &side), id(&after, &side), "side was recreated though unchanged");
    assert_eq!(Stack::docker(&["exec", &app, "cat", "/scratch/data"]), "kept", "anonymous volume data lost on recreate");
    assert_eq!(Stack::docker(&["exec", &app, "sh", "-c", "echo $MODE"]), "two");

    // The handed-over anonymous volume still goes with `down -v`.
    let anon = Stack::docker(&["inspect", "-f", "{{range .Mounts}}{{if eq .Destination \"/scratch\"}}{{.Name}}{{end}}{{end}}", &app]);
    assert_eq!(anon.len(), 64, "anonymous volume name: {anon}");
    stack.ok(&["down", "-v"]);
    assert!(!Stack::volume_exists(&anon), "down -v left the anonymous volume {anon}");
}

#[test]
fn orphans_warn_then_go_with_remove_orphans() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new("orphan", &compose("x"));
    stack.ok(&["up", "-d"]);
    stack.write("compose.yaml", compose("x").split("  side:").next().unwrap());
    let out = stack.run(&["up", "-d"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("orphan") && err.contains(&format!("{}-side-1", stack.name)), "{err}");
    assert_eq!(stack.containers().len(), 2);
    stack.ok(&["up", "-d", "--remove-orphans"]);
    let names: Vec<String> = stack.containers().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, vec![format!("{}-app-1", stack.name)]);
}

#[test]
fn scale_ps_and_ls() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new("scale", &compose("x"));
    stack.ok(&["up", "-d", "--scale", "side=3"]);
    assert_eq!(stack.containers().len(), 4);
    let ps = stack.ok(&["ps", "--format", "json"]);
    let rows: Vec<serde_json::Value> = ps.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r["State"] == "running"));
    assert_eq!(stack.ok(&["ps", "--services"]), "app\nside\n");
    let table = stack.ok(&["ps"]);
    assert!(table.starts_with("NAME"), "{table}");
    assert!(table.contains(&format!("{}-side-3", stack.name)));
    let ls = stack.ok(&["ls", "--format", "json"]);
    let projects: Vec<serde_json::Value> = serde_json::from_str(ls.trim()).unwrap();
    let mine = projects.iter().find(|p| p["Name"] == stack.name.as_str()).expect("project listed");
    assert_eq!(mine["Status"], "running(4)");
    let images: Vec<serde_json::Value> = serde_json::from_str(stack.ok(&["images", "--format", "json"]).trim()).unwrap();
    assert_eq!(images.len(), 4);
    assert!(images.iter().all(|i| i["Repository"] == "rcompose-test/busybox" && i["Tag"] == "latest"), "{images:?}");
    assert!(stack.ok(&["images"]).starts_with("CONTAINER"));
    stack.ok(&["up", "-d"]);
    assert_eq!(stack.containers().len(), 2, "scaling back down to the file's count");
}

#[test]
fn down_rmi_local_removes_only_the_projects_built_images() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new(
        "rmi",
        &format!("services:\n  web:\n    build: .\n    command: [sleep, '60']\n  other:\n    image: {BUSYBOX}\n    command: [sleep, '60']\n"),
    );
    // Stand in for a built image: the name compose gives it is PROJECT-SERVICE.
    let built = format!("{}-web", stack.name);
    Stack::docker(&["tag", BUSYBOX, &built]);
    stack.ok(&["up", "-d"]);
    assert_eq!(stack.containers().len(), 2);
    stack.ok(&["down", "--rmi", "local", "-t", "1"]);
    assert!(Stack::docker(&["image", "ls", "-q", &built]).is_empty(), "built image kept");
    assert!(!Stack::docker(&["image", "ls", "-q", BUSYBOX]).is_empty(), "a pulled image was removed");
}
