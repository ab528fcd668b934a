//! The binary: flags, environment variables, output formats, exit codes.

use crate::support::{project, rcompose};

const STACK: &str = "services:\n  web:\n    image: nginx\n    depends_on: [db]\n    profiles: [web]\n  db:\n    image: postgres\n    volumes: ['data:/var/lib/postgresql/data']\nvolumes:\n  data:\n";

fn stdout(o: &std::process::Output) -> String {
    assert!(o.status.success(), "failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn config_lists() {
    let dir = project(&[("compose.yaml", STACK)]);
    assert_eq!(stdout(&rcompose(dir.path(), &["config", "--services"], &[])), "db\n");
    assert_eq!(stdout(&rcompose(dir.path(), &["--profile", "web", "config", "--services"], &[])), "web\ndb\n");
    assert_eq!(stdout(&rcompose(dir.path(), &["config", "--volumes"], &[])), "data\n");
    assert_eq!(stdout(&rcompose(dir.path(), &["config", "--profiles"], &[])), "web\n");
    assert_eq!(stdout(&rcompose(dir.path(), &["config", "--images"], &[])), "postgres\n");
    assert_eq!(stdout(&rcompose(dir.path(), &["config", "-q"], &[])), "");
}

#[test]
fn config_json_and_yaml_agree() {
    let dir = project(&[("compose.yaml", STACK)]);
    let mut json: serde_json::Value = serde_json::from_str(&stdout(&rcompose(dir.path(), &["-p", "demo", "config", "--format", "json"], &[]))).unwrap();
    // JSON shows null command/entrypoint; YAML leaves them out, as docker compose does.
    for svc in json["services"].as_object_mut().unwrap().values_mut() {
        let m = svc.as_object_mut().unwrap();
        assert!(m.remove("command").unwrap().is_null());
        assert!(m.remove("entrypoint").unwrap().is_null());
    }
    // And Go's YAML writer omits the empty `ipam` struct.
    assert_eq!(json["networks"]["default"].as_object_mut().unwrap().remove("ipam"), Some(serde_json::json!({})));
    let yaml: serde_json::Value = serde_yaml::from_str(&stdout(&rcompose(dir.path(), &["-p", "demo", "config"], &[]))).unwrap();
    assert_eq!(json, yaml);
    assert_eq!(json["name"], "demo");
    assert_eq!(json["volumes"]["data"]["name"], "demo_data");
}

#[test]
fn project_name_from_env_and_file_flag() {
    let dir = project(&[("stack.yml", STACK)]);
    let out = stdout(&rcompose(dir.path(), &["-f", "stack.yml", "config", "--format", "json"], &[("COMPOSE_PROJECT_NAME", "envname")]));
    assert!(out.contains("\"name\": \"envname\""), "{out}");
}

#[test]
fn bad_file_exits_non_zero_with_location() {
    let dir = project(&[("compose.yaml", "services:\n  web:\n    imgae: nginx\n")]);
    let out = rcompose(dir.path(), &["config"], &[]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("compose.yaml:3:5"), "{err}");
    assert!(err.contains("did you mean `image`"), "{err}");
}

#[test]
fn missing_file_is_a_clear_error() {
    let dir = project(&[]);
    let out = rcompose(dir.path(), &["config"], &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no configuration file provided"));
}

#[test]
fn graph_and_completions() {
    let dir = project(&[("compose.yaml", STACK)]);
    let dot = stdout(&rcompose(dir.path(), &["--profile", "web", "graph"], &[]));
    assert!(dot.contains("\"web\" -> \"db\" [label=\"started\"];"), "{dot}");
    let mermaid = stdout(&rcompose(dir.path(), &["--profile", "web", "graph", "--format", "mermaid"], &[]));
    assert!(mermaid.starts_with("flowchart LR"), "{mermaid}");
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout(&rcompose(dir.path(), &["completion", shell], &[]));
        assert!(script.contains("rcompose") && script.contains("up"), "{shell}");
    }
}

#[test]
fn every_command_has_help() {
    let dir = project(&[]);
    let top = stdout(&rcompose(dir.path(), &["--help"], &[]));
    for cmd in [
        "config", "up", "down", "ps", "ls", "logs", "exec", "run", "build", "pull", "images", "plan", "graph", "create", "start", "stop", "restart", "kill",
        "rm", "pause", "unpause", "wait", "port", "top", "events", "cp",
    ] {
        assert!(top.contains(cmd), "{cmd} missing from --help");
        let help = stdout(&rcompose(dir.path(), &[cmd, "--help"], &[]));
        assert!(help.contains("Usage: rcompose"), "{cmd} --help: {help}");
        if ["config", "up", "down", "ps", "logs", "exec", "run", "build", "plan"].contains(&cmd) {
            assert!(help.contains("Examples:\n  rcompose"), "{cmd} --help has no examples: {help}");
        }
    }
}

#[test]
fn dot_env_comes_from_the_folder_of_the_compose_file_in_compose_dialect() {
    let dir = project(&[
        ("sub/compose.yaml", "services:\n  a:\n    image: ${IMG}\n    environment:\n      G: ${GREETING}\n      D: ${DEF}\n"),
        ("sub/.env", "IMG=from-sub\nGREETING=Env File\nDEF=${MISSING:-fallback}\n"),
        (".env", "IMG=from-cwd\n"),
    ]);
    let out = rcompose(dir.path(), &["-f", "sub/compose.yaml", "config", "--format", "json"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["services"]["a"]["image"], "from-sub", "docker compose v2 reads .env beside the -f file");
    assert_eq!(v["services"]["a"]["environment"]["G"], "Env File");
    assert_eq!(v["services"]["a"]["environment"]["D"], "fallback");
}

#[test]
fn version_in_v2s_shapes_with_rcomposes_own_number() {
    let dir = project(&[]);
    let v = env!("CARGO_PKG_VERSION");
    assert_eq!(stdout(&rcompose(dir.path(), &["version"], &[])), format!("rcompose version {v}\n"));
    assert_eq!(stdout(&rcompose(dir.path(), &["version", "--short"], &[])), format!("{v}\n"));
    // v2.40: {"version":"v2.40.3"}
    let json: serde_json::Value = serde_json::from_str(&stdout(&rcompose(dir.path(), &["version", "--format", "json"], &[]))).unwrap();
    assert_eq!(json, serde_json::json!({ "version": format!("v{v}") }));
    assert_eq!(stdout(&rcompose(dir.path(), &["version", "-f", "json", "--short"], &[])), format!("{v}\n"));
}
