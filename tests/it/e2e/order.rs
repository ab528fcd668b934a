//! Start order follows the dependency graph, `service_healthy` waits for
//! health, and independent services start at the same time.

use super::{engine_ready, Stack, BUSYBOX, LOOP};

/// Seconds since the epoch from an RFC 3339 timestamp such as
/// `2026-11-23T05:20:01.123456789Z`.
fn epoch(ts: &str) -> f64 {
    let (date, time) = ts.trim().split_once('T').expect("timestamp");
    let mut d = date.split('-').map(|p| p.parse::<i64>().unwrap());
    let (y, m, day) = (d.next().unwrap(), d.next().unwrap(), d.next().unwrap());
    let (y2, m2) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * m2 + 2) / 5 + day - 1;
    let days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    let time = time.trim_end_matches('Z');
    let mut t = time.split(':');
    let (h, mi, s) = (t.next().unwrap().parse::<f64>().unwrap(), t.next().unwrap().parse::<f64>().unwrap(), t.next().unwrap().parse::<f64>().unwrap());
    days as f64 * 86400.0 + h * 3600.0 + mi * 60.0 + s
}

fn started_at(container: &str) -> f64 {
    epoch(&Stack::docker(&["inspect", "-f", "{{.State.StartedAt}}", container]))
}

fn compose() -> String {
    let svc = |deps: &str| format!("    image: {BUSYBOX}\n    command: [\"sh\", \"-c\", \"{LOOP}\"]\n{deps}");
    format!(
        r#"services:
  db:
    image: {BUSYBOX}
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 2; touch /tmp/ready; while true; do sleep 0.2 & wait $$!; done"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 500ms
      timeout: 2s
      retries: 30
  cache:
{cache}
  api:
{api}
  worker:
{worker}
  web:
{web}
  proxy:
{proxy}
"#,
        cache = svc(""),
        api = svc("    depends_on:\n      db:\n        condition: service_healthy\n      cache:\n        condition: service_started\n"),
        worker = svc("    depends_on:\n      db:\n        condition: service_healthy\n"),
        web = svc("    depends_on: [api]\n"),
        proxy = svc("    depends_on: [web, worker]\n"),
    )
}

#[test]
fn dag_starts_in_dependency_order_with_health_and_concurrency() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new("order", &compose());
    stack.ok(&["up", "-d"]);
    let c = |s: &str| format!("{}-{s}-1", stack.name);
    let t = |s: &str| started_at(&c(s));
    let (db, cache, api, worker, web, proxy) = (t("db"), t("cache"), t("api"), t("worker"), t("web"), t("proxy"));

    // Edges: dependents start after their dependencies.
    for (dependent, dependency, name) in [(api, cache, "api>cache"), (web, api, "web>api"), (proxy, web, "proxy>web"), (proxy, worker, "proxy>worker")] {
        assert!(dependent >= dependency, "{name}: {dependent} < {dependency}");
    }
    // service_healthy: db needs 2 s before its health check can pass.
    assert!(api >= db + 1.9, "api started {:.2}s after db, before db could be healthy", api - db);
    assert!(worker >= db + 1.9, "worker started {:.2}s after db", worker - db);
    // Independent services start together: db and cache, then api and worker.
    assert!((db - cache).abs() < 1.5, "db and cache started {:.2}s apart", (db - cache).abs());
    assert!((api - worker).abs() < 1.5, "api and worker started {:.2}s apart", (api - worker).abs());
    let health = Stack::docker(&["inspect", "-f", "{{.State.Health.Status}}", &c("db")]);
    assert_eq!(health, "healthy");
}

#[test]
fn timestamps_parse() {
    assert_eq!(epoch("1970-01-02T00:00:01.5Z"), 86401.5);
    assert!(epoch("2026-11-23T05:20:01.123456789Z") > 1.7e9);
}

/// `down` stops dependents before their dependencies, along each chain
/// (each service writes its name to a shared log when SIGTERM reaches it).
#[test]
fn down_stops_dependents_before_their_dependencies() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let svc = |name: &str, dep: Option<&str>| {
        let deps = dep.map(|d| format!("    depends_on: [{d}]\n")).unwrap_or_default();
        format!(
            "  {name}:\n    image: {BUSYBOX}\n    command: [sh, -c, \"trap 'echo {name} >> /log/order; exit 0' TERM; while true; do sleep 0.2 & wait $$!; done\"]\n    volumes: ['./log:/log']\n{deps}"
        )
    };
    let compose = format!("services:\n{}{}{}{}", svc("db", None), svc("app", Some("db")), svc("web", Some("app")), svc("side", None));
    let s = Stack::new("downorder", &compose);
    std::fs::create_dir_all(s.path().join("log")).unwrap();
    s.ok(&["up", "-d"]);
    s.ok(&["down", "-t", "5"]);
    let order = std::fs::read_to_string(s.path().join("log/order")).unwrap();
    let chain: Vec<&str> = order.lines().filter(|l| *l != "side").collect();
    assert_eq!(chain, vec!["web", "app", "db"], "stop order:\n{order}");
    assert!(order.lines().any(|l| l == "side"), "{order}");
    assert!(s.containers().is_empty());
}

/// Containers that ignore SIGTERM all get it before any grace period ends:
/// `down` bounds how many shutdowns run at once, and one waiting out its
/// grace period must not hold a place (or 20 of them would be stopped in
/// turns, each turn a whole grace period). Checked on the engine's own
/// `kill` events: every SIGTERM comes before the first SIGKILL.
#[test]
fn down_asks_every_container_to_stop_before_any_grace_period_ends() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    // `sleep` as PID 1 has no handler, so SIGTERM does nothing to it.
    let services: String = (0..20).map(|i| format!("  s{i:02}:\n    image: {BUSYBOX}\n    command: [sleep, '600']\n    stop_grace_period: 3s\n")).collect();
    let s = Stack::new("downgrace", &format!("services:\n{services}"));
    s.ok(&["up", "-d"]);
    // Watched live from before `down`: the engine replays only its last
    // 256 events to a late `--since` query, and parallel tests make more.
    // (`--since` covers the moment the watch takes to connect.)
    let since = format!("{:.3}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64());
    let project = format!("label=com.docker.compose.project={}", s.name);
    let format = "{{.Actor.Attributes.signal}} {{.Actor.Attributes.name}}";
    let mut watch = std::process::Command::new("docker")
        .args(["events", "--since", &since, "--filter", &project, "--filter", "event=kill", "--format", format])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    s.ok(&["down"]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    watch.kill().unwrap();
    let events = String::from_utf8_lossy(&watch.wait_with_output().unwrap().stdout).into_owned();
    let signals: Vec<&str> = events.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(signals.iter().filter(|s| **s == "15").count(), 20, "one SIGTERM per container:\n{events}");
    assert_eq!(signals.iter().filter(|s| **s == "9").count(), 20, "each container ignored SIGTERM and was killed:\n{events}");
    let last_term = signals.iter().rposition(|s| *s == "15").unwrap();
    let first_kill = signals.iter().position(|s| *s == "9").unwrap();
    assert!(last_term < first_kill, "a SIGTERM came after a grace period had ended:\n{events}");
    assert!(s.containers().is_empty());
}
