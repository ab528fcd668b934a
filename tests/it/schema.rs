//! `schema/compose.schema.json`: generated from the model, kept fresh, and
//! accepting real compose files.

use std::path::{Path, PathBuf};

use crate::support::{fixtures, rcompose};

fn schema_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/compose.schema.json")
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    jsonschema::draft7::new(&schema).expect("our schema compiles")
}

fn compose_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root).into_iter().flatten().flatten() {
        for name in ["compose.yaml", "compose.yml"] {
            let p = dir.path().join(name);
            if p.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn committed_schema_is_fresh() {
    let out = rcompose(Path::new(env!("CARGO_MANIFEST_DIR")), &["schema"], &[]);
    assert!(out.status.success());
    let committed = std::fs::read_to_string(schema_path()).unwrap();
    assert!(
        committed == String::from_utf8(out.stdout).unwrap(),
        "schema/compose.schema.json is stale: run `cargo run -- schema -o schema/compose.schema.json`"
    );
}

#[test]
fn schema_accepts_real_files_and_refuses_unknown_keys() {
    let v = validator();
    let mut files = compose_files(&fixtures().join("awesome-compose"));
    files.extend(compose_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")));
    assert!(!files.is_empty());
    for f in &files {
        let doc: serde_json::Value = serde_yaml::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", f.display());
    }
    let bad: serde_json::Value = serde_yaml::from_str("services:\n  web:\n    imgae: nginx\n").unwrap();
    assert!(!v.is_valid(&bad));
    let ext: serde_json::Value = serde_yaml::from_str("x-top: 1\nservices:\n  web:\n    image: nginx\n    x-mine: {a: 1}\n").unwrap();
    assert!(v.is_valid(&ext));
}

/// Where ../shared exists: every attribute the compose specification defines
/// is in our schema too.
#[test]
fn schema_covers_the_compose_specification() {
    let spec_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/compose-spec/compose-spec.json");
    let Ok(text) = std::fs::read_to_string(&spec_path) else {
        eprintln!("SKIPPED: {} not found", spec_path.display());
        return;
    };
    let spec: serde_json::Value = serde_json::from_str(&text).unwrap();
    let ours: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> { v["properties"].as_object().map(|m| m.keys().cloned().collect()).unwrap_or_default() };
    let pairs = [
        ("service", "Service"),
        ("network", "Network"),
        ("volume", "Volume"),
        ("secret", "FileObject"),
        ("config", "FileObject"),
        ("healthcheck", "Healthcheck"),
        ("deployment", "Deploy"),
        ("development", "Develop"),
    ];
    let mut missing = Vec::new();
    for (theirs, mine) in pairs {
        let have = keys(&ours["definitions"][mine]);
        for k in keys(&spec["definitions"][theirs]) {
            if !have.contains(&k) {
                missing.push(format!("{theirs}.{k}"));
            }
        }
    }
    for k in keys(&spec) {
        if !keys(&ours).contains(&k) {
            missing.push(format!("top-level {k}"));
        }
    }
    assert!(missing.is_empty(), "attributes of the compose spec we do not model: {missing:?}");
}
