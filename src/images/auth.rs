//! Registry credentials from the docker CLI's config (`$DOCKER_CONFIG` or
//! `~/.docker/config.json`): `auths` entries and credential helpers
//! (`credsStore`, `credHelpers`). Credentials are handed to the engine and
//! never printed or logged.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::Engine as _;

use crate::engine::Credentials;

/// The registry host of an image reference (`docker.io` when none).
pub fn registry_of(image: &str) -> String {
    let first = image.split('/').next().unwrap_or("");
    if image.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost") {
        first.to_string()
    } else {
        "docker.io".to_string()
    }
}

fn config_path(env: &HashMap<String, String>) -> Option<PathBuf> {
    if let Some(dir) = env.get("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    env.get("HOME").map(|h| PathBuf::from(h).join(".docker/config.json"))
}

/// Credentials for the registry of `image`, if the config has any.
pub fn credentials_for(image: &str, env: &HashMap<String, String>) -> Option<Credentials> {
    let registry = registry_of(image);
    let text = std::fs::read_to_string(config_path(env)?).ok()?;
    let config: serde_json::Value = serde_json::from_str(&text).ok()?;
    let keys: Vec<String> = if registry == "docker.io" {
        vec!["https://index.docker.io/v1/".into(), "docker.io".into(), "index.docker.io".into()]
    } else {
        vec![registry.clone(), format!("https://{registry}"), format!("http://{registry}")]
    };
    let helper = keys.iter().find_map(|k| config["credHelpers"][k].as_str()).or_else(|| config["credsStore"].as_str()).map(str::to_string);
    if let Some(helper) = helper {
        if let Some(c) = from_helper(&helper, &keys[0]) {
            return Some(c);
        }
    }
    for k in &keys {
        let entry = &config["auths"][k];
        if let Some(auth) = entry["auth"].as_str() {
            let decoded = base64::engine::general_purpose::STANDARD.decode(auth).ok()?;
            let text = String::from_utf8(decoded).ok()?;
            let (user, pass) = text.split_once(':')?;
            return Some(Credentials { username: Some(user.to_string()), password: Some(pass.to_string()), server: registry, ..Default::default() });
        }
        if let Some(token) = entry["identitytoken"].as_str() {
            return Some(Credentials { identity_token: Some(token.to_string()), server: registry, ..Default::default() });
        }
    }
    None
}

fn from_helper(helper: &str, server: &str) -> Option<Credentials> {
    let mut child =
        Command::new(format!("docker-credential-{helper}")).arg("get").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().ok()?;
    child.stdin.take()?.write_all(server.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    if !out.status.success() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    let user = v["Username"].as_str()?.to_string();
    let secret = v["Secret"].as_str()?.to_string();
    if user == "<token>" {
        return Some(Credentials { identity_token: Some(secret), server: server.to_string(), ..Default::default() });
    }
    Some(Credentials { username: Some(user), password: Some(secret), server: server.to_string(), ..Default::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries() {
        assert_eq!(registry_of("postgres:16"), "docker.io");
        assert_eq!(registry_of("library/postgres"), "docker.io");
        assert_eq!(registry_of("localhost:5000/app:1"), "localhost:5000");
        assert_eq!(registry_of("127.0.0.1:5000/app"), "127.0.0.1:5000");
        assert_eq!(registry_of("ghcr.io/org/app"), "ghcr.io");
    }

    #[test]
    fn reads_auths_from_docker_config() {
        let dir = tempfile::tempdir().unwrap();
        let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret");
        std::fs::write(dir.path().join("config.json"), format!("{{\"auths\": {{\"127.0.0.1:5000\": {{\"auth\": \"{auth}\"}}}}}}")).unwrap();
        let env = HashMap::from([("DOCKER_CONFIG".to_string(), dir.path().to_string_lossy().into_owned())]);
        let c = credentials_for("127.0.0.1:5000/app", &env).unwrap();
        assert_eq!((c.username.as_deref(), c.password.as_deref()), (Some("alice"), Some("s3cret")));
        assert_eq!(c.server, "127.0.0.1:5000");
        assert!(!format!("{c:?}").contains("s3cret"), "credentials never print");
        assert!(credentials_for("other.io/app", &env).is_none());
    }
}
