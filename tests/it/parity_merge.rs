//! Differences the differential harness (tests/it/differential) found, each
//! pinned with what `docker compose config --format json` (v2.40.3) printed
//! or refused for the same project.

use serde_json::{json, Value};

use crate::support::{project, rcompose};

/// Runs `rcompose -p p [ARGS] config --format json` on a project made of
/// `files`: the service `a` as JSON, or the error text.
fn service_a(files: &[(&str, &str)], args: &[&str]) -> Result<Value, String> {
    let dir = project(files);
    let mut all = vec!["-p", "p"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["config", "--format", "json"]);
    let out = rcompose(dir.path(), &all, &[]);
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    Ok(doc["services"]["a"].clone())
}

#[test]
fn lists_stay_unique_across_files_and_one_string_is_a_list() {
    let base = "services:
  a:
    image: busybox
    cap_add: [NET_ADMIN, SYS_PTRACE]
    dns: 8.8.8.8
    tmpfs: /run
    expose: ['3000', 3001]
    extra_hosts: ['db=10.0.0.2']
    ports: ['8080:80', '8080:80']
    networks: {front: {priority: 100}}
networks: {front: {}}
";
    let over = "services:
  a:
    cap_add: [NET_ADMIN]
    dns: [1.1.1.1, 8.8.8.8]
    tmpfs: [/run, /tmp]
    expose: ['3000']
    extra_hosts: {db: 10.0.0.2}
    networks: [front]
";
    let a = service_a(&[("compose.yaml", base), ("o.yaml", over)], &["-f", "compose.yaml", "-f", "o.yaml"]).unwrap();
    assert_eq!(a["cap_add"], json!(["NET_ADMIN", "SYS_PTRACE"]));
    assert_eq!(a["dns"], json!(["8.8.8.8", "1.1.1.1"]));
    assert_eq!(a["tmpfs"], json!(["/run", "/tmp"]));
    assert_eq!(a["expose"], json!(["3000", "3001"]));
    assert_eq!(a["extra_hosts"], json!(["db=10.0.0.2"]));
    assert_eq!(a["ports"], json!([{"mode": "ingress", "target": 80, "published": "8080", "protocol": "tcp"}]));
    // A null in a later file leaves the value before it.
    assert_eq!(a["networks"], json!({"front": {"priority": 100}}));
}

#[test]
fn repeated_security_opt_fails_even_across_files() {
    // v2: "services.a.security_opt items at 0 and 1 are equal".
    let base = "services:\n  a:\n    image: busybox\n    security_opt: [x]\n";
    let err =
        service_a(&[("compose.yaml", base), ("o.yaml", "services:\n  a:\n    security_opt: [x]\n")], &["-f", "compose.yaml", "-f", "o.yaml"]).unwrap_err();
    assert!(err.contains("security_opt items at 0 and 1 are equal"), "{err}");
    let err = service_a(&[("compose.yaml", "services:\n  a:\n    image: busybox\n    group_add: [wheel, wheel]\n")], &[]).unwrap_err();
    assert!(err.contains("group_add items at 0 and 1 are equal"), "{err}");
}

#[test]
fn plain_flags_print_only_when_true() {
    let a = service_a(
        &[
            ("compose.yaml", "services:\n  a:\n    image: busybox\n    read_only: false\n    privileged: false\n    tty: false\n    stdin_open: false\n    oom_kill_disable: false\n    init: false\n    build: {context: ., no_cache: false, pull: false, privileged: false}\n"),
            ("Dockerfile", "FROM busybox\n"),
        ],
        &[],
    )
    .unwrap();
    for key in ["read_only", "privileged", "tty", "stdin_open", "oom_kill_disable"] {
        assert!(a.get(key).is_none(), "{key}: {a}");
    }
    assert_eq!(a["init"], json!(false));
    assert_eq!(a["build"].as_object().unwrap().keys().collect::<Vec<_>>(), ["context", "dockerfile"]);
}

