//! Random but plausible service definitions: most compose-spec attributes
//! in their short and long forms, with interpolation in text positions. The
//! resources a service refers to are recorded in [`Ctx`] so the project
//! declares them.

use std::collections::BTreeSet;

use super::known;
use super::yaml::{p, s, seq, Rng, M, Y};

/// Variables set in the process environment or `.env` (never empty unless
/// the name says so), and one never set.
pub const SET_VARS: &[&str] = &["TAG", "PORT", "APP_ENV", "EMPTY", "MEM"];
pub const UNSET: &str = "NOPE";

/// What the services generated so far refer to.
pub struct Ctx {
    pub rng: Rng,
    /// Services defined before this one (depends_on targets).
    pub services: Vec<String>,
    pub volumes: BTreeSet<String>,
    pub networks: BTreeSet<String>,
    pub secrets: BTreeSet<String>,
    pub configs: BTreeSet<String>,
    pub next_port: u32,
}

impl Ctx {
    pub fn new(seed: u64) -> Ctx {
        Ctx {
            rng: Rng::new(seed),
            services: Vec::new(),
            volumes: BTreeSet::new(),
            networks: BTreeSet::new(),
            secrets: BTreeSet::new(),
            configs: BTreeSet::new(),
            next_port: 8000,
        }
    }

    fn port(&mut self) -> u32 {
        self.next_port += 1 + self.rng.below(3) as u32;
        self.next_port
    }

    /// A text value, often interpolated in one of the forms the spec knows.
    pub fn text(&mut self, plain: &str) -> String {
        let r = &mut self.rng;
        let var = if r.chance(0.8) { *r.pick(SET_VARS) } else { UNSET };
        let with_var = match r.below(9) {
            0 => format!("${var}"),
            1 => format!("${{{var}}}"),
            2 => format!("${{{var}:-{plain}}}"),
            3 => format!("${{{var}-{plain}}}"),
            4 => format!("${{{var}:+{plain}}}"),
            5 if var != UNSET && var != "EMPTY" => format!("${{{var}:?{var} is required}}"),
            6 => format!("{plain}-$${var}"),
            7 => format!("pre-${{{var}:-${{{}:-nested}}}}", if var == UNSET { "TAG" } else { UNSET }),
            _ => format!("{plain}/${{{var}}}/x"),
        };
        if r.chance(0.35) {
            with_var
        } else {
            plain.to_string()
        }
    }

    fn image(&mut self) -> Y {
        let r = &mut self.rng;
        let img = match r.below(7) {
            0 => "busybox".to_string(),
            1 => "alpine:3.19".to_string(),
            2 => "nginx:${TAG:-1.25}".to_string(),
            3 => "redis:7".to_string(),
            4 => "ghcr.io/acme/app:${TAG}".to_string(),
            5 => "localhost:5000/team/api".to_string(),
            _ => "postgres:${PGTAG-16}".to_string(),
        };
        s(img)
    }

    fn build(&mut self) -> Y {
        let r = &mut self.rng;
        if r.chance(0.3) {
            return s("./app");
        }
        let mut b = M::new().with("context", s(*r.pick(&["./app", "app", "."])));
        if r.chance(0.5) {
            b.set("dockerfile", s(*r.pick(&["Dockerfile", "Dockerfile.dev"])));
        }
        if r.chance(0.5) {
            b.set("args", if r.chance(0.5) { seq(&["VERSION=1", "NOVALUE"]) } else { M::new().with("VERSION", s("${TAG:-2}")).with("N", p(3)).y() });
        }
        if r.chance(0.3) {
            b.set("target", s("prod"));
        }
        if r.chance(0.3) {
            b.set("labels", M::new().with("org.example.built", s("yes")).y());
        }
        if r.chance(0.3) {
            b.set("cache_from", seq(&["type=local,src=/tmp/cache"]));
        }
        if r.chance(0.2) {
            b.set("network", s("host"));
        }
        if r.chance(0.2) {
            b.set("shm_size", s("128m"));
        }
        if r.chance(0.2) {
            b.set("extra_hosts", seq(&["mirror:10.0.0.9"]));
        }
        b.y()
    }

