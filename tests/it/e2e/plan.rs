//! `plan` and `--dry-run`: what would change and why, with nothing changed.

use super::{engine_ready, Stack, BUSYBOX};

fn compose(mode: &str) -> String {
    format!("services:\n  app:\n    image: {BUSYBOX}\n    command: [sleep, '300']\n    environment: {{MODE: {mode}}}\n  side:\n    image: {BUSYBOX}\n    command: [sleep, '300']\n")
}

#[test]
fn plan_and_dry_run_explain_and_change_nothing() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let s = Stack::new("plan", &compose("a"));
    let dry = s.ok(&["--dry-run", "up", "-d"]);
    assert!(dry.contains(&format!("create   container {}-app-1  (missing)", s.name)), "{dry}");
    assert!(s.containers().is_empty(), "--dry-run created containers");
    s.ok(&["up", "-d"]);
    s.write("compose.yaml", &compose("b"));
    let json: serde_json::Value = serde_json::from_str(&s.ok(&["plan", "--format", "json"])).unwrap();
    let actions: Vec<(String, String)> =
        json["actions"].as_array().unwrap().iter().map(|a| (a["action"].as_str().unwrap().to_string(), a["reason"].as_str().unwrap().to_string())).collect();
    assert!(actions.contains(&("recreate".into(), "config changed".into())), "{actions:?}");
    assert!(actions.contains(&("keep".into(), "up to date".into())), "{actions:?}");
    let before = s.containers();
    let down = s.ok(&["--dry-run", "down", "-v"]);
    assert!(down.contains(&format!("remove   container {}-app-1", s.name)), "{down}");
    assert_eq!(s.containers(), before, "--dry-run down removed something");
}
