//! `ps` side by side with docker compose v2 on the same containers: every
//! field of `--format json` and the other listings must match.
//!
//! Nothing is masked. Labels, Mounts and Networks are compared as sets,
//! because v2 lists them in Go's random map order; the clock-bound texts
//! (`RunningFor`, `Status`) match once both commands run within the same
//! second, so a comparison is retried a few times before it fails.

use std::collections::BTreeSet;

use serde_json::Value;

use super::interop::{compose_v2, docker_compose};
use super::{engine_ready, eventually, Stack, BUSYBOX, LOOP};

fn stack() -> Stack {
    Stack::new(
        "psjson",
        &format!(
            r#"services:
  web:
    image: {BUSYBOX}
    command: [sh, -c, "{LOOP}"]
    ports: ["47814:80", "127.0.0.1:47811-47812:47811-47812", "47813:53/udp", "7000"]
    expose: ["6000"]
    volumes: ["data:/data", "./:/src:ro"]
    networks: [front, back]
    labels: {{com.example.b: "x,y", com.example.a: "1"}}
    healthcheck: {{test: ["CMD", "true"], interval: 1s}}
  job:
    image: {BUSYBOX}
    command: [sh, -c, "exit 2"]
    networks: [back]
volumes:
  data:
networks:
  front:
  back:
"#
        ),
    )
}

fn lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))).collect()
}

/// A comma-joined field whose order is Go's map order. Labels may hold
/// commas themselves, so the pieces are compared, not the pairs.
fn as_set(v: &Value) -> BTreeSet<String> {
    v.as_str().unwrap_or_default().split(',').map(str::to_string).collect()
}

/// The first difference between v2's rows and ours, if any.
fn difference(theirs: &[Value], ours: &[Value]) -> Option<String> {
    if theirs.len() != ours.len() {
        return Some(format!("{} rows from v2, {} from rcompose", theirs.len(), ours.len()));
    }
    for (t, o) in theirs.iter().zip(ours) {
        let (Some(tm), Some(om)) = (t.as_object(), o.as_object()) else { return Some("a row is not an object".into()) };
        let keys = |m: &serde_json::Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
        if keys(tm) != keys(om) {
            return Some(format!("fields differ:\n  v2:       {:?}\n  rcompose: {:?}", keys(tm), keys(om)));
        }
        for (key, tv) in tm {
            let ov = &om[key];
            let same = match key.as_str() {
                "Labels" | "Mounts" | "Networks" => as_set(tv) == as_set(ov),
                _ => tv == ov,
            };
            if !same {
                return Some(format!("{} differs in {key}:\n  v2:       {tv}\n  rcompose: {ov}", t["Name"]));
            }
        }
    }
    None
}

/// Runs both with `args` until they agree (at most five tries); returns
/// v2's output.
fn agree(stack: &Stack, args: &[&str], json: bool) -> String {
    let mut last = String::new();
    for _ in 0..5 {
        let ours = stack.run(args);
        let theirs = docker_compose(stack, args);
        assert!(theirs.status.success(), "docker compose {args:?}: {}", String::from_utf8_lossy(&theirs.stderr));
        assert!(ours.status.success(), "rcompose {args:?}: {}", String::from_utf8_lossy(&ours.stderr));
        let diff = match json {
            true => difference(&lines(&theirs.stdout), &lines(&ours.stdout)),
            false => (theirs.stdout != ours.stdout)
                .then(|| format!("v2:\n{}rcompose:\n{}", String::from_utf8_lossy(&theirs.stdout), String::from_utf8_lossy(&ours.stdout))),
        };
        match diff {
            None => return String::from_utf8_lossy(&theirs.stdout).into_owned(),
            Some(d) => last = d,
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    panic!("`ps {}` differs from docker compose v2's: {last}", args.join(" "));
}

#[test]
fn ps_prints_what_docker_compose_v2_prints() {
    if !engine_ready(&[BUSYBOX]) || !compose_v2() {
        return;
    }
    let stack = stack();
    stack.ok(&["up", "-d"]);
    let one_off = stack.run(&["run", "-T", "--no-deps", "job", "sh", "-c", "exit 3"]);
    assert_eq!(one_off.status.code(), Some(3), "{}", String::from_utf8_lossy(&one_off.stderr));
    let healthy = || String::from_utf8_lossy(&stack.run(&["ps", "--format", "{{.Health}}", "web"]).stdout).trim() == "healthy";
    assert!(eventually(30, healthy), "web never became healthy");

    let running = agree(&stack, &["ps", "--format", "json"], true);
    // v2 prints one object per line, and Publishers as objects.
    let web = lines(running.as_bytes());
    assert_eq!(web.len(), 1);
    assert_eq!(web[0]["Publishers"][0], serde_json::json!({"URL": "0.0.0.0", "TargetPort": 53, "PublishedPort": 47813, "Protocol": "udp"}));
    assert_eq!(web[0]["Health"], "healthy");
    let all = agree(&stack, &["ps", "-a", "--format", "json"], true);
    let exit_codes: Vec<i64> = lines(all.as_bytes()).iter().map(|r| r["ExitCode"].as_i64().unwrap()).collect();
    assert_eq!(exit_codes.len(), 3, "{all}");
    assert!(exit_codes.contains(&2) && exit_codes.contains(&3), "{all}");
    agree(&stack, &["ps", "--status", "exited", "--format", "json"], true);
    agree(&stack, &["ps", "--format", "json", "job"], true);
    agree(&stack, &["ps", "-a"], false);
    agree(&stack, &["ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Name}} {{.Command}} {{.ExitCode}} {{json .Publishers}}"], false);
    agree(&stack, &["ps", "--format", "table {{.Name}}\\t{{.State}}\\t{{.Ports}}"], false);
    agree(&stack, &["ps", "-q", "-a"], false);
    agree(&stack, &["ps", "--services", "-a"], false);
    agree(&stack, &["ps", "--services", "--status", "paused"], false);
    agree(&stack, &["ps", "--status", "paused", "--format", "json"], false);
}
