//! The `com.docker.compose.*` labels: the single place their names are
//! written and read, so that docker compose and rcompose recognise each
//! other's projects.

use std::collections::HashMap;

pub const PROJECT: &str = "com.docker.compose.project";
pub const SERVICE: &str = "com.docker.compose.service";
pub const NUMBER: &str = "com.docker.compose.container-number";
pub const ONEOFF: &str = "com.docker.compose.oneoff";
pub const CONFIG_HASH: &str = "com.docker.compose.config-hash";
pub const WORKING_DIR: &str = "com.docker.compose.project.working_dir";
pub const CONFIG_FILES: &str = "com.docker.compose.project.config_files";
pub const ENVIRONMENT_FILE: &str = "com.docker.compose.project.environment_file";
pub const DEPENDS_ON: &str = "com.docker.compose.depends_on";
pub const IMAGE: &str = "com.docker.compose.image";
pub const VERSION: &str = "com.docker.compose.version";
pub const VOLUME: &str = "com.docker.compose.volume";
pub const NETWORK: &str = "com.docker.compose.network";
pub const REPLACE: &str = "com.docker.compose.replace";

/// The version written into `com.docker.compose.version`.
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// `project=NAME` filter value for list calls.
pub fn project_filter(project: &str) -> String {
    format!("{PROJECT}={project}")
}

/// Labels of one container as rcompose reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerLabels {
    pub project: String,
    pub service: String,
    pub number: u32,
    pub oneoff: bool,
    pub config_hash: String,
}

impl ContainerLabels {
    pub fn parse(labels: &HashMap<String, String>) -> Option<ContainerLabels> {
        Some(ContainerLabels {
            project: labels.get(PROJECT)?.clone(),
            service: labels.get(SERVICE)?.clone(),
            number: labels.get(NUMBER).and_then(|n| n.parse().ok()).unwrap_or(1),
            oneoff: labels.get(ONEOFF).is_some_and(|v| v.eq_ignore_ascii_case("true")),
            config_hash: labels.get(CONFIG_HASH).cloned().unwrap_or_default(),
        })
    }
}