    fn command(&mut self) -> Y {
        let r = &mut self.rng;
        match r.below(4) {
            0 => s("sh -c 'echo hello && sleep 1'"),
            1 => seq(&["sh", "-c", "echo $$HOME"]),
            2 => s("run --port ${PORT:-80}"),
            _ => Y::Seq(vec![s("serve"), s("--verbose")]),
        }
    }

    fn environment(&mut self) -> Y {
        let v = self.text("value");
        if self.rng.chance(0.5) {
            Y::Seq(vec![s(format!("A={v}")), s("B"), s("C=x=y"), s("D=")])
        } else {
            M::new().with("A", s(v)).with("B", Y::P("null".into())).with("C", p(2)).with("D", p("true")).with("E", s("")).y()
        }
    }

    fn ports(&mut self) -> Y {
        let mut items = Vec::new();
        for _ in 0..1 + self.rng.below(3) {
            let (a, b) = (self.port(), self.port());
            let item = match self.rng.below(8) {
                0 => s(a.to_string()),
                1 => s(format!("{a}:{b}")),
                2 => s(format!("127.0.0.1:{a}:{b}/udp")),
                3 => s(format!("{a}-{}:{b}-{}", a + 1, b + 1)),
                4 => s(format!("${{PORT:-{a}}}:{b}")),
                5 => p(format!("'{a}:{b}/tcp'")),
                6 => M::new().with("target", p(b)).with("published", s(a.to_string())).with("protocol", s("tcp")).with("mode", s("host")).y(),
                _ => M::new()
                    .with("target", p(b))
                    .with("published", p(a))
                    .with("host_ip", s("0.0.0.0"))
                    .with("name", s("web"))
                    .with("app_protocol", s("http"))
                    .y(),
            };
            items.push(item);
        }
        Y::Seq(items)
    }

    fn volumes(&mut self) -> Y {
        let mut items = Vec::new();
        for i in 0..1 + self.rng.below(3) {
            let named = *self.rng.pick(&["data", "cache", "logs"]);
            let item = match self.rng.below(8) {
                0 => {
                    self.volumes.insert(named.into());
                    s(format!("{named}:/var/{named}{i}"))
                }
                1 => s(format!("./src:/src{i}:ro")),
                2 => s(format!("/tmp/host{i}:/host{i}:rw")),
                3 => s(format!("/anon{i}")),
                4 => {
                    self.volumes.insert(named.into());
                    M::new()
                        .with("type", s("volume"))
                        .with("source", s(named))
                        .with("target", s(format!("/v{i}")))
                        .with("volume", M::new().with("nocopy", p("true")).y())
                        .y()
                }
                5 => M::new()
                    .with("type", s("bind"))
                    .with("source", s("./conf"))
                    .with("target", s(format!("/etc/conf{i}")))
                    .with("read_only", p("true"))
                    .with("bind", M::new().with("propagation", s("rprivate")).with("create_host_path", p("true")).y())
                    .y(),
                6 => M::new().with("type", s("tmpfs")).with("target", s(format!("/cache{i}"))).with("tmpfs", M::new().with("size", p(1_048_576)).y()).y(),
                _ => s(format!("${{DATA_DIR:-./data}}:/data{i}")),
            };
            items.push(item);
        }
        Y::Seq(items)
    }

    fn networks(&mut self) -> Y {
        let names = self.rng.some(&["front", "back", "default"], 2);
        if self.rng.chance(0.5) {
            for n in &names {
                self.networks.insert(n.to_string());
            }
            return seq(&names);
        }
        let mut m = M::new();
        for n in names {
            self.networks.insert(n.to_string());
            let v = match self.rng.below(4) {
                0 => Y::P("null".into()),
                1 => M::new().with("aliases", seq(&["alias1", "alias2"])).y(),
                2 if n == "back" => M::new().with("ipv4_address", s(format!("172.28.0.{}", 10 + self.rng.below(200)))).y(),
                _ => M::new().with("priority", p(100)).y(),
            };
            m.set(n, v);
        }
        m.y()
    }

