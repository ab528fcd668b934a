//! Which engine to use, as the docker CLI decides it: `--host`, contexts,
//! DOCKER_HOST.
//!
//! Owns: choosing the docker CLI context (in the docker CLI's order: the
//! `--context` flag; else the default context when `--host` or DOCKER_HOST
//! is set; else DOCKER_CONTEXT; else `currentContext` in config.json; else
//! the default context), reading a named context's endpoint and TLS files
//! from the docker CLI's configuration folder, and the errors that say what
//! is wrong with them. The result is an [`Endpoint`] for the engine to dial;
//! nothing here connects.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use miette::Diagnostic;
use sha2::{Digest, Sha256};

use super::plugin::DockerFlags;
use crate::engine::endpoint::{cert_dir_from_env, tls_verify_from_env, Endpoint, TlsFiles};
use crate::{Error, ErrorKind};

/// The context that means "DOCKER_HOST, or the local socket".
pub const DEFAULT_CONTEXT: &str = "default";

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ContextError {
    #[error("docker context \"{name}\" (from {named_by}) does not exist: there is no {}", meta.display())]
    #[diagnostic(
        code(rcompose::context_not_found),
        help("`docker context ls` lists the contexts; choose another with --context or DOCKER_CONTEXT, or go back to the local engine with `docker context use default`")
    )]
    NotFound { name: String, named_by: String, meta: PathBuf },
    #[error("cannot read docker context \"{name}\" from {}: {reason}", path.display())]
    #[diagnostic(code(rcompose::context_unreadable), help("recreate it with `docker context rm` and `docker context create`"))]
    Unreadable { name: String, path: PathBuf, reason: String },
    #[error("docker context \"{name}\" has no Docker endpoint")]
    #[diagnostic(code(rcompose::context_no_endpoint), help("give it one with `docker context update {name} --docker host=…`"))]
    NoDockerEndpoint { name: String },
    #[error("docker context \"{name}\" skips TLS verification of {host}, which rcompose does not do")]
    #[diagnostic(
        code(rcompose::context_skip_tls_verify),
        help("store the engine's CA in the context (`docker context update {name} --docker host={host},ca=…,cert=…,key=…`)")
    )]
    SkipTlsVerify { name: String, host: String },
    #[error("conflicting options: both --host and --context name the engine")]
    #[diagnostic(code(rcompose::host_and_context), help("give only one of them"))]
    HostAndContext,
    #[error("only one --host may be given, not {0}")]
    #[diagnostic(code(rcompose::several_hosts))]
    SeveralHosts(usize),
}

impl From<ContextError> for Error {
    fn from(e: ContextError) -> Self {
        let kind = match e {
            ContextError::HostAndContext | ContextError::SeveralHosts(_) => ErrorKind::Usage,
            _ => ErrorKind::EngineUnreachable,
        };
        Error::new(kind, miette::Report::new(e))
    }
}

/// The docker CLI's configuration folder: `--config`, else DOCKER_CONFIG,
/// else `~/.docker`.
pub fn config_dir(flags: &DockerFlags, env: &HashMap<String, String>) -> PathBuf {
    flags
        .config
        .clone()
        .or_else(|| env.get("DOCKER_CONFIG").filter(|d| !d.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(format!("{}/.docker", env.get("HOME").cloned().unwrap_or_default())))
}

/// The engine endpoint that the docker CLI's flags, the environment and its
/// configuration folder name.
pub fn resolve(flags: &DockerFlags, env: &HashMap<String, String>) -> Result<Endpoint, ContextError> {
    if flags.context.is_some() && !flags.hosts.is_empty() {
        return Err(ContextError::HostAndContext);
    }
    if flags.hosts.len() > 1 {
        return Err(ContextError::SeveralHosts(flags.hosts.len()));
    }
    let dir = config_dir(flags, env);
    match chosen_context(flags, env, &dir) {
        Some((name, named_by)) if name != DEFAULT_CONTEXT => read_context(&dir, &name, &named_by),
        _ => Ok(default_endpoint(flags, env, &dir)),
    }
}

/// The context's name and what named it; `None` for the default context.
fn chosen_context(flags: &DockerFlags, env: &HashMap<String, String>, dir: &Path) -> Option<(String, String)> {
    let set = |key: &str| env.get(key).filter(|v| !v.is_empty()).cloned();
    if let Some(name) = flags.context.clone() {
        return Some((name, "--context".into()));
    }
    if !flags.hosts.is_empty() || set("DOCKER_HOST").is_some() {
        return None;
    }
    if let Some(name) = set("DOCKER_CONTEXT") {
        return Some((name, "DOCKER_CONTEXT".into()));
    }
    let config = dir.join("config.json");
    let name = current_context(&config)?;
    Some((name, format!("currentContext in {}", config.display())))
}

/// `currentContext` of a config.json; an unreadable file counts as none, as
/// in the docker CLI (with a warning).
fn current_context(config: &Path) -> Option<String> {
    let text = std::fs::read_to_string(config).ok()?;
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) => v.get("currentContext")?.as_str().filter(|n| !n.is_empty()).map(str::to_string),
        Err(e) => {
            tracing::warn!("ignoring {}: {e}", config.display());
            None
        }
    }
}