#[test]
fn service_limits_and_deploy_limits() {
    let with = |own: &str, deploy: &str| format!("services:\n  a:\n    image: busybox\n    {own}\n    deploy: {deploy}\n");
    // Equal values load; scale is printed as deploy.replicas too.
    let a = service_a(&[("compose.yaml", &with("mem_limit: 512m\n    scale: 2", "{replicas: 2, resources: {limits: {memory: 512M}}}"))], &[]).unwrap();
    assert_eq!(a["deploy"]["replicas"], json!(2));
    assert_eq!(a["mem_limit"], json!("536870912"));
    let a = service_a(&[("compose.yaml", &with("scale: 3", "{resources: {limits: {memory: 1g}}}"))], &[]).unwrap();
    assert_eq!(a["deploy"]["replicas"], json!(3));
    // Distinct values fail, as in v2.
    for (own, deploy, words) in [
        ("mem_limit: 1g", "{resources: {limits: {memory: 2g}}}", "'mem_limit' and 'deploy.resources.limits.memory'"),
        ("cpus: 0.5", "{resources: {limits: {cpus: '1'}}}", "'cpus' and 'deploy.resources.limits.cpus'"),
        ("pids_limit: 5", "{resources: {limits: {pids: 6}}}", "'pids_limit' and 'deploy.resources.limits.pids'"),
        ("mem_reservation: 1g", "{resources: {reservations: {memory: 2g}}}", "'mem_reservation' and 'deploy.resources.reservations.memory'"),
        ("scale: 2", "{replicas: 3}", "'scale' and 'deploy.replicas'"),
    ] {
        let err = service_a(&[("compose.yaml", &with(own, deploy))], &[]).unwrap_err();
        assert!(err.contains(&format!("can't set distinct values on {words}")), "{own}: {err}");
    }
    // v2 also refuses a limit the deploy block does not set ("can't set
    // distinct values on 'cpus' ..."); rcompose loads it (README table).
    let a = service_a(&[("compose.yaml", &with("cpus: 0.5", "{resources: {limits: {memory: 1g}}}"))], &[]).unwrap();
    assert_eq!(a["cpus"], json!(0.5));
    assert!(a["deploy"]["resources"]["limits"].get("cpus").is_none());
}

#[test]
fn include_sees_the_including_projects_variables_and_may_repeat_a_resource() {
    let inc = "services:\n  inc:\n    image: 'busybox:${TAG:-none}'\n    networks: [back]\nnetworks:\n  back:\n    driver: bridge\n";
    let main = "include: [inc/compose.yaml]\nservices:\n  a:\n    image: busybox\n    networks: [back]\nnetworks:\n  back:\n    driver: bridge\n";
    let dir = project(&[("compose.yaml", main), ("inc/compose.yaml", inc), (".env", "TAG=1.26\n")]);
    let out = rcompose(dir.path(), &["-p", "p", "config", "--format", "json"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["services"]["inc"]["image"], json!("busybox:1.26"));
    assert_eq!(doc["networks"]["back"], json!({"name": "p_back", "driver": "bridge", "ipam": {}}));
}

#[test]
fn a_required_dependency_on_a_disabled_service_fails() {
    // v2: service "web" depends on undefined service "db".
    let text = "services:\n  a:\n    image: busybox\n    depends_on: [db]\n  db:\n    image: busybox\n    profiles: [debug]\n";
    let err = service_a(&[("compose.yaml", text)], &[]).unwrap_err();
    assert!(err.contains("depends on service `db`, which its profiles disable"), "{err}");
    assert!(service_a(&[("compose.yaml", text)], &["--profile", "debug"]).is_ok());
    let optional = text.replace("depends_on: [db]", "depends_on: {db: {condition: service_started, required: false}}");
    assert!(service_a(&[("compose.yaml", &optional)], &[]).is_ok());
}

#[test]
fn extra_hosts_spelled_two_ways_count_once() {
    // v2 compares the entries as written, so `db:10.0.0.2` and a mapping
    // `db: 10.0.0.2` both stay: it prints ["db=10.0.0.2", "db=10.0.0.2"].
    let base = "services:\n  a:\n    image: busybox\n    extra_hosts: ['db:10.0.0.2']\n";
    let over = "services:\n  a:\n    extra_hosts: {db: 10.0.0.2}\n";
    let a = service_a(&[("compose.yaml", base), ("o.yaml", over)], &["-f", "compose.yaml", "-f", "o.yaml"]).unwrap();
    assert_eq!(a["extra_hosts"], json!(["db=10.0.0.2"]));
}

#[test]
fn an_identical_environment_secret_in_an_include_is_no_conflict() {
    // v2 fails with "secrets.s conflicts with imported resource" when APP_ENV
    // is set (it compares the included secret after reading the variable).
    let inc = "services:\n  inc:\n    image: busybox\n    secrets: [s]\nsecrets:\n  s:\n    environment: APP_ENV\n";
    let main = "include: [inc/compose.yaml]\nservices:\n  a:\n    image: busybox\n    secrets: [s]\nsecrets:\n  s:\n    environment: APP_ENV\n";
    let dir = project(&[("compose.yaml", main), ("inc/compose.yaml", inc)]);
    let out = rcompose(dir.path(), &["-p", "p", "config", "--format", "json"], &[("APP_ENV", "x")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["secrets"]["s"]["environment"], json!("APP_ENV"));
}
