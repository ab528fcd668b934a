//! The differential harness: seeded random projects (see [`project`]) go
//! through `docker compose config --format json` (v2) and `rcompose config
//! --format json`; both must accept or both reject, and when both accept the
//! JSON must be equal as values. A difference names its seed and case so it
//! can be replayed:
//!
//! ```sh
//! RCOMPOSE_DIFF_SEED=S RCOMPOSE_DIFF_CASE=N cargo test --test it differential::many -- --ignored --nocapture
//! ```
//!
//! `bounded` runs a fixed seed list (plus `RCOMPOSE_DIFF_SEED` when set);
//! `many` (ignored, driven by scripts/differential.sh) runs
//! `RCOMPOSE_DIFF_CASES` cases of one seed. Without docker compose v2 both
//! skip loudly, unless RCOMPOSE_REQUIRE_ENGINE=1 (CI), where they fail.

mod known;
mod project;
mod service;
mod yaml;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

use serde_json::Value;

use project::Case;

/// The seed of case `index` of run `seed`.
fn case_seed(seed: u64, index: u64) -> u64 {
    yaml::Rng::new(seed ^ index.wrapping_mul(0xA24B_AED4_963E_E407)).next()
}

/// What one tool did with a project.
struct Outcome {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn run(program: &str, pre: &[&str], dir: &Path, case: &Case) -> Outcome {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir).env_clear();
    for key in ["PATH", "HOME"] {
        if let Ok(v) = std::env::var(key) {
            cmd.env(key, v);
        }
    }
    cmd.envs(case.env.iter().map(|(k, v)| (k, v)));
    cmd.args(pre).args(["-p", "p", "--project-directory"]).arg(dir).args(&case.args).args(["config", "--format", "json"]);
    let out = cmd.output().unwrap_or_else(|e| panic!("run {program}: {e}"));
    Outcome { ok: out.status.success(), stdout: String::from_utf8_lossy(&out.stdout).into_owned(), stderr: String::from_utf8_lossy(&out.stderr).into_owned() }
}

/// The first place where `a` (v2) and `b` (rcompose) differ: (path, text).
fn first_difference(path: &str, a: &Value, b: &Value) -> Option<(String, String)> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                let sub = format!("{path}/{k}");
                match y.get(k) {
                    None => return Some((sub, format!("v2: {va}\nrcompose: (absent)"))),
                    Some(vb) => {
                        if let Some(d) = first_difference(&sub, va, vb) {
                            return Some(d);
                        }
                    }
                }
            }
            y.iter().find(|(k, _)| !x.contains_key(*k)).map(|(k, vb)| (format!("{path}/{k}"), format!("v2: (absent)\nrcompose: {vb}")))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (va, vb))| first_difference(&format!("{path}/{i}"), va, vb))
        }
        _ if a == b => None,
        _ => Some((path.to_string(), format!("v2: {a}\nrcompose: {b}"))),
    }
}

/// A difference's class: its path with service and resource names and
/// indices blurred, so one cause counts once.
fn class_of(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let parent = if i > 0 { parts[i - 1] } else { "" };
        let blur = part.parse::<u64>().is_ok() || (i == 2 && ["services", "volumes", "networks", "secrets", "configs"].contains(&parent));
        out.push(if blur { "*" } else { part });
    }
    out.join("/")
}

/// Runs one case; `Err((class, report))` on a difference.
fn check(seed: u64, index: u64) -> Result<bool, (String, String)> {
    let case = project::generate(case_seed(seed, index));
    let dir = tempfile::Builder::new().prefix("rcompose-diff").tempdir().expect("tempdir");
    for (name, text) in &case.files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let v2 = run("docker", &["compose"], dir.path(), &case);
    let ours = run(env!("CARGO_BIN_EXE_rcompose"), &[], dir.path(), &case);
    let found = if v2.ok != ours.ok {
        let class = format!("status: v2 {} / rcompose {} ({})", verdict(v2.ok), verdict(ours.ok), case.mistake.unwrap_or("no mistake"));
        Some((class, format!("v2 stderr:\n{}\nrcompose stderr:\n{}", v2.stderr.trim(), ours.stderr.trim())))
    } else if v2.ok {
        let a: Value = serde_json::from_str(&v2.stdout).unwrap_or_else(|e| panic!("v2 JSON: {e}"));
        let b: Value = serde_json::from_str(&ours.stdout).unwrap_or_else(|e| panic!("rcompose JSON: {e}"));
        first_difference("", &a, &b).map(|(path, text)| (class_of(&path), format!("at {path}\n{text}")))
    } else {
        None
    };
    let Some((class, detail)) = found else { return Ok(v2.ok) };
    let keep = std::env::var("RCOMPOSE_DIFF_KEEP").as_deref() == Ok("1");
    let mut report = format!("seed {seed} case {index} (replay: RCOMPOSE_DIFF_SEED={seed} RCOMPOSE_DIFF_CASE={index})\n{detail}\n");
    report += &format!("args: {:?}\nenv: {:?}\n", case.args, case.env);
    for (name, text) in case.files.iter().filter(|(n, _)| n.ends_with(".yaml") || n.ends_with(".env")) {
        report += &format!("--- {name}\n{text}");
    }
    if keep {
        report += &format!("kept in {}\n", dir.keep().display());
    }
    Err((class, report))
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "accepts"
    } else {
        "rejects"
    }
}