/// The folder name the docker CLI stores a context under.
pub fn context_key(name: &str) -> String {
    hex::encode(Sha256::digest(name.as_bytes()))
}

fn read_context(dir: &Path, name: &str, named_by: &str) -> Result<Endpoint, ContextError> {
    let key = context_key(name);
    let meta = dir.join("contexts/meta").join(&key).join("meta.json");
    let unreadable = |reason: String| ContextError::Unreadable { name: name.into(), path: meta.clone(), reason };
    let text = match std::fs::read_to_string(&meta) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ContextError::NotFound { name: name.into(), named_by: named_by.into(), meta });
        }
        Err(e) => return Err(unreadable(e.to_string())),
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| unreadable(e.to_string()))?;
    let docker = value.pointer("/Endpoints/docker").ok_or_else(|| ContextError::NoDockerEndpoint { name: name.into() })?;
    let host = docker.get("Host").and_then(serde_json::Value::as_str).filter(|h| !h.is_empty());
    let host = host.ok_or_else(|| ContextError::NoDockerEndpoint { name: name.into() })?.to_string();
    let skip_verify = docker.get("SkipTLSVerify").and_then(serde_json::Value::as_bool).unwrap_or(false);
    let tls_dir = dir.join("contexts/tls").join(&key).join("docker");
    let has_tls_files = std::fs::read_dir(&tls_dir).is_ok_and(|mut d| d.next().is_some());
    let remote = !host.starts_with("unix://");
    if skip_verify && remote {
        return Err(ContextError::SkipTlsVerify { name: name.into(), host });
    }
    let tls = (has_tls_files && remote).then(|| TlsFiles::in_dir(&tls_dir));
    Ok(Endpoint { host, tls, context: Some(name.into()) })
}

/// The default context: `--host`, else DOCKER_HOST, else the local socket;
/// TLS from the `--tls*` flags, else DOCKER_TLS_VERIFY, with the files in
/// DOCKER_CERT_PATH, else the configuration folder.
fn default_endpoint(flags: &DockerFlags, env: &HashMap<String, String>, dir: &Path) -> Endpoint {
    let mut endpoint = Endpoint::from_env(env);
    if let Some(host) = flags.hosts.first() {
        endpoint.host.clone_from(host);
    }
    let verify = flags.tls_verify.unwrap_or_else(|| tls_verify_from_env(env));
    let tls = flags.tls || verify || endpoint.host.starts_with("https://");
    let cert_dir = if env.get("DOCKER_CERT_PATH").is_some_and(|p| !p.is_empty()) { cert_dir_from_env(env) } else { dir.to_path_buf() };
    endpoint.tls = tls.then(|| {
        let mut files = TlsFiles::in_dir(&cert_dir);
        let pick = |flag: &Option<PathBuf>, default: &mut PathBuf| {
            if let Some(path) = flag {
                default.clone_from(path);
            }
        };
        pick(&flags.tls_ca, &mut files.ca);
        pick(&flags.tls_cert, &mut files.cert);
        pick(&flags.tls_key, &mut files.key);
        files
    });
    endpoint
}

#[cfg(test)]
#[path = "docker_context_tests.rs"]
mod tests;
