//! Real compose files (docker/awesome-compose, CC0): each loads, and
//! `rcompose config --format json` (and the YAML `config`, to the byte)
//! equals what docker compose v2 printed for
//! it (tests/fixtures/awesome-compose/*/expected.json, made by
//! scripts/gen-peer-fixtures.sh).

use std::path::Path;

use crate::support::{fixtures, rcompose};

/// Extra flags (`args`) and environment (`env`) of a fixture folder.
fn case_inputs(dir: &Path) -> (Vec<String>, Vec<(String, String)>) {
    let args = std::fs::read_to_string(dir.join("args")).map(|a| a.split_whitespace().map(str::to_string).collect()).unwrap_or_default();
    let env = std::fs::read_to_string(dir.join("env"))
        .map(|e| e.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect())
        .unwrap_or_default();
    (args, env)
}

/// Compares rcompose's `config` (JSON by value, YAML to the byte) with the
/// fixture's expected files; returns the differences.
fn compare(dir: &Path, base_args: &[String]) -> Vec<String> {
    let name = dir.file_name().unwrap().to_string_lossy().to_string();
    let (extra, env) = case_inputs(dir);
    let mut args: Vec<String> = base_args.to_vec();
    args.extend(extra);
    let env_refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let run = |more: &[&str]| {
        let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
        all.extend_from_slice(more);
        rcompose(dir, &all, &env_refs)
    };
    let dir_text = dir.to_str().unwrap();
    let mut failures = Vec::new();
    let json_out = run(&["config", "--format", "json"]);
    let Ok(expected) = std::fs::read_to_string(dir.join("expected.json")) else {
        if !json_out.status.success() {
            failures.push(format!("{name}: failed: {}", String::from_utf8_lossy(&json_out.stderr)));
        }
        return failures;
    };
    if !json_out.status.success() {
        return vec![format!("{name}: rcompose failed: {}", String::from_utf8_lossy(&json_out.stderr))];
    }
    let actual: serde_json::Value = serde_json::from_str(&String::from_utf8_lossy(&json_out.stdout).replace(dir_text, "@PROJECT_DIR@")).unwrap();
    let expected: serde_json::Value = serde_json::from_str(&expected).unwrap();
    if actual != expected {
        failures.push(format!(
            "{name}: JSON differs from docker compose v2\n--- expected\n{}\n--- actual\n{}",
            serde_json::to_string_pretty(&expected).unwrap(),
            serde_json::to_string_pretty(&actual).unwrap()
        ));
    }
    if let Ok(expected_yaml) = std::fs::read_to_string(dir.join("expected.yaml")) {
        let yaml = String::from_utf8_lossy(&run(&["config"]).stdout).replace(dir_text, "@PROJECT_DIR@");
        if yaml != expected_yaml {
            failures.push(format!("{name}: YAML differs from docker compose v2\n--- expected\n{expected_yaml}\n--- actual\n{yaml}"));
        }
    }
    failures
}

fn case_dirs(root: &Path) -> Vec<std::path::PathBuf> {
    let mut cases: Vec<_> = std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    cases
}

/// Loader features (interpolation, merging, extends, include, profiles, ...)
/// against docker compose v2's `config` for the same input.
#[test]
fn compose_features_match_docker_compose_v2() {
    let cases = case_dirs(&fixtures().join("compose-features"));
    assert!(cases.len() >= 9);
    let failures: Vec<String> = cases.iter().flat_map(|d| compare(d, &[])).collect();
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

fn compose_file(dir: &Path) -> Option<String> {
    ["compose.yaml", "compose.yml"].iter().find(|n| dir.join(n).is_file()).map(std::string::ToString::to_string)
}

#[test]
fn awesome_compose_matches_docker_compose_v2() {
    let root = fixtures().join("awesome-compose");
    let mut cases: Vec<_> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 39, "expected the 39 awesome-compose samples, found {}", cases.len());
    let mut failures = Vec::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let Some(file) = compose_file(dir) else { continue };
        let out = rcompose(dir, &["-f", &file, "config", "--format", "json"], &[]);
        let expected_path = dir.join("expected.json");
        if !expected_path.exists() {
            if !out.status.success() {
                failures.push(format!("{name}: failed: {}", String::from_utf8_lossy(&out.stderr)));
            }
            continue;
        }
        if !out.status.success() {
            failures.push(format!("{name}: rcompose failed: {}", String::from_utf8_lossy(&out.stderr)));
            continue;
        }
        let yaml_out = rcompose(dir, &["-f", &file, "config"], &[]);
        let yaml = String::from_utf8_lossy(&yaml_out.stdout).replace(dir.to_str().unwrap(), "@PROJECT_DIR@");
        if let Ok(expected_yaml) = std::fs::read_to_string(dir.join("expected.yaml")) {
            if yaml != expected_yaml {
                failures.push(format!("{name}: YAML differs from docker compose v2\n--- expected\n{expected_yaml}\n--- actual\n{yaml}"));
            }
        }
        let actual = String::from_utf8_lossy(&out.stdout).replace(dir.to_str().unwrap(), "@PROJECT_DIR@");
        let actual: serde_json::Value = serde_json::from_str(&actual).unwrap();
        let expected: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
        if actual != expected {
            failures.push(format!(
                "{name}: differs from docker compose v2\n--- expected\n{}\n--- actual\n{}",
                serde_json::to_string_pretty(&expected).unwrap(),
                serde_json::to_string_pretty(&actual).unwrap()
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} samples differ:\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}