/// Totals of a run.
#[derive(Default)]
struct Tally {
    cases: u64,
    accepted: u64,
    /// Class -> (count, first report).
    differences: BTreeMap<String, (u64, String)>,
}

/// Runs cases `range` of `seed` on `jobs` threads.
fn run_seed(seed: u64, range: std::ops::Range<u64>, jobs: u64, tally: &Mutex<Tally>) {
    let next = Mutex::new(range.start);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let index = {
                    let mut n = next.lock().unwrap();
                    if *n >= range.end {
                        return;
                    }
                    *n += 1;
                    *n - 1
                };
                let result = check(seed, index);
                let mut t = tally.lock().unwrap();
                t.cases += 1;
                match result {
                    Ok(accepted) => t.accepted += u64::from(accepted),
                    Err((class, report)) => t.differences.entry(class).or_insert((0, report)).0 += 1,
                }
            });
        }
    });
}

/// True when docker compose v2 answers; otherwise skips loudly (or fails
/// when RCOMPOSE_REQUIRE_ENGINE=1).
fn peer() -> bool {
    let ok = Command::new("docker").args(["compose", "version"]).output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var("RCOMPOSE_REQUIRE_ENGINE").as_deref() != Ok("1"), "RCOMPOSE_REQUIRE_ENGINE=1 but `docker compose` (v2) is not installed");
        eprintln!("\n*** SKIPPED: docker compose v2 not installed (run scripts/peers.sh); differential test not run ***\n");
    }
    ok
}

fn env_u64(key: &str) -> Option<u64> {
    std::env::var(key).ok().map(|v| v.parse().unwrap_or_else(|_| panic!("{key}={v} is not a number")))
}

fn jobs() -> u64 {
    env_u64("RCOMPOSE_DIFF_JOBS").unwrap_or(2).max(1)
}

/// Prints the tally and fails on any difference.
fn finish(tally: &Tally) {
    eprintln!("differential: {} cases, {} accepted by both, {} difference classes", tally.cases, tally.accepted, tally.differences.len());
    if tally.differences.is_empty() {
        return;
    }
    let mut text = String::new();
    for (class, (count, report)) in &tally.differences {
        text += &format!("\n=== {class} ({count} cases)\n{report}");
    }
    panic!("rcompose and docker compose v2 differ:{text}");
}

/// The seeds `bounded` always runs, `CASES` cases each.
const SEEDS: &[u64] = &[1, 2, 3];
const CASES: u64 = 70;

#[test]
fn bounded() {
    if !peer() {
        return;
    }
    let tally = Mutex::new(Tally::default());
    let extra = env_u64("RCOMPOSE_DIFF_SEED");
    for seed in SEEDS.iter().copied().chain(extra) {
        run_seed(seed, 0..CASES, jobs(), &tally);
    }
    finish(&tally.into_inner().unwrap());
}

#[test]
#[ignore = "long run: scripts/differential.sh"]
fn many() {
    if !peer() {
        return;
    }
    let seed = env_u64("RCOMPOSE_DIFF_SEED").unwrap_or(1);
    let range = match env_u64("RCOMPOSE_DIFF_CASE") {
        Some(one) => one..one + 1,
        None => 0..env_u64("RCOMPOSE_DIFF_CASES").unwrap_or(1000),
    };
    let tally = Mutex::new(Tally::default());
    run_seed(seed, range, jobs(), &tally);
    finish(&tally.into_inner().unwrap());
}

#[test]
fn generator_is_deterministic_and_mostly_valid_yaml() {
    for index in 0..50 {
        let a = project::generate(case_seed(7, index));
        let b = project::generate(case_seed(7, index));
        assert_eq!(a.files, b.files);
        assert_eq!(a.args, b.args);
        for (name, text) in a.files.iter().filter(|(n, _)| n.ends_with(".yaml")) {
            serde_yaml::from_str::<serde_yaml::Value>(text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        }
    }
}
