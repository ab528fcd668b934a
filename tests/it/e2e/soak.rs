//! The seeded soak: a PostgreSQL stack driven through a long random sequence
//! of `up`, config changes, `--force-recreate`, scaling, `stop`, `start`,
//! `restart`, `kill`, `down`, `run --rm` and, rarely, `down -v`.
//!
//! The test keeps a model of what must be true after every step (which
//! containers exist and run, the environment each one was created with,
//! whether the named volume exists, and every row committed so far) and
//! compares the engine with it. Rows are inserted whenever the database is
//! up; only `down -v` may lose them, and then the model is emptied too.
//!
//! Environment: `RCOMPOSE_SOAK_STEPS` (default 200), `RCOMPOSE_SOAK_SEED`
//! (default: random). The seed and every step are printed, together with the
//! command line that replays the same run.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use sha2::{Digest, Sha256};

use super::{engine_ready, Stack, BUSYBOX, LOOP, POSTGRES};

/// The replicas `web` has in the file (`scale:`); a plain `up` returns to it.
const FILE_SCALE: u32 = 2;
const SERVICES: [&str; 3] = ["db", "app", "web"];

/// SplitMix64: small, fast, and the same sequence on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (the modulo bias is irrelevant for n <= 100).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The compose file for the given generation of each service's
/// environment (db, app, web). Changing a generation changes that service's
/// config hash, so `up` must recreate exactly its containers.
fn compose(gens: &[u32; 3]) -> String {
    format!(
        r#"services:
  db:
    image: {POSTGRES}
    environment:
      POSTGRES_USER: app
      POSTGRES_PASSWORD: secret
      POSTGRES_DB: todo
      SOAK_GEN: "db-{g0}"
    volumes:
      - db-data:/var/lib/postgresql/data
    healthcheck:
      test: [CMD-SHELL, "pg_isready -q -h 127.0.0.1 -U app -d todo"]
      interval: 300ms
      timeout: 3s
      retries: 300
    stop_grace_period: 10s
  app:
    image: {BUSYBOX}
    command: [sh, -c, "{LOOP}"]
    environment:
      SOAK_GEN: "app-{g1}"
    depends_on:
      db:
        condition: service_healthy
    stop_grace_period: 2s
  web:
    image: {BUSYBOX}
    command: [sh, -c, "{LOOP}"]
    scale: {FILE_SCALE}
    environment:
      SOAK_GEN: "web-{g2}"
    stop_grace_period: 2s
volumes:
  db-data:
"#,
        g0 = gens[0],
        g1 = gens[1],
        g2 = gens[2],
    )
}

#[derive(Clone, Copy, Debug)]
enum Step {
    /// `up -d`, or `up -d --wait` when `wait`.
    Up {
        wait: bool,
    },
    /// Rewrite compose.yaml with a new environment value for one service, then `up -d`.
    Change {
        service: usize,
    },
    ForceRecreate,
    Scale(u32),
    Stop,
    Start,
    Restart,
    Kill,
    Down,
    DownVolumes,
    /// `run --rm` of web (no dependencies) or app (depends on a healthy db).
    Run {
        service: usize,
    },
}

impl Step {
    fn brings_everything_up(self) -> bool {
        matches!(self, Step::Up { .. } | Step::Change { .. } | Step::ForceRecreate | Step::Scale(_))
    }
}

/// One step. When `must_start_db` is set (the data has gone unchecked for
/// too long), only steps that bring the database up are drawn.
fn draw(rng: &mut Rng, must_start_db: bool) -> Step {
    let r = if must_start_db { 3 + rng.below(42) } else { rng.below(100) };
    match r {
        0..=2 => Step::DownVolumes,
        3..=18 => Step::Up { wait: rng.below(2) == 0 },
        19..=28 => Step::Change { service: [0, 1, 1, 2, 2][rng.below(5) as usize] },
        29..=34 => Step::ForceRecreate,
        35..=44 => Step::Scale(rng.below(4) as u32),
        45..=53 => Step::Stop,
        54..=62 => Step::Start,
        63..=71 => Step::Restart,
        72..=79 => Step::Kill,
        80..=88 => Step::Down,
        89..=93 => Step::Run { service: 2 },
        _ => Step::Run { service: 1 },
    }
}

