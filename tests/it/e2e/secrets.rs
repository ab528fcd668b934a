//! Secrets and configs as files: file, environment and content sources, with
//! their modes, and never in the container's environment or labels.

use std::process::Command;

use super::{engine_ready, Stack, BUSYBOX};

#[test]
fn secrets_and_configs_are_files_not_environment() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let compose = format!(
        r#"services:
  app:
    image: {BUSYBOX}
    command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 0.2 & wait $$!; done"]
    secrets:
      - db_password
      - source: api_token
        target: token
        mode: 0400
        uid: "65534"
    configs:
      - app_conf
secrets:
  db_password:
    file: ./db_password.txt
  api_token:
    environment: RCT_API_TOKEN
configs:
  app_conf:
    content: |
      listen = 8080
"#
    );
    let s = Stack::new("secrets", &compose);
    s.write("db_password.txt", "file-secret-4451\n");
    let out = Command::new(env!("CARGO_BIN_EXE_rcompose"))
        .current_dir(s.path())
        .env("RCT_API_TOKEN", "env-secret-9920")
        .args(["-p", &s.name, "--progress", "plain", "up", "-d"])
        .output()
        .unwrap();
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{printed}");
    let app = format!("{}-app-1", s.name);
    let sh = |cmd: &str| Stack::docker(&["exec", &app, "sh", "-c", cmd]);
    assert_eq!(sh("cat /run/secrets/db_password"), "file-secret-4451");
    assert_eq!(sh("cat /run/secrets/token"), "env-secret-9920");
    assert_eq!(sh("stat -c '%a %u' /run/secrets/token"), "400 65534");
    assert_eq!(sh("cat /app_conf"), "listen = 8080");
    let inspect = Stack::docker(&["inspect", &app]);
    assert!(!inspect.contains("env-secret-9920") && !inspect.contains("file-secret-4451"), "a secret is in the container's config");
    assert!(!printed.contains("env-secret-9920"), "a secret was printed");
    let config = Command::new(env!("CARGO_BIN_EXE_rcompose"))
        .current_dir(s.path())
        .env("RCT_API_TOKEN", "env-secret-9920")
        .args(["-p", &s.name, "config"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&config.stdout);
    assert!(text.contains("environment: RCT_API_TOKEN") && !text.contains("env-secret-9920"), "config shows the source, not the value: {text}");
}
