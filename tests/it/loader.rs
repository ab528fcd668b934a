//! The loader through its public entry point, one feature per test.

use crate::support::{load_dir, options, project};
use rcompose::load;

#[test]
fn default_file_and_override_are_merged() {
    let dir = project(&[
        ("compose.yaml", "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n"),
        ("compose.override.yaml", "services:\n  web:\n    ports: ['443:443']\n    environment: {DEBUG: '1'}\n"),
    ]);
    let p = load_dir(dir.path(), &[]).unwrap().project;
    let web = &p.services["web"];
    assert_eq!(web.ports.len(), 2);
    assert_eq!(web.environment["DEBUG"].as_deref(), Some("1"));
    assert_eq!(p.config_files.len(), 2);
}

#[test]
fn default_lookup_walks_up_to_parents() {
    let dir = project(&[("compose.yaml", "services:\n  web:\n    image: nginx\n"), ("sub/deeper/.keep", "")]);
    let p = load_dir(&dir.path().join("sub/deeper"), &[]).unwrap().project;
    assert!(p.services.contains_key("web"));
    assert_eq!(p.working_dir, dir.path());
}

#[test]
fn files_merge_in_order_with_compose_rules() {
    let dir = project(&[
        ("a.yaml", "services:\n  app:\n    image: a\n    command: [run, a]\n    volumes: ['data:/data', '/cache']\n    dns: [1.1.1.1]\nvolumes: {data: {}}\n"),
        ("b.yaml", "services:\n  app:\n    image: b\n    command: [run, b]\n    volumes: ['./local:/data']\n    dns: [8.8.8.8]\n"),
    ]);
    let mut opts = options(dir.path(), &[]);
    opts.files = vec!["a.yaml".into(), "b.yaml".into()];
    let p = load::load(&opts).unwrap().project;
    let app = &p.services["app"];
    assert_eq!(app.image.as_deref(), Some("b"));
    assert_eq!(app.command.as_ref().unwrap().0, vec!["run", "b"]);
    assert_eq!(app.volumes.len(), 2, "merged by target");
    assert_eq!(app.volumes[0].source.as_deref(), Some(dir.path().join("local").to_str().unwrap()));
    assert_eq!(app.dns.0, vec!["1.1.1.1", "8.8.8.8"]);
}

#[test]
fn compose_file_env_var_selects_files() {
    let dir = project(&[("one.yaml", "services:\n  a:\n    image: x\n"), ("two.yaml", "services:\n  b:\n    image: y\n")]);
    let p = load_dir(dir.path(), &[("COMPOSE_FILE", "one.yaml:two.yaml")]).unwrap().project;
    assert_eq!(p.services.keys().collect::<Vec<_>>(), vec!["a", "b"]);
}

#[test]
fn interpolation_uses_shell_over_dotenv() {
    let dir = project(&[
        ("compose.yaml", "services:\n  web:\n    image: \"nginx:${TAG:-latest}\"\n    environment:\n      FROM_ENV: $FROM_DOTENV\n      LITERAL: $$HOME\n      NESTED: ${MISSING:-${TAG}}\n"),
        (".env", "TAG=from-dotenv\nFROM_DOTENV=dotenv-value\n"),
    ]);
    let p = load_dir(dir.path(), &[("TAG", "from-shell")]).unwrap().project;
    let web = &p.services["web"];
    assert_eq!(web.image.as_deref(), Some("nginx:from-shell"));
    assert_eq!(web.environment["FROM_ENV"].as_deref(), Some("dotenv-value"));
    assert_eq!(web.environment["LITERAL"].as_deref(), Some("$HOME"));
    assert_eq!(web.environment["NESTED"].as_deref(), Some("from-shell"));
}

#[test]
fn env_file_flag_replaces_dotenv() {
    let dir = project(&[("compose.yaml", "services:\n  web:\n    image: \"nginx:${TAG}\"\n"), (".env", "TAG=dotenv\n"), ("ci.env", "TAG=ci\n")]);
    let mut opts = options(dir.path(), &[]);
    opts.env_files = vec!["ci.env".into()];
    assert_eq!(load::load(&opts).unwrap().project.services["web"].image.as_deref(), Some("nginx:ci"));
}

