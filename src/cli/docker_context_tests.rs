//! Context resolution against a temporary docker configuration folder.

use super::*;
use crate::engine::endpoint::DEFAULT_HOST;

struct Config {
    dir: tempfile::TempDir,
}

impl Config {
    fn new() -> Config {
        Config { dir: tempfile::tempdir().unwrap() }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a context as `docker context create` does.
    fn context(&self, name: &str, endpoint: &str) -> &Config {
        let meta = self.path().join("contexts/meta").join(context_key(name));
        std::fs::create_dir_all(&meta).unwrap();
        let json = format!(r#"{{"Name":"{name}","Metadata":{{}},"Endpoints":{{"docker":{endpoint}}}}}"#);
        std::fs::write(meta.join("meta.json"), json).unwrap();
        self
    }

    fn tls(&self, name: &str) -> PathBuf {
        let dir = self.path().join("contexts/tls").join(context_key(name)).join("docker");
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["ca.pem", "cert.pem", "key.pem"] {
            std::fs::write(dir.join(f), "pem").unwrap();
        }
        dir
    }

    fn current(&self, name: &str) -> &Config {
        std::fs::write(self.path().join("config.json"), format!(r#"{{"auths":{{}},"currentContext":"{name}"}}"#)).unwrap();
        self
    }

    fn env(&self, pairs: &[(&str, &str)]) -> HashMap<String, String> {
        let mut env: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        env.insert("DOCKER_CONFIG".into(), self.path().display().to_string());
        env
    }
}

fn flags_context(name: &str) -> DockerFlags {
    DockerFlags { context: Some(name.into()), ..DockerFlags::default() }
}

fn flags_host(host: &str) -> DockerFlags {
    DockerFlags { hosts: vec![host.into()], ..DockerFlags::default() }
}

fn host(r: Result<Endpoint, ContextError>) -> String {
    r.unwrap().host
}

const PROD: &str = r#"{"Host":"unix:///prod.sock","SkipTLSVerify":false}"#;
const CI: &str = r#"{"Host":"unix:///ci.sock","SkipTLSVerify":false}"#;

#[test]
fn the_key_is_the_sha256_of_the_name_as_the_docker_cli_stores_it() {
    // `docker context create nope` stores it under this folder.
    assert_eq!(context_key("nope"), "ca3704aa0b06f5954c79ee837faa152d84d6b2d42838f0637a15eda8337dbdce");
}

#[test]
fn nothing_configured_is_the_local_socket() {
    let c = Config::new();
    assert_eq!(resolve(&DockerFlags::default(), &c.env(&[])).unwrap(), Endpoint::plain(DEFAULT_HOST));
}

#[test]
fn precedence_is_the_docker_clis() {
    let c = Config::new();
    c.context("prod", PROD).context("ci", CI).current("ci");
    let none = DockerFlags::default();
    // config.json's currentContext, under DOCKER_CONTEXT, under DOCKER_HOST.
    assert_eq!(host(resolve(&none, &c.env(&[]))), "unix:///ci.sock");
    assert_eq!(host(resolve(&none, &c.env(&[("DOCKER_CONTEXT", "prod")]))), "unix:///prod.sock");
    assert_eq!(host(resolve(&none, &c.env(&[("DOCKER_CONTEXT", "prod"), ("DOCKER_HOST", "unix:///env.sock")]))), "unix:///env.sock");
    // --host beats every variable; --context beats DOCKER_HOST too.
    let env = c.env(&[("DOCKER_CONTEXT", "prod"), ("DOCKER_HOST", "unix:///env.sock")]);
    assert_eq!(host(resolve(&flags_host("unix:///flag.sock"), &env)), "unix:///flag.sock");
    assert_eq!(host(resolve(&flags_context("ci"), &env)), "unix:///ci.sock");
    // "default" means DOCKER_HOST or the socket, whatever config.json says.
    assert_eq!(host(resolve(&flags_context("default"), &c.env(&[]))), DEFAULT_HOST);
    assert_eq!(host(resolve(&none, &c.env(&[("DOCKER_CONTEXT", "default")]))), DEFAULT_HOST);
}

#[test]
fn a_named_context_says_so() {
    let c = Config::new();
    c.context("prod", PROD);
    let e = resolve(&flags_context("prod"), &c.env(&[])).unwrap();
    assert_eq!(e, Endpoint { host: "unix:///prod.sock".into(), tls: None, context: Some("prod".into()) });
}

#[test]
fn the_config_flag_beats_docker_config() {
    let c = Config::new();
    c.context("prod", PROD);
    let flags = DockerFlags { config: Some(c.path().into()), ..flags_context("prod") };
    let env: HashMap<String, String> = [("DOCKER_CONFIG".to_string(), "/nonexistent".to_string())].into();
    assert_eq!(host(resolve(&flags, &env)), "unix:///prod.sock");
}

#[test]
fn an_unknown_context_names_itself_what_named_it_and_the_missing_file() {
    let c = Config::new();
    let err = resolve(&flags_context("nope"), &c.env(&[])).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, ContextError::NotFound { .. }), "{err:?}");
    assert!(text.contains("\"nope\"") && text.contains("--context") && text.contains(&context_key("nope")), "{text}");
    c.current("gone");
    let text = resolve(&DockerFlags::default(), &c.env(&[])).unwrap_err().to_string();
    assert!(text.contains("\"gone\"") && text.contains("currentContext"), "{text}");
    let text = resolve(&DockerFlags::default(), &c.env(&[("DOCKER_CONTEXT", "other")])).unwrap_err().to_string();
    assert!(text.contains("from DOCKER_CONTEXT"), "{text}");
}

#[test]
fn host_and_context_together_are_refused() {
    let c = Config::new();
    let flags = DockerFlags { hosts: vec!["unix:///a".into()], ..flags_context("prod") };
    assert!(matches!(resolve(&flags, &c.env(&[])), Err(ContextError::HostAndContext)));
    let flags = DockerFlags { hosts: vec!["unix:///a".into(), "unix:///b".into()], ..DockerFlags::default() };
    assert!(matches!(resolve(&flags, &c.env(&[])), Err(ContextError::SeveralHosts(2))));
}

#[test]
fn a_tcp_context_with_tls_files_uses_them() {
    let c = Config::new();
    c.context("remote", r#"{"Host":"tcp://10.0.0.1:2376","SkipTLSVerify":false}"#);
    let dir = c.tls("remote");
    let e = resolve(&flags_context("remote"), &c.env(&[])).unwrap();
    assert_eq!(e.tls, Some(TlsFiles::in_dir(&dir)));
    c.context("plain", r#"{"Host":"tcp://10.0.0.1:2375","SkipTLSVerify":false}"#);
    assert_eq!(resolve(&flags_context("plain"), &c.env(&[])).unwrap().tls, None);
    c.context("insecure", r#"{"Host":"tcp://10.0.0.1:2376","SkipTLSVerify":true}"#);
    assert!(matches!(resolve(&flags_context("insecure"), &c.env(&[])), Err(ContextError::SkipTlsVerify { .. })));
}

#[test]
fn broken_contexts_are_explained() {
    let c = Config::new();
    c.context("empty", r#"{"Host":""}"#);
    assert!(matches!(resolve(&flags_context("empty"), &c.env(&[])), Err(ContextError::NoDockerEndpoint { .. })));
    let meta = c.path().join("contexts/meta").join(context_key("bad"));
    std::fs::create_dir_all(&meta).unwrap();
    std::fs::write(meta.join("meta.json"), "{not json").unwrap();
    assert!(matches!(resolve(&flags_context("bad"), &c.env(&[])), Err(ContextError::Unreadable { .. })));
    // A broken config.json is ignored, as by the docker CLI.
    std::fs::write(c.path().join("config.json"), "{").unwrap();
    assert_eq!(host(resolve(&DockerFlags::default(), &c.env(&[]))), DEFAULT_HOST);
}

#[test]
fn tls_flags_shape_the_default_endpoint() {
    let c = Config::new();
    let flags = DockerFlags { hosts: vec!["tcp://h:2376".into()], tls_verify: Some(true), tls_ca: Some("/x/ca.pem".into()), ..DockerFlags::default() };
    let tls = resolve(&flags, &c.env(&[])).unwrap().tls.unwrap();
    assert_eq!(tls.ca, PathBuf::from("/x/ca.pem"));
    assert_eq!(tls.cert, c.path().join("cert.pem"));
    let env = c.env(&[("DOCKER_HOST", "tcp://h:2376"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", "/certs")]);
    assert_eq!(resolve(&DockerFlags::default(), &env).unwrap().tls, Some(TlsFiles::in_dir(Path::new("/certs"))));
    let off = DockerFlags { tls_verify: Some(false), ..DockerFlags::default() };
    assert_eq!(resolve(&off, &env).unwrap().tls, None);
}