    fn depends_on(&mut self) -> Option<Y> {
        if self.services.is_empty() {
            return None;
        }
        let targets = self.rng.some(&self.services.clone(), 2);
        if self.rng.chance(0.5) {
            return Some(seq(&targets));
        }
        let mut m = M::new();
        for t in targets {
            let mut d = M::new().with("condition", s(*self.rng.pick(&["service_started", "service_healthy", "service_completed_successfully"])));
            if self.rng.chance(0.3) {
                d.set("restart", p("true"));
            }
            if self.rng.chance(0.2) {
                d.set("required", p("false"));
            }
            m.set(&t, d.y());
        }
        Some(m.y())
    }

    fn healthcheck(&mut self) -> Y {
        let r = &mut self.rng;
        if r.chance(0.1) {
            return M::new().with("disable", p("true")).y();
        }
        let test = match r.below(3) {
            0 => seq(&["CMD", "curl", "-f", "http://localhost"]),
            1 => seq(&["CMD-SHELL", "pg_isready || exit 1"]),
            _ => s("wget -q -O- localhost"),
        };
        let mut h = M::new().with("test", test);
        for (k, v) in [("interval", "30s"), ("timeout", "5s"), ("start_period", "1m"), ("start_interval", "2s")] {
            if r.chance(0.5) {
                h.set(k, s(v));
            }
        }
        if r.chance(0.5) {
            h.set("retries", p(3));
        }
        h.y()
    }

    fn deploy(&mut self) -> Y {
        let r = &mut self.rng;
        let mut d = M::new();
        if r.chance(0.7) {
            let mut limits = M::new().with("cpus", s("0.5")).with("memory", s("${MEM:-512M}")).with("pids", p(100));
            if !known::avoid("service_limit_without_deploy_twin") && r.chance(0.3) {
                limits.0.remove(r.below(3));
            }
            let mut res = M::new().with("limits", limits.y());
            if r.chance(0.5) {
                res.set("reservations", M::new().with("cpus", p(0.25)).with("memory", s("128M")).y());
            }
            d.set("resources", res.y());
        }
        if r.chance(0.3) {
            d.set("replicas", p(2));
        }
        if r.chance(0.3) {
            d.set("restart_policy", M::new().with("condition", s("on-failure")).with("max_attempts", p(3)).with("delay", s("5s")).y());
        }
        if r.chance(0.2) {
            d.set("labels", seq(&["tier=web"]));
        }
        if r.chance(0.2) {
            d.set("update_config", M::new().with("parallelism", p(2)).with("order", s("start-first")).y());
        }
        d.y()
    }

    fn labels(&mut self) -> Y {
        let v = self.text("v1");
        if self.rng.chance(0.5) {
            Y::Seq(vec![s(format!("com.example.one={v}")), s("com.example.flag")])
        } else {
            M::new().with("com.example.one", s(v)).with("com.example.two", s("")).y()
        }
    }

    /// One service; `name` is added to the known services afterwards.
    pub fn service(&mut self, name: &str) -> M {
        let mut svc = M::new();
        if self.rng.chance(0.3) {
            svc.set("build", self.build());
            if self.rng.chance(0.5) {
                svc.set("image", self.image());
            }
        } else {
            svc.set("image", self.image());
        }
        self.attributes(&mut svc, 0.25);
        if let Some(d) = self.rng.chance(0.4).then(|| self.depends_on()).flatten() {
            svc.set("depends_on", d);
        }
        self.services.push(name.to_string());
        svc
    }