#[test]
fn unset_variable_warns_and_becomes_empty() {
    let dir = project(&[("compose.yaml", "services:\n  web:\n    image: \"nginx${SUFFIX}\"\n")]);
    let loaded = load_dir(dir.path(), &[]).unwrap();
    assert_eq!(loaded.project.services["web"].image.as_deref(), Some("nginx"));
    assert!(loaded.warnings.iter().any(|w| w.message.contains("\"SUFFIX\" variable is not set")));
}

#[test]
fn service_env_file_is_merged_under_environment() {
    let dir = project(&[
        ("compose.yaml", "services:\n  web:\n    image: nginx\n    env_file: web.env\n    environment:\n      B: from-yaml\n      FROM_SHELL:\n"),
        ("web.env", "A=from-file\nB=from-file\n"),
    ]);
    let p = load_dir(dir.path(), &[("FROM_SHELL", "shell")]).unwrap().project;
    let env = &p.services["web"].environment;
    assert_eq!(env["A"].as_deref(), Some("from-file"));
    assert_eq!(env["B"].as_deref(), Some("from-yaml"));
    assert_eq!(env["FROM_SHELL"].as_deref(), Some("shell"));
}

#[test]
fn extends_in_same_file_and_other_file() {
    let dir = project(&[
        (
            "compose.yaml",
            "services:\n  base:\n    image: busybox\n    environment: {A: '1'}\n  web:\n    extends: base\n    environment: {B: '2'}\n  remote:\n    extends:\n      file: common/base.yaml\n      service: shared\n",
        ),
        ("common/base.yaml", "services:\n  shared:\n    image: shared-image\n    volumes: ['./data:/data']\n"),
    ]);
    let p = load_dir(dir.path(), &[]).unwrap().project;
    let web = &p.services["web"];
    assert_eq!(web.image.as_deref(), Some("busybox"));
    assert_eq!(web.environment.len(), 2);
    let remote = &p.services["remote"];
    assert_eq!(remote.image.as_deref(), Some("shared-image"));
    // Paths in the other file resolve against that file's folder.
    assert_eq!(remote.volumes[0].source.as_deref(), Some(dir.path().join("common/data").to_str().unwrap()));
}

#[test]
fn include_adds_resources_with_their_own_paths() {
    let dir = project(&[
        ("compose.yaml", "include:\n  - db/compose.yaml\nservices:\n  web:\n    image: nginx\n    depends_on: [db]\n"),
        ("db/compose.yaml", "services:\n  db:\n    image: postgres\n    env_file: db.env\n    volumes: ['./init:/docker-entrypoint-initdb.d']\n"),
        ("db/db.env", "POSTGRES_PASSWORD=secret\n"),
    ]);
    let p = load_dir(dir.path(), &[]).unwrap().project;
    let db = &p.services["db"];
    assert_eq!(db.environment["POSTGRES_PASSWORD"].as_deref(), Some("secret"));
    assert_eq!(db.volumes[0].source.as_deref(), Some(dir.path().join("db/init").to_str().unwrap()));
}

#[test]
fn include_conflict_is_an_error() {
    let dir =
        project(&[("compose.yaml", "include: [other.yaml]\nservices:\n  db:\n    image: mine\n"), ("other.yaml", "services:\n  db:\n    image: theirs\n")]);
    let f = load_dir(dir.path(), &[]).unwrap_err();
    assert!(f.problems.0[0].message.contains("defined both here and in an included file"));
}

#[test]
fn profiles_enable_services() {
    let text = "services:\n  web:\n    image: nginx\n  debug:\n    image: busybox\n    profiles: [debug]\n";
    let dir = project(&[("compose.yaml", text)]);
    let p = load_dir(dir.path(), &[]).unwrap().project;
    assert_eq!(p.services.keys().collect::<Vec<_>>(), vec!["web"]);
    assert!(p.disabled_services.contains_key("debug"));
    let p = load_dir(dir.path(), &[("COMPOSE_PROFILES", "debug")]).unwrap().project;
    assert_eq!(p.services.len(), 2);
    let mut opts = options(dir.path(), &[]);
    opts.profiles = vec!["*".into()];
    assert_eq!(load::load(&opts).unwrap().project.services.len(), 2);
}