/// One container of the project as the engine lists it.
#[derive(Clone, Debug)]
struct Seen {
    name: String,
    id: String,
    running: bool,
    service: String,
    number: String,
    oneoff: bool,
}

fn list(stack: &Stack) -> Vec<Seen> {
    let filter = format!("label=com.docker.compose.project={}", stack.name);
    let format = r#"{{.Names}}|{{.ID}}|{{.State}}|{{.Label "com.docker.compose.service"}}|{{.Label "com.docker.compose.container-number"}}|{{.Label "com.docker.compose.oneoff"}}"#;
    Stack::docker(&["ps", "-a", "--no-trunc", "--filter", &filter, "--format", format])
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            assert_eq!(f.len(), 6, "unexpected docker ps line {l:?}");
            Seen {
                name: f[0].to_string(),
                id: f[1].to_string(),
                running: f[2] == "running",
                service: f[3].to_string(),
                number: f[4].to_string(),
                oneoff: f[5] == "True",
            }
        })
        .collect()
}

/// What must be true of the engine.
struct Model {
    gens: [u32; 3],
    /// Container name → running.
    containers: BTreeMap<String, bool>,
    volume: bool,
    /// Whether the `soak` table has been created in the current volume.
    table: bool,
    /// Every committed row, in insertion (= id) order.
    rows: Vec<String>,
}

impl Model {
    fn name(project: &str, service: &str, n: u32) -> String {
        format!("{project}-{service}-{n}")
    }

    /// Every service's containers, all running, web with `web` replicas.
    fn all_up(&mut self, project: &str, web: u32) {
        self.containers.clear();
        self.containers.insert(Model::name(project, "db", 1), true);
        self.containers.insert(Model::name(project, "app", 1), true);
        for n in 1..=web {
            self.containers.insert(Model::name(project, "web", n), true);
        }
        self.volume = true;
    }

    fn set_all(&mut self, running: bool) {
        for r in self.containers.values_mut() {
            *r = running;
        }
    }

    fn db_running(&self, project: &str) -> bool {
        self.containers.get(&Model::name(project, "db", 1)) == Some(&true)
    }
}

