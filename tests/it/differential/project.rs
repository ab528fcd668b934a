//! Whole projects from one seed: the main file (services, top-level
//! resources, YAML anchors and merge keys, `extends` in the same file and
//! another, `include`), override files given with `-f` or found by default,
//! `.env` and process variables, support files, and now and then one
//! deliberate mistake (see [`MISTAKES`]) so rejection is compared too.

use super::known;
use super::service::{Ctx, SET_VARS};
use super::yaml::{p, s, seq, to_text, M, Y};

/// One generated project.
pub struct Case {
    /// Relative path and text of every file.
    pub files: Vec<(String, String)>,
    /// Arguments before `config` (`-f ...`, `--profile ...`).
    pub args: Vec<String>,
    /// The process environment (besides PATH and HOME).
    pub env: Vec<(String, String)>,
    /// The mistake made on purpose, if any.
    pub mistake: Option<&'static str>,
}

/// The deliberate mistakes; each makes the project invalid.
pub const MISTAKES: &[&str] = &[
    "depends_on_unknown",
    "bad_port",
    "ports_not_a_list",
    "unknown_attribute",
    "undefined_volume",
    "undefined_network",
    "undefined_secret",
    "required_variable",
    "dependency_cycle",
    "environment_number",
    "bad_duration",
    "no_image_no_build",
    "extends_unknown",
    "missing_env_file",
];

const NAMES: &[&str] = &["web", "api", "db", "worker", "cache", "proxy"];

const SUPPORT: &[(&str, &str)] = &[
    ("app/Dockerfile", "FROM busybox\n"),
    ("app/Dockerfile.dev", "FROM busybox\n"),
    ("Dockerfile", "FROM busybox\n"),
    ("app.env", "FROM_FILE=1\nQUOTED=\"a b\"\n# comment\nINTERP=${TAG:-t}\nexport EXPORTED=yes\n"),
    ("extra.env", "EXTRA=2\nFROM_FILE=overridden\n"),
    ("secret.txt", "s3cret\n"),
    ("app.conf", "key=value\n"),
    ("src/.keep", ""),
    ("conf/.keep", ""),
];