#[test]
fn anchors_merge_keys_and_extensions() {
    let text = "x-common: &common\n  restart: always\n  environment: {A: '1'}\nservices:\n  web:\n    <<: *common\n    image: nginx\n    x-note: hello\n";
    let dir = project(&[("compose.yaml", text)]);
    let p = load_dir(dir.path(), &[]).unwrap().project;
    assert_eq!(p.services["web"].restart, Some(rcompose::model::Restart::Always));
    assert_eq!(p.extensions["services.web"]["x-note"], serde_json::json!("hello"));
    assert!(p.extensions[""].contains_key("x-common"));
}

#[test]
fn reset_and_override_across_files() {
    let dir = project(&[
        ("compose.yaml", "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n    environment: {A: '1'}\n"),
        ("compose.override.yaml", "services:\n  web:\n    ports: !reset []\n    environment: !override {B: '2'}\n"),
    ]);
    let web = load_dir(dir.path(), &[]).unwrap().project.services["web"].clone();
    assert!(web.ports.is_empty());
    assert_eq!(web.environment.keys().collect::<Vec<_>>(), vec!["B"]);
}

#[test]
fn project_name_precedence_and_normalisation() {
    let dir = tempfile::Builder::new().prefix("My.Project_Dir").tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), "services:\n  web:\n    image: nginx\n").unwrap();
    let name = load_dir(dir.path(), &[]).unwrap().project.name;
    assert!(name.starts_with("myproject_dir"), "{name}");
    assert_eq!(load_dir(dir.path(), &[("COMPOSE_PROJECT_NAME", "fromenv")]).unwrap().project.name, "fromenv");
    let mut opts = options(dir.path(), &[("COMPOSE_PROJECT_NAME", "fromenv")]);
    opts.project_name = Some("fromflag".into());
    assert_eq!(load::load(&opts).unwrap().project.name, "fromflag");
    opts.project_name = Some("Bad Name".into());
    assert!(load::load(&opts).is_err());
    std::fs::write(dir.path().join("compose.yaml"), "name: fromfile\nservices:\n  web:\n    image: nginx\n").unwrap();
    assert_eq!(load_dir(dir.path(), &[]).unwrap().project.name, "fromfile");
}

#[test]
fn all_errors_are_collected_not_just_the_first() {
    let dir = project(&[("compose.yaml", "services:\n  a:\n    imgae: x\n  b:\n    image: y\n    init: maybe\n")]);
    let f = load_dir(dir.path(), &[]).unwrap_err();
    assert_eq!(f.problems.0.len(), 2, "{:?}", f.problems);
}

#[test]
fn multi_document_files_merge() {
    let dir = project(&[("compose.yaml", "services:\n  a:\n    image: x\n---\nservices:\n  b:\n    image: y\n")]);
    assert_eq!(load_dir(dir.path(), &[]).unwrap().project.services.len(), 2);
}

#[test]
fn every_top_level_resource_has_its_engine_name_after_loading() {
    let text = "name: demo
services:
  web:
    image: nginx
    networks: [front, ext]
    volumes: [data:/d, named:/n, shared:/s]
    secrets: [pw]
    configs: [conf]
networks:
  front: {}
  ext: {external: true}
volumes:
  data: {}
  named: {name: chosen}
  shared: {external: true, name: outside}
secrets:
  pw: {file: ./pw.txt}
configs:
  conf: {external: true}
";
    let dir = project(&[("compose.yaml", text), ("pw.txt", "x")]);
    let p = load_dir(dir.path(), &[]).unwrap().project;
    let networks: Vec<(&str, &str)> = p.networks.iter().map(|(k, n)| (k.as_str(), n.name())).collect();
    assert_eq!(networks, [("front", "demo_front"), ("ext", "ext")]);
    let volumes: Vec<(&str, &str)> = p.volumes.iter().map(|(k, v)| (k.as_str(), v.name())).collect();
    assert_eq!(volumes, [("data", "demo_data"), ("named", "chosen"), ("shared", "outside")]);
    assert_eq!((p.secrets["pw"].name(), p.configs["conf"].name()), ("demo_pw", "conf"));
}
