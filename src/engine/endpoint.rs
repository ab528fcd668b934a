//! Where the engine is: an address and how to secure the connection to it.
//!
//! Owns: the [`Endpoint`] that [`super::Docker::connect_to`] dials, and the
//! "default" endpoint of the environment alone (DOCKER_HOST,
//! DOCKER_TLS_VERIFY, DOCKER_CERT_PATH). Choosing a docker CLI context and
//! reading its files is `cli::docker_context`'s job; this module reads no
//! files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The local engine's socket, when nothing names another.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// An engine address, with the TLS files to reach it and the docker CLI
/// context it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `unix:///path`, `tcp://host:port`, `http://…` or `https://…`.
    pub host: String,
    /// TLS client files; `None` for a plain connection.
    pub tls: Option<TlsFiles>,
    /// The docker CLI context named by the user (flag, DOCKER_CONTEXT or
    /// config.json); `None` for the default context.
    pub context: Option<String>,
}

/// The three PEM files of a TLS connection with a verified server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsFiles {
    /// `ca.pem`, `cert.pem` and `key.pem` in `dir`, the docker CLI's names.
    pub fn in_dir(dir: &Path) -> TlsFiles {
        TlsFiles { ca: dir.join("ca.pem"), cert: dir.join("cert.pem"), key: dir.join("key.pem") }
    }
}

impl Endpoint {
    /// A plain endpoint at `host`.
    pub fn plain(host: impl Into<String>) -> Endpoint {
        Endpoint { host: host.into(), tls: None, context: None }
    }

    /// The endpoint of the environment alone: DOCKER_HOST (default: the
    /// local socket); TLS when DOCKER_TLS_VERIFY is set (not to `0`) or the
    /// host is `https://`, with the files in DOCKER_CERT_PATH (default:
    /// `~/.docker`).
    pub fn from_env(env: &HashMap<String, String>) -> Endpoint {
        let host = env.get("DOCKER_HOST").cloned().filter(|h| !h.is_empty()).unwrap_or_else(|| DEFAULT_HOST.into());
        let tls = tls_verify_from_env(env) || host.starts_with("https://");
        let tls = tls.then(|| TlsFiles::in_dir(&cert_dir_from_env(env)));
        Endpoint { host, tls, context: None }
    }
}

/// True when DOCKER_TLS_VERIFY asks for a verified TLS connection.
pub fn tls_verify_from_env(env: &HashMap<String, String>) -> bool {
    env.get("DOCKER_TLS_VERIFY").is_some_and(|v| !v.is_empty() && v != "0")
}

/// DOCKER_CERT_PATH, else `$HOME/.docker`.
pub fn cert_dir_from_env(env: &HashMap<String, String>) -> PathBuf {
    env.get("DOCKER_CERT_PATH")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(format!("{}/.docker", env.get("HOME").cloned().unwrap_or_default())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn nothing_set_means_the_local_socket_without_tls() {
        assert_eq!(Endpoint::from_env(&env(&[])), Endpoint::plain(DEFAULT_HOST));
        assert_eq!(Endpoint::from_env(&env(&[("DOCKER_HOST", "")])), Endpoint::plain(DEFAULT_HOST));
    }

    #[test]
    fn tls_verify_takes_the_files_from_the_cert_path_or_home() {
        let e = Endpoint::from_env(&env(&[("DOCKER_HOST", "tcp://h:2376"), ("DOCKER_TLS_VERIFY", "1"), ("DOCKER_CERT_PATH", "/certs")]));
        assert_eq!(e.tls, Some(TlsFiles::in_dir(Path::new("/certs"))));
        let e = Endpoint::from_env(&env(&[("DOCKER_HOST", "https://h:2376"), ("HOME", "/home/u")]));
        assert_eq!(e.tls.unwrap().ca, PathBuf::from("/home/u/.docker/ca.pem"));
        assert_eq!(Endpoint::from_env(&env(&[("DOCKER_HOST", "tcp://h:2375"), ("DOCKER_TLS_VERIFY", "0")])).tls, None);
    }
}