fn values(ctx: &mut Ctx) -> Vec<(String, String)> {
    let all = [("TAG", "1.25"), ("PORT", "8080"), ("APP_ENV", "prod"), ("EMPTY", ""), ("MEM", "256M")];
    all.iter().filter(|_| ctx.rng.chance(0.5)).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn dotenv(ctx: &mut Ctx) -> String {
    let lines = ["TAG=1.26", "APP_ENV=${APP_ENV:-dev}", "# a comment", "export MEM=1G", "PGTAG='15'", "DATA_DIR=./d", "PORT=9090 # inline"];
    ctx.rng.some(&lines, lines.len()).join("\n") + "\n"
}

/// The top-level declaration of a resource the services use.
fn declare(ctx: &mut Ctx, kind: &str, name: &str, included: bool) -> Y {
    let r = &mut ctx.rng;
    let mut pick = r.below(4);
    if included && kind == "secrets" && pick == 0 && known::avoid("environment_secret_in_include_and_main") {
        pick = 2;
    }
    match (kind, pick) {
        ("volumes", 0) => M::new().with("driver", s("local")).with("labels", M::new().with("backup", s("daily")).y()).y(),
        ("volumes", 1) => M::new().with("external", p("true")).with("name", s(format!("shared_{name}"))).y(),
        ("volumes", 2) => M::new().with("name", s(format!("${{APP_ENV:-dev}}_{name}"))).y(),
        ("networks", _) if name == "back" => M::new()
            .with("driver", s("bridge"))
            .with("ipam", M::new().with("config", Y::Seq(vec![M::new().with("subnet", s("172.28.0.0/16")).with("gateway", s("172.28.0.1")).y()])).y())
            .y(),
        ("networks", 0) => M::new().with("internal", p("true")).with("attachable", p("true")).y(),
        ("networks", 1) if name != "default" => M::new().with("external", p("true")).y(),
        ("networks", 2) => {
            M::new().with("name", s(format!("custom_{name}"))).with("driver_opts", M::new().with("com.docker.network.bridge.name", s("br1")).y()).y()
        }
        ("secrets", 0) => M::new().with("environment", s("APP_ENV")).y(),
        ("secrets", 1) => M::new().with("external", p("true")).y(),
        ("secrets", _) => M::new().with("file", s("./secret.txt")).y(),
        ("configs", 0) => M::new().with("content", s("hello ${APP_ENV:-dev}")).y(),
        ("configs", 1) => M::new().with("external", p("true")).with("name", s("ext_conf")).y(),
        ("configs", _) => M::new().with("file", s("./app.conf")).y(),
        _ => Y::P("{}".into()),
    }
}

fn top_level(ctx: &mut Ctx, doc: &mut M, included: bool) {
    let kinds: [(&str, Vec<String>); 4] = [
        ("volumes", ctx.volumes.iter().cloned().collect()),
        ("networks", ctx.networks.iter().filter(|n| *n != "default" || ctx.rng.chance(0.2)).cloned().collect()),
        ("secrets", ctx.secrets.iter().cloned().collect()),
        ("configs", ctx.configs.iter().cloned().collect()),
    ];
    for (kind, names) in kinds {
        let mut m = M::new();
        for n in names {
            let d = declare(ctx, kind, &n, included);
            m.set(&n, d);
        }
        if ctx.rng.chance(0.1) {
            m.set("unused", Y::P("{}".into()));
        }
        if !m.0.is_empty() {
            doc.set(kind, m.y());
        }
    }
}

/// A file holding services only for `extends: {file: ...}`.
fn other_file(ctx: &mut Ctx) -> String {
    let mut base = M::new().with("image", s("busybox"));
    ctx.attributes(&mut base, 0.2);
    to_text(&M::new().with("services", M::new().with("common", base.y()).y()).y())
}

/// An included project with its own service and resources.
fn included(ctx: &mut Ctx) -> String {
    let mut sub = Ctx::new(ctx.rng.next());
    let mut svc = sub.service("included");
    svc.0.retain(|(k, _)| k != "depends_on");
    let mut doc = M::new().with("services", M::new().with("included", svc.y()).y());
    top_level(&mut sub, &mut doc, true);
    to_text(&doc.y())
}

fn mistake(ctx: &mut Ctx, services: &mut M, which: &str) {
    let (first, rest) = services.0.split_at_mut(1);
    let Y::Map(svc) = &mut first[0].1 else { return };
    let mut svc = M(std::mem::take(svc));
    match which {
        "depends_on_unknown" => svc.set("depends_on", seq(&["ghost"])),
        "bad_port" => svc.set("ports", seq(&["80:abc"])),
        "ports_not_a_list" => svc.set("ports", p(80)),
        "unknown_attribute" => svc.set("imagee", s("busybox")),
        "undefined_volume" => svc.set("volumes", seq(&["undeclared:/x"])),
        "undefined_network" => svc.set("networks", seq(&["nowhere"])),
        "undefined_secret" => svc.set("secrets", seq(&["ghost_secret"])),
        "required_variable" => svc.set("environment", M::new().with("X", s("${NOPE:?must be set}")).y()),
        "environment_number" => svc.set("environment", p(5)),
        "bad_duration" => svc.set("healthcheck", M::new().with("test", s("true")).with("interval", s("10 parsecs")).y()),
        "no_image_no_build" => {
            svc.0.retain(|(k, _)| k != "image" && k != "build" && k != "<<" && k != "extends");
            &mut svc
        }
        "extends_unknown" => svc.set("extends", M::new().with("service", s("nothing")).y()),
        "missing_env_file" => svc.set("env_file", seq(&["nowhere.env"])),
        _ => {
            // dependency_cycle: the first service and another depend on each other.
            let other = rest.first().map_or(first[0].0.clone(), |(n, _)| n.clone());
            if let Some((_, Y::Map(o))) = rest.first_mut() {
                o.retain(|(k, _)| k != "depends_on");
                o.push(("depends_on".into(), seq(&[first[0].0.clone()])));
            }
            let _ = ctx;
            svc.set("depends_on", seq(&[other]))
        }
    };
    first[0].1 = svc.y();
}

/// The project of one case seed.
pub fn generate(seed: u64) -> Case {
    let mut ctx = Ctx::new(seed);
    let mut files: Vec<(String, String)> = SUPPORT.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    let env = values(&mut ctx);
    if ctx.rng.chance(0.5) {
        files.push((".env".into(), dotenv(&mut ctx)));
    }
    let mut doc = M::new();
    let anchors = ctx.rng.chance(0.3);
    if anchors {
        let common = M::new().with("restart", s("always")).with("labels", M::new().with("com.example.team", s("core")).y());
        doc.set("x-common", Y::Anchor("common".into(), Box::new(common.y())));
        doc.set("x-env", Y::Anchor("env".into(), Box::new(M::new().with("SHARED", s("yes")).y())));
    }
    if ctx.rng.chance(0.15) {
        for (name, text) in SUPPORT {
            files.push((format!("inc/{name}"), text.to_string()));
        }
        files.push(("inc/compose.yaml".into(), included(&mut ctx)));
        let entry = if ctx.rng.chance(0.5) { s("inc/compose.yaml") } else { M::new().with("path", s("./inc/compose.yaml")).y() };
        doc.set("include", Y::Seq(vec![entry]));
        ctx.services.push("included".into());
    }
    let mut services = M::new();
    let extends = ctx.rng.chance(0.25);
    if extends {
        let mut base = M::new().with("image", s("busybox"));
        ctx.attributes(&mut base, 0.2);
        services.set("base", base.y());
        files.push(("other.yaml".into(), other_file(&mut ctx)));
    }
    let count = 1 + ctx.rng.below(4);
    for name in ctx.rng.some(NAMES, count) {
        let mut svc = ctx.service(name);
        if anchors && ctx.rng.chance(0.5) {
            svc.0.insert(0, ("<<".into(), Y::Alias("common".into())));
            if ctx.rng.chance(0.5) && !svc.has("environment") {
                svc.set("environment", Y::Alias("env".into()));
            }
        }
        if extends && ctx.rng.chance(0.5) {
            let e = match ctx.rng.below(3) {
                0 => s("base"),
                1 => M::new().with("service", s("base")).y(),
                _ => M::new().with("file", s("other.yaml")).with("service", s("common")).y(),
            };
            svc.set("extends", e);
        }
        services.set(name, svc.y());
    }
    let mistake = ctx.rng.chance(0.1).then(|| *ctx.rng.pick(MISTAKES)).filter(|m| !known::avoid(m));
    // A wrong type that a later file replaces: see known::KNOWN.
    let typed = matches!(mistake, Some("ports_not_a_list" | "environment_number")) && known::avoid("type_error_replaced_by_a_later_file");
    let first = services.0.first().map(|(n, _)| n.clone());
    let names: Vec<String> = services.0.iter().map(|(n, _)| n.clone()).filter(|n| n != "base" && !(typed && Some(n) == first.as_ref())).collect();
    let mut overrides = Vec::new();
    for i in 0..ctx.rng.below(3) {
        let mut m = M::new();
        for n in if names.is_empty() { Vec::new() } else { ctx.rng.some(&names, 2) } {
            let mut part = M::new();
            ctx.attributes(&mut part, 0.12);
            m.set(&n, part.y());
        }
        let file = if i == 0 { "compose.override.yaml".to_string() } else { format!("more-{i}.yaml") };
        files.push((file.clone(), to_text(&M::new().with("services", m.y()).y())));
        overrides.push(file);
    }
    if let Some(m) = mistake {
        mistake_in(&mut ctx, &mut services, m);
    }
    doc.set("services", services.y());
    top_level(&mut ctx, &mut doc, false);
    files.push(("compose.yaml".into(), to_text(&doc.y())));
    let mut args = Vec::new();
    // Without -f, compose.yaml and compose.override.yaml are found by default.
    if !(overrides.len() == 1 && ctx.rng.chance(0.3)) {
        args.extend(["-f".to_string(), "compose.yaml".to_string()]);
        for f in &overrides {
            args.extend(["-f".to_string(), f.clone()]);
        }
    }
    if ctx.rng.chance(0.3) {
        args.extend(["--profile".to_string(), "debug".to_string()]);
    }
    let _ = SET_VARS;
    Case { files, args, env, mistake }
}

fn mistake_in(ctx: &mut Ctx, services: &mut M, which: &str) {
    if !services.0.is_empty() {
        mistake(ctx, services, which);
    }
}