fn fingerprint(rows: &[String]) -> String {
    let mut h = Sha256::new();
    h.update(rows.join(",").as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn wait_healthy(container: &str, step: usize) {
    let mut last = String::new();
    let ok = super::eventually(120, || {
        last = Stack::docker(&["inspect", "-f", "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}", container]);
        last == "running healthy"
    });
    assert!(ok, "step {step}: {container} did not become healthy within 120 s (last state: {last:?})");
}

/// Compares the engine's containers with the model: no one-off left behind,
/// one container per replica, exactly the expected names, each running or
/// not as expected.
fn check_containers(stack: &Stack, model: &Model, step: usize) -> Vec<Seen> {
    let seen = list(stack);
    let oneoffs: Vec<&str> = seen.iter().filter(|c| c.oneoff).map(|c| c.name.as_str()).collect();
    assert!(oneoffs.is_empty(), "step {step}: one-off containers left behind: {oneoffs:?}");
    let mut replicas: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    for c in &seen {
        replicas.entry((c.service.clone(), c.number.clone())).or_default().push(&c.name);
    }
    for ((service, number), names) in &replicas {
        assert_eq!(names.len(), 1, "step {step}: duplicate containers for {service} replica {number}: {names:?}");
        assert_eq!(names[0], &Model::name(&stack.name, service, number.parse().unwrap_or(0)), "step {step}: name does not match its labels");
    }
    let actual: BTreeMap<String, bool> = seen.iter().map(|c| (c.name.clone(), c.running)).collect();
    assert_eq!(actual, model.containers, "step {step}: containers (name → running) differ from the model");
    seen
}

/// Each container carries the environment of its service's current generation.
fn check_generations(model: &Model, seen: &[Seen], step: usize) {
    if seen.is_empty() {
        return;
    }
    let mut args = vec!["inspect", "-f", r#"{{.Name}} {{range .Config.Env}}{{.}} {{end}}"#];
    args.extend(seen.iter().map(|c| c.id.as_str()));
    let out = Stack::docker(&args);
    for line in out.lines() {
        let (name, env) = line.trim_start_matches('/').split_once(' ').unwrap_or((line, ""));
        let c = seen.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("step {step}: inspect named unknown container {name}"));
        let i = SERVICES.iter().position(|s| *s == c.service).unwrap();
        let want = format!("SOAK_GEN={}-{}", c.service, model.gens[i]);
        assert!(env.split(' ').any(|e| e == want), "step {step}: {name} lacks {want}; its environment: {env}");
    }
}

/// The database holds exactly the committed rows (or, before the table is
/// made in a fresh volume, no table at all).
fn check_rows(stack: &Stack, db: &str, model: &Model, step: usize) {
    if !model.table {
        let n = stack.psql(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'soak'");
        assert_eq!(n, "0", "step {step}: the table exists in what must be a fresh volume");
        return;
    }
    let got = stack.psql(db, "SELECT count(*) || ' ' || coalesce(encode(sha256(convert_to(string_agg(title, ',' ORDER BY id), 'UTF8')), 'hex'), '') FROM soak");
    let empty = if model.rows.is_empty() { String::new() } else { fingerprint(&model.rows) };
    let want = format!("{} {empty}", model.rows.len());
    if got.trim() != want.trim() {
        let have: Vec<String> = stack.psql(db, "SELECT title FROM soak ORDER BY id").lines().map(str::to_string).collect();
        let have_set: BTreeSet<&String> = have.iter().collect();
        let want_set: BTreeSet<&String> = model.rows.iter().collect();
        let missing: Vec<&&String> = want_set.difference(&have_set).collect();
        let extra: Vec<&&String> = have_set.difference(&want_set).collect();
        panic!("step {step}: rows differ (count and sha256: got {got:?}, want {want:?}); missing {missing:?}; unexpected {extra:?}");
    }
}

fn ids(seen: &[Seen]) -> BTreeMap<String, String> {
    seen.iter().map(|c| (c.name.clone(), c.id.clone())).collect()
}

#[test]
fn seeded_soak_keeps_every_committed_row_and_one_container_per_replica() {
    if !engine_ready(&[POSTGRES, BUSYBOX]) {
        return;
    }
    let steps: usize = std::env::var("RCOMPOSE_SOAK_STEPS").ok().map_or(200, |s| s.parse().expect("RCOMPOSE_SOAK_STEPS is a number"));
    let seed: u64 = if let Ok(s) = std::env::var("RCOMPOSE_SOAK_SEED") {
        s.parse().expect("RCOMPOSE_SOAK_SEED is a number")
    } else {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
        Rng(t ^ u64::from(std::process::id()).rotate_left(32)).next()
    };
    println!("soak: seed {seed}, {steps} steps");
    println!("soak: replay with RCOMPOSE_SOAK_SEED={seed} RCOMPOSE_SOAK_STEPS={steps} cargo test --locked --test it e2e::soak::seeded -- --nocapture");
    let mut rng = Rng(seed);
    let mut model = Model { gens: [0; 3], containers: BTreeMap::new(), volume: false, table: false, rows: Vec::new() };
    let stack = Stack::new("soak", &compose(&model.gens));
    let db = Model::name(&stack.name, "db", 1);
    let volume = format!("{}_db-data", stack.name);
    let started = Instant::now();
    let mut since_check = 0usize;
    let mut checks = 0usize;
    let mut next_row = 0usize;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();

    for i in 1..=steps {
        let step = draw(&mut rng, since_check >= 4 && !model.db_running(&stack.name));
        let before = ids(&list(&stack));
        let mut changed: Option<usize> = None;
        let args: Vec<String> = match step {
            Step::Up { wait: false } => vec!["up".into(), "-d".into()],
            Step::Up { wait: true } => vec!["up".into(), "-d".into(), "--wait".into(), "--wait-timeout".into(), "120".into()],
            Step::Change { service } => {
                model.gens[service] += 1;
                stack.write("compose.yaml", &compose(&model.gens));
                changed = Some(service);
                vec!["up".into(), "-d".into()]
            }
            Step::ForceRecreate => vec!["up".into(), "-d".into(), "--force-recreate".into()],
            Step::Scale(n) => vec!["up".into(), "-d".into(), "--scale".into(), format!("web={n}")],
            Step::Stop => vec!["stop".into(), "-t".into(), "1".into()],
            Step::Start => vec!["start".into()],
            Step::Restart => vec!["restart".into(), "-t".into(), "1".into()],
            Step::Kill => vec!["kill".into()],
            Step::Down => vec!["down".into(), "-t".into(), "1".into()],
            Step::DownVolumes => vec!["down".into(), "-v".into(), "-t".into(), "1".into()],
            // app's one-off must find the database accepting connections:
            // it depends on db with condition service_healthy.
            Step::Run { service: 1 } => {
                vec!["run", "--rm", "-T", "app", "sh", "-c", "nc -w 5 db 5432 </dev/null && echo $SOAK_GEN"].into_iter().map(String::from).collect()
            }
            Step::Run { .. } => vec!["run", "--rm", "-T", "web", "sh", "-c", "echo $SOAK_GEN"].into_iter().map(String::from).collect(),
        };
        let label = match changed {
            Some(s) => format!("[{} env -> {}-{}] rcompose {}", SERVICES[s], SERVICES[s], model.gens[s], args.join(" ")),
            None => format!("rcompose {}", args.join(" ")),
        };
        println!("soak step {i}/{steps} ({:.0} s): {label}", started.elapsed().as_secs_f64());
        *counts.entry(format!("{step:?}").split([' ', '(']).next().unwrap().to_string()).or_default() += 1;
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = stack.run(&argv);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let had_containers = !model.containers.is_empty();

        // What the step must have done.
        if matches!(step, Step::Start) && !had_containers {
            assert!(!out.status.success(), "step {i}: start with no containers succeeded:\n{stdout}\n{stderr}");
            assert!(stderr.contains("no containers to start"), "step {i}: {stderr}");
        } else {
            assert!(out.status.success(), "step {i}: {label} failed ({:?}):\n{stdout}\n{stderr}", out.status);
        }
        match step {
            Step::Up { .. } | Step::Change { .. } | Step::ForceRecreate => model.all_up(&stack.name, FILE_SCALE),
            Step::Scale(n) => model.all_up(&stack.name, n),
            Step::Stop | Step::Kill => model.set_all(false),
            Step::Start | Step::Restart => model.set_all(true),
            Step::Down => model.containers.clear(),
            Step::DownVolumes => {
                model.containers.clear();
                model.volume = false;
                model.table = false;
                model.rows.clear();
            }
            Step::Run { service } => {
                let want = format!("{}-{}", SERVICES[service], model.gens[service]);
                assert_eq!(stdout.trim(), want, "step {i}: the one-off printed the wrong thing\n{stderr}");
                if service == 1 {
                    // app depends on db with condition service_healthy, so
                    // its one-off may only have started once db was healthy:
                    // no polling here.
                    let health = Stack::docker(&["inspect", "-f", "{{.State.Health.Status}}", &db]);
                    assert_eq!(health, "healthy", "step {i}: app's one-off ran before its dependency db was healthy");
                    model.containers.insert(db.clone(), true);
                    model.volume = true;
                }
            }
        }

        // The engine against the model.
        let seen = check_containers(&stack, &model, i);
        assert_eq!(Stack::volume_exists(&volume), model.volume, "step {i}: volume {volume} existence differs from the model");
        let after = ids(&seen);
        if step.brings_everything_up() {
            check_generations(&model, &seen, i);
            for (name, old) in &before {
                let Some(new) = after.get(name) else { continue };
                let service = &seen.iter().find(|c| &c.name == name).unwrap().service;
                let must_recreate = matches!(step, Step::ForceRecreate) || changed.is_some_and(|s| SERVICES[s] == service);
                if must_recreate {
                    assert_ne!(old, new, "step {i}: {name} was not recreated");
                } else {
                    assert_eq!(old, new, "step {i}: {name} was recreated though its config did not change");
                }
            }
        } else if !matches!(step, Step::Down | Step::DownVolumes) {
            // Lifecycle commands and run never replace a service's container.
            for (name, new) in &after {
                if let Some(old) = before.get(name) {
                    assert_eq!(old, new, "step {i}: {name} was replaced by {label}");
                }
            }
        }

        // The data: verify every committed row, then commit a few more.
        if model.db_running(&stack.name) {
            wait_healthy(&db, i);
            check_rows(&stack, &db, &model, i);
            checks += 1;
            if !model.table {
                stack.psql(&db, "CREATE TABLE soak (id serial PRIMARY KEY, title text NOT NULL)");
                model.table = true;
            }
            let n = 1 + rng.below(4) as usize;
            let titles: Vec<String> = (0..n).map(|k| format!("s{i}-r{}", next_row + k)).collect();
            next_row += n;
            let values: Vec<String> = titles.iter().map(|t| format!("('{t}')")).collect();
            stack.psql(&db, &format!("INSERT INTO soak (title) VALUES {}", values.join(", ")));
            model.rows.extend(titles);
            since_check = 0;
        } else {
            since_check += 1;
            assert!(since_check <= 4, "step {i}: data unchecked for {since_check} steps");
        }
    }

    // A last look at the data, whatever state the run ended in.
    stack.ok(&["up", "-d", "--wait", "--wait-timeout", "120"]);
    model.all_up(&stack.name, FILE_SCALE);
    check_containers(&stack, &model, steps + 1);
    wait_healthy(&db, steps + 1);
    check_rows(&stack, &db, &model, steps + 1);
    let took = started.elapsed();
    println!(
        "soak: seed {seed}: {steps} steps in {:.1} s; {checks} data checks; {} rows committed and present at the end; steps by kind: {counts:?}",
        took.as_secs_f64(),
        model.rows.len()
    );
}

/// Found while writing the soak: `run` started a service's dependencies
/// but did not wait for its `depends_on` conditions before starting the
/// one-off (docker compose waits). Here the conditions take seconds to be
/// met, so a one-off that doesn't wait sees db still starting and migrate
/// still running.
fn slow_dependencies(migrate_exit: u32) -> String {
    format!(
        r#"services:
  db:
    image: {BUSYBOX}
    command: [sh, -c, "sleep 2; touch /tmp/ready; {LOOP}"]
    healthcheck:
      test: [CMD, test, -f, /tmp/ready]
      interval: 200ms
      retries: 100
  migrate:
    image: {BUSYBOX}
    command: [sh, -c, "sleep 2; exit {migrate_exit}"]
  app:
    image: {BUSYBOX}
    command: [sh, -c, "{LOOP}"]
    depends_on:
      db:
        condition: service_healthy
      migrate:
        condition: service_completed_successfully
"#
    )
}

#[test]
fn run_waits_for_its_dependencies_conditions() {
    if !engine_ready(&[BUSYBOX]) {
        return;
    }
    let stack = Stack::new("runcond", &slow_dependencies(0));
    let out = stack.ok(&["run", "--rm", "-T", "app", "echo", "one-off ran"]);
    assert_eq!(out, "one-off ran\n");
    // Checked at once: the conditions held before the one-off started.
    assert_eq!(Stack::docker(&["inspect", "-f", "{{.State.Health.Status}}", &format!("{}-db-1", stack.name)]), "healthy");
    assert_eq!(Stack::docker(&["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", &format!("{}-migrate-1", stack.name)]), "exited 0");

    // A required dependency that fails its condition: the one-off never runs.
    let failing = Stack::new("runcondfail", &slow_dependencies(3));
    let out = failing.run(&["run", "--rm", "-T", "app", "echo", "one-off ran"]);
    assert!(!out.status.success(), "run succeeded though migrate exited 3");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("one-off ran"), "the one-off ran though migrate failed");
    let oneoffs: Vec<String> = failing.containers().into_iter().map(|(n, _)| n).filter(|n| n.contains("-app-run-")).collect();
    assert!(oneoffs.is_empty(), "a one-off was created: {oneoffs:?}");
}
