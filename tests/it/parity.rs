//! Files docker compose v2 loads in its own particular way: each test holds
//! what `docker compose config --format json` (v2.40.3) printed for the same
//! project, with the project folder written `@DIR@`.

use serde_json::{json, Value};

use crate::support::{load_dir, project, rcompose};

/// `config --format json` of a project made of `files`, as a JSON value
/// with the project folder replaced by `@DIR@`.
fn config(files: &[(&str, &str)], env: &[(&str, &str)]) -> Value {
    let dir = project(files);
    let loaded = load_dir(dir.path(), env).unwrap_or_else(|f| panic!("{}", crate::support::rendered(&f)));
    let text = rcompose::render::config_json(&loaded.project).replace(dir.path().to_str().unwrap(), "@DIR@");
    serde_json::from_str(&text).unwrap()
}

/// The exit code and stderr of `rcompose config` on a project made of `files`.
fn config_fails(files: &[(&str, &str)]) -> (i32, String) {
    let dir = project(files);
    let out = rcompose(dir.path(), &["config", "--format", "json"], &[]);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn env_file_formats_and_dotenv_values() {
    let compose = "services:\n  app:\n    image: ${IMAGE}\n    environment:\n      GREETING: ${GREETING}\n    env_file:\n      - path: raw.env\n        format: raw\n      - path: plain.env\n";
    let got = config(
        &[
            ("compose.yaml", compose),
            (".env", "IMAGE=default_env:${TAG:-fallback}\nGREETING=Env File\n"),
            (
                "raw.env",
                "RAW1=\"quoted value\"\nRAW2='single'\nRAW3=with ${VAR} and # not comment\nRAW4=  spaced  \n# comment\n  RAW10=a=b\n\nRAW11='unclosed\nRAW12\n",
            ),
            ("plain.env", "P1=\"a b\"\nP2=x y # c\n"),
        ],
        &[],
    );
    let app = &got["services"]["app"];
    assert_eq!(app["image"], json!("default_env:fallback"));
    assert_eq!(
        app["environment"],
        json!({
            "GREETING": "Env File", "P1": "a b", "P2": "x y", "RAW1": "\"quoted value\"", "RAW10": "a=b",
            "RAW11": "'unclosed", "RAW2": "'single'", "RAW3": "with $${VAR} and # not comment", "RAW4": "  spaced  "
        })
    );
    let (code, err) = config_fails(&[("compose.yaml", compose), ("raw.env", "export A=1\n"), ("plain.env", "")]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("raw.env") && err.contains("whitespace"), "{err}");
}

#[test]
fn empty_text_fields_are_absent() {
    let compose = "services:
  app:
    image: busybox
    hostname: ${U}
    restart: ${U}
    stop_signal: ${U}
    user: ''
    command: ${U}
    labels: {a: '${U}'}
    dns: ${U}
    tmpfs: ${U}
    logging: {driver: '${U}'}
    networks: {n: {ipv4_address: '${U}'}}
    volumes: [{type: volume, source: '${U}', target: /x}]
    ports: [{target: 80}, {target: 81, protocol: '${U}'}, {target: 82, published: '${U}'}, {target: 83, mode: '${U}'}]
  built:
    build: ${U}
  dockerfile:
    build: {context: ., dockerfile: '${U}', target: '${U}'}
networks:
  n: {driver: '${U}', driver_opts: {a: '${U}'}, ipam: {driver: '${U}'}}
";
    let got = config(&[("compose.yaml", compose)], &[]);
    let app = &got["services"]["app"];
    let expected = json!({
        "command": [], "entrypoint": null, "image": "busybox", "labels": {"a": ""}, "logging": {}, "networks": {"n": {}},
        "tmpfs": [""], "volumes": [{"type": "volume", "target": "/x"}],
        "ports": [
            {"mode": "ingress", "target": 80, "protocol": "tcp"}, {"mode": "ingress", "target": 81},
            {"mode": "ingress", "target": 82, "protocol": "tcp"}, {"target": 83, "protocol": "tcp"}
        ]
    });
    assert_eq!(app, &expected);
    assert_eq!(got["services"]["built"]["build"], json!({"dockerfile": "Dockerfile"}));
    assert_eq!(got["services"]["dockerfile"]["build"], json!({"context": "@DIR@"}));
    assert_eq!(got["networks"]["n"]["driver_opts"], json!({"a": ""}));
    assert_eq!(got["networks"]["n"]["ipam"], json!({}));
    assert!(got["networks"]["n"].get("driver").is_none());
}

#[test]
fn empty_fields_v2_rejects_fail_the_load() {
    // v2: "has neither an image nor a build context", and schema pattern or
    // enum errors for the others; all exit 1.
    for (field, words) in [
        ("image: ${U}", "neither an image nor a build context"),
        ("image: x\n    container_name: ${U}", "container_name"),
        ("image: x\n    container_name: a", "container_name"),
        ("image: x\n    pull_policy: ${U}", "pull_policy"),
        ("image: x\n    cgroup: ${U}", "cgroup"),
        ("image: x\n    ports: [{target: 80, host_ip: '${U}'}]", "not an IP address"),
        ("image: x\n    ports: ['1.2.3:80:80']", "1.2.3"),
    ] {
        let (code, err) = config_fails(&[("compose.yaml", &format!("services:\n  app:\n    {field}\n"))]);
        assert_eq!(code, 1, "{field}: {err}");
        assert!(err.contains(words) && err.contains("compose.yaml:"), "{field}: {err}");
    }
}

/// A deliberate difference (README): v2 prints an empty resource `name` as
/// no name at all, leaving the resource nameless; rcompose gives it the
/// name it would have had without the line.
#[test]
fn empty_resource_name_gets_the_default_name() {
    let compose = "name: demo\nservices:\n  app:\n    image: x\n    volumes: ['data:/v']\n    networks: [n]\nvolumes:\n  data: {name: '${U}'}\nnetworks:\n  n: {name: '${U}'}\n";
    let got = config(&[("compose.yaml", compose)], &[]);
    assert_eq!(got["volumes"]["data"]["name"], json!("demo_data"));
    assert_eq!(got["networks"]["n"]["name"], json!("demo_n"));
}

#[test]
fn develop_watch_paths_and_exec() {
    let compose = "services:
  app:
    image: x
    develop:
      watch:
        - {action: sync, path: ./src, target: /app/src, ignore: [node_modules/, '*.tmp']}
        - {action: rebuild, path: package.json}
        - {action: sync+restart, path: /abs/path, target: relative/target, initial_sync: true}
        - action: sync+exec
          path: ~/x
          target: /app
          exec: {command: echo hi, user: root, privileged: true, working_dir: /w, environment: [A=1]}
        - {action: sync+exec, path: ../up, target: /t, exec: {command: [sh, -c, x]}, include: ['*.js']}
";
    let dir = project(&[("proj/compose.yaml", compose)]);
    let loaded = load_dir(&dir.path().join("proj"), &[("HOME", "/home/u")]).unwrap();
    let text = rcompose::render::config_json(&loaded.project).replace(dir.path().to_str().unwrap(), "@DIR@");
    let got: Value = serde_json::from_str(&text).unwrap();
    let null_exec = json!({"command": null});
    assert_eq!(
        got["services"]["app"]["develop"]["watch"],
        json!([
            {"path": "@DIR@/proj/src", "action": "sync", "target": "/app/src", "exec": null_exec, "ignore": ["node_modules/", "*.tmp"]},
            {"path": "@DIR@/proj/package.json", "action": "rebuild", "exec": null_exec},
            {"path": "/abs/path", "action": "sync+restart", "target": "relative/target", "exec": null_exec, "initial_sync": true},
            {"path": "/home/u/x", "action": "sync+exec", "target": "/app",
             "exec": {"command": ["echo", "hi"], "user": "root", "privileged": true, "working_dir": "/w", "environment": {"A": "1"}}},
            {"path": "@DIR@/up", "action": "sync+exec", "target": "/t", "exec": {"command": ["sh", "-c", "x"]}, "include": ["*.js"]}
        ])
    );
    // The YAML leaves the unset `exec` out and single-quotes globs.
    let yaml = rcompose::render::config_yaml(&loaded.project);
    assert_eq!(yaml.matches("exec:").count(), 2, "{yaml}");
    assert!(yaml.contains("- '*.tmp'"), "{yaml}");
}

#[test]
fn provider_options_are_lists_of_text() {
    let compose = "services:
  app:
    provider:
      type: awesomecloud
      options: {type: mysql, size: 256, list: [a, b], flag: true, num: 1.5, multi: [x, 2]}
  web:
    image: x
    depends_on: [app]
";
    let got = config(&[("compose.yaml", compose)], &[]);
    assert_eq!(
        got["services"]["app"],
        json!({"command": null, "entrypoint": null, "provider": {"type": "awesomecloud", "options": {
            "flag": ["true"], "list": ["a", "b"], "multi": ["x", "2"], "num": ["1.5"], "size": ["256"], "type": ["mysql"]
        }}})
    );
    assert_eq!(got["services"]["web"]["networks"], json!({"default": null}));
    for bad in ["{a: {b: c}}", "{a: null}", "[a=1]", "{a: [[1]]}"] {
        let (code, err) = config_fails(&[("compose.yaml", &format!("services:\n  app:\n    provider:\n      type: x\n      options: {bad}\n"))]);
        assert_eq!(code, 1, "{bad}: {err}");
        assert!(err.contains("compose.yaml:5:"), "{bad}: {err}");
    }
}

#[test]
fn windows_absolute_paths_as_v2_treats_them() {
    let compose = r"services:
  app:
    image: x
    volumes:
      - C:\data:/data
      - c:/data3:/data3:ro
      - v:/v
      - {type: bind, source: 'D:\bind', target: /b}
    env_file: [{path: 'C:\envs\a.env', required: false}]
    build: {context: 'C:\ctx', dockerfile: 'D:\Dockerfile'}
    secrets: [s]
secrets:
  s: {file: 'C:\secret'}
";
    let got = config(&[("compose.yaml", compose)], &[]);
    let app = &got["services"]["app"];
    // Bind sources and secret files are kept; build contexts are joined.
    assert_eq!(
        app["volumes"],
        json!([
            {"type": "bind", "source": "C:\\data", "target": "/data", "bind": {"create_host_path": true}},
            {"type": "bind", "source": "c:/data3", "target": "/data3", "read_only": true, "bind": {"create_host_path": true}},
            {"type": "volume", "target": "v:/v", "volume": {}},
            {"type": "bind", "source": "D:\\bind", "target": "/b"}
        ])
    );
    assert_eq!(app["build"], json!({"context": "@DIR@/C:\\ctx", "dockerfile": "D:\\Dockerfile"}));
    assert_eq!(got["secrets"]["s"]["file"], json!("C:\\secret"));
    // v2: "env file /…/C:\envs\a.env not found".
    let (code, err) = config_fails(&[("compose.yaml", "services:\n  app:\n    image: x\n    env_file: ['C:\\envs\\a.env']\n")]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("/C:\\envs\\a.env not found"), "{err}");
}

#[test]
fn reset_and_override_through_extends() {
    let compose = "services:
  base:
    image: busybox
    ports: ['80:80']
    environment: {A: '1', B: '2'}
    labels: {l1: x}
    command: [run]
    volumes: ['/a:/a']
  web:
    extends: base
    ports: !reset []
    environment: !override {C: '3'}
    labels: !reset {}
    command: !reset null
  other:
    extends: {service: base}
    volumes: !override ['/b:/b']
    image: !reset null
    build: .
";
    let got = config(&[("compose.yaml", compose)], &[]);
    let bind = |p: &str| json!({"type": "bind", "source": p, "target": p, "bind": {"create_host_path": true}});
    assert_eq!(
        got["services"]["web"],
        json!({"command": null, "entrypoint": null, "environment": {"C": "3"}, "image": "busybox", "networks": {"default": null}, "volumes": [bind("/a")]})
    );
    let other = &got["services"]["other"];
    assert!(other.get("image").is_none(), "{other}");
    assert_eq!(other["volumes"], json!([bind("/b")]));
    assert_eq!(other["command"], json!(["run"]));

    // Each file resolves its own `extends` before the files merge, so an
    // override's `!reset` also drops what `extends` brought in.
    let base = "services:\n  base:\n    image: b\n    ports: ['80:80']\n  web:\n    extends: base\n    ports: ['81:81']\n";
    let got = config(&[("compose.yaml", base), ("compose.override.yaml", "services:\n  web:\n    ports: !reset []\n")], &[]);
    assert!(got["services"]["web"].get("ports").is_none(), "{}", got["services"]["web"]);
    // ... and cannot extend a service of another `-f` file (v2: "cannot
    // extend service", exit 1).
    let (code, err) = config_fails(&[("compose.yaml", base), ("compose.override.yaml", "services:\n  new:\n    extends: base\n")]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("compose.override.yaml:3:"), "{err}");
}

#[test]
fn local_bind_volume_device_resolves_against_the_project() {
    let compose = "services:
  app:
    image: x
    volumes: [a1:/1, a2:/2, a3:/3, a4:/4, a5:/5, a6:/6]
volumes:
  a1: {driver: local, driver_opts: {type: none, o: bind, device: ./data}}
  a2: {driver: local, driver_opts: {o: bind, device: ~/x}}
  a3: {driver: local, driver_opts: {o: 'bind,ro', device: ./x}}
  a4: {driver: local, driver_opts: {type: nfs, device: ./x}}
  a5: {driver_opts: {type: none, o: bind, device: ./x}}
  a6: {driver: local, driver_opts: {o: bind, device: /abs/x}}
";
    let dir = project(&[("compose.yaml", compose)]);
    let loaded = load_dir(dir.path(), &[("HOME", "/home/u")]).unwrap();
    let text = rcompose::render::config_json(&loaded.project).replace(dir.path().to_str().unwrap(), "@DIR@");
    let got: Value = serde_json::from_str(&text).unwrap();
    let devices: Vec<&Value> = ["a1", "a2", "a3", "a4", "a5", "a6"].iter().map(|v| &got["volumes"][v]["driver_opts"]["device"]).collect();
    assert_eq!(devices, [&json!("@DIR@/data"), &json!("/home/u/x"), &json!("./x"), &json!("./x"), &json!("./x"), &json!("/abs/x")]);
}

#[test]
fn models_as_v2_prints_them() {
    let compose = "services:
  app:
    image: x
    models: [llm, emb]
  app2:
    image: x
    models:
      llm: {endpoint_var: AI_URL, model_var: AI_MODEL}
      emb: {}
models:
  llm: {model: ai/smollm2, context_size: 1024, runtime_flags: ['--a', b]}
  emb: {model: ai/emb, name: custom, x-foo: bar}
  unused: {model: ai/unused}
";
    let got = config(&[("compose.yaml", compose)], &[]);
    // v2's JSON has no top-level `models`; its YAML has the used ones.
    assert!(got.get("models").is_none(), "{got}");
    assert_eq!(got["services"]["app"]["models"], json!({"emb": null, "llm": null}));
    assert_eq!(got["services"]["app2"]["models"], json!({"emb": {}, "llm": {"endpoint_var": "AI_URL", "model_var": "AI_MODEL"}}));
    let dir = project(&[("compose.yaml", compose)]);
    let yaml = rcompose::render::config_yaml(&load_dir(dir.path(), &[]).unwrap().project);
    let tail = &yaml[yaml.find("\nmodels:").expect("models in YAML")..];
    assert_eq!(
        tail,
        "\nmodels:\n  emb:\n    name: custom\n    model: ai/emb\n    x-foo: bar\n  llm:\n    model: ai/smollm2\n    context_size: 1024\n    runtime_flags:\n      - --a\n      - b\n"
    );
    let (code, err) = config_fails(&[("compose.yaml", "services:\n  app:\n    image: x\n    models: [nope]\n")]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("undefined model `nope`") && err.contains("compose.yaml:4:"), "{err}");
}

#[test]
fn build_platform_and_ssh_checks() {
    let build = |rest: &str| format!("services:\n  app:\n    platform: linux/amd64\n    build:\n      context: .\n{rest}");
    // v2: "service.build.platforms MUST include service.platform", "must be
    // a array", "invalid ssh key", "must be a string", "additional
    // properties '' not allowed"; all exit 1.
    for (rest, at) in [
        ("      platforms: [linux/arm64]\n", "compose.yaml:3:15"),
        ("      platforms: linux/amd64\n", "compose.yaml:6:18"),
        ("      ssh: [a.b]\n", "compose.yaml:6:13"),
        ("      ssh: ['']\n", "compose.yaml:6:13"),
        ("      ssh: [1]\n", "compose.yaml:6:13"),
        ("      ssh: {'': x}\n", "compose.yaml:6:13"),
    ] {
        let (code, err) = config_fails(&[("compose.yaml", &build(rest))]);
        assert_eq!(code, 1, "{rest}: {err}");
        assert!(err.contains(at), "{rest}: {err}");
    }
    let ok = config(&[("compose.yaml", &build("      platforms: [linux/amd64, linux/arm64]\n      ssh: [default, 'key=./id', 'a b=c']\n"))], &[]);
    assert_eq!(ok["services"]["app"]["build"]["platforms"], json!(["linux/amd64", "linux/arm64"]));
    // A deliberate difference (README): v2 fails to print a key with a
    // path as JSON and prints it as a `'key: /path'` string in YAML.
    assert_eq!(ok["services"]["app"]["build"]["ssh"], json!({"a b": "@DIR@/c", "default": null, "key": "@DIR@/id"}));
}

#[test]
fn loader_warnings_go_through_the_progress_reporter() {
    let dir = project(&[("compose.yaml", "version: '3'\nservices:\n  app:\n    image: \"x${U}\"\n")]);
    let run = |progress: &str| {
        let out = rcompose(dir.path(), &["--progress", progress, "config", "-q"], &[]);
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // docker compose v2's JSON log lines: {"level":"warning","msg":…,"time":…}.
    let json = run("json");
    let lines: Vec<Value> = json.lines().map(|l| serde_json::from_str(l).expect(l)).collect();
    assert_eq!(lines.len(), 2, "{json}");
    for line in &lines {
        assert_eq!(line["level"], json!("warning"));
        assert!(line["time"].as_str().is_some_and(|t| t.ends_with('Z')), "{line}");
    }
    assert_eq!(lines[0]["msg"], json!("compose.yaml:1:1: the top-level `version` is obsolete and ignored"));
    assert_eq!(lines[1]["msg"], json!("the \"U\" variable is not set; defaulting to a blank string"));
    // A deliberate difference (README): v2 prints them even when quiet.
    assert_eq!(run("quiet"), "");
    let plain = run("plain");
    assert!(plain.contains("WARN[0000] the \"U\" variable is not set"), "{plain}");
}