    /// Optional attributes, each with probability `prob` (also used for the
    /// partial services of override files).
    pub fn attributes(&mut self, svc: &mut M, prob: f64) {
        macro_rules! maybe {
            ($key:expr, $value:expr) => {
                if self.rng.chance(prob) {
                    let v = $value;
                    svc.set($key, v);
                }
            };
        }
        maybe!("command", self.command());
        maybe!("entrypoint", if self.rng.chance(0.5) { s("/docker-entrypoint.sh") } else { seq(&["/bin/sh", "-c"]) });
        maybe!("environment", self.environment());
        maybe!("env_file", self.env_file());
        maybe!("ports", self.ports());
        maybe!("expose", Y::Seq(vec![s("3000"), p(3001), s("4000-4001")]));
        maybe!("volumes", self.volumes());
        maybe!("tmpfs", if self.rng.chance(0.5) { s("/run") } else { seq(&["/run", "/tmp:size=64m"]) });
        if !svc.has("network_mode") {
            maybe!("networks", self.networks());
        }
        maybe!("healthcheck", self.healthcheck());
        maybe!("deploy", self.deploy());
        maybe!("restart", s(*self.rng.pick(&["no", "always", "on-failure", "unless-stopped", "on-failure:3"])));
        maybe!("labels", self.labels());
        maybe!("ulimits", M::new().with("nofile", M::new().with("soft", p(1024)).with("hard", p(2048)).y()).with("nproc", p(65535)).y());
        maybe!("sysctls", if self.rng.chance(0.5) { M::new().with("net.core.somaxconn", p(1024)).y() } else { seq(&["net.ipv4.tcp_syncookies=0"]) });
        maybe!(
            "extra_hosts",
            if self.rng.chance(0.5) { seq(&["host.docker.internal:host-gateway", "db:10.0.0.2"]) } else { M::new().with("somehost", s("162.242.195.82")).y() }
        );
        maybe!("secrets", self.grants(true));
        maybe!("configs", self.grants(false));
        maybe!("logging", M::new().with("driver", s("json-file")).with("options", M::new().with("max-size", s("10m")).with("max-file", s("3")).y()).y());
        maybe!("cap_add", seq(&["NET_ADMIN", "SYS_PTRACE"]));
        maybe!("cap_drop", seq(&["ALL"]));
        maybe!("user", s(self.text("1000:1000")));
        maybe!("working_dir", s("/app"));
        maybe!("hostname", s(self.text("host")));
        maybe!("stop_grace_period", s("1m30s"));
        maybe!("stop_signal", s("SIGINT"));
        maybe!("init", p("true"));
        maybe!("read_only", p("false"));
        maybe!("tty", p("true"));
        maybe!("stdin_open", p("true"));
        maybe!("shm_size", s("64m"));
        // The same values as deploy.resources.limits (v2 refuses distinct ones).
        maybe!("mem_limit", s("${MEM:-512M}"));
        maybe!("cpus", p(0.5));
        maybe!("pids_limit", p(100));
        maybe!("scale", p(2));
        maybe!("dns", if self.rng.chance(0.5) { s("8.8.8.8") } else { seq(&["1.1.1.1", "8.8.4.4"]) });
        maybe!("dns_search", seq(&["example.com"]));
        maybe!("security_opt", seq(&["no-new-privileges:true"]));
        maybe!("devices", seq(&["/dev/fuse:/dev/fuse"]));
        maybe!("group_add", Y::Seq(vec![s("wheel"), p(1001)]));
        maybe!("pull_policy", s(*self.rng.pick(&["always", "missing", "never", "if_not_present"])));
        maybe!("platform", s("linux/amd64"));
        maybe!("x-note", s("extension"));
        maybe!("annotations", M::new().with("com.example.a", s("b")).y());
        maybe!("oom_score_adj", p(-100));
        if !known::avoid("profiles") {
            maybe!("profiles", seq(&["debug"]));
        }
    }

    fn env_file(&mut self) -> Y {
        match self.rng.below(3) {
            0 => s("app.env"),
            1 => seq(&["app.env", "extra.env"]),
            _ => Y::Seq(vec![s("app.env"), M::new().with("path", s("missing.env")).with("required", p("false")).y()]),
        }
    }

    fn grants(&mut self, secrets: bool) -> Y {
        let pool: &[&str] = if secrets { &["db_pass", "api_key"] } else { &["app_conf", "motd"] };
        let names = self.rng.some(pool, 2);
        let mut items = Vec::new();
        for n in names {
            if secrets {
                self.secrets.insert(n.into())
            } else {
                self.configs.insert(n.into())
            };
            items.push(if self.rng.chance(0.5) {
                s(n)
            } else {
                M::new().with("source", s(n)).with("target", s(format!("/run/{n}"))).with("uid", s("103")).with("mode", p("0440")).y()
            });
        }
        Y::Seq(items)
    }
}
