//! The labels on a service container.
//!
//! Owns: which labels rcompose and docker compose put on a container, from
//! the service's own labels and the names the caller supplies. Label strings
//! come from `engine::labels`; this file never spells one.

use std::collections::HashMap;

use super::SpecInput;
use crate::engine::labels;
use crate::model::{Project, Service};

/// Labels rcompose and docker compose put on a service container.
pub fn container_labels(project: &Project, service: &Service, input: &SpecInput) -> HashMap<String, String> {
    let mut l: HashMap<String, String> = service.labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    l.insert(labels::PROJECT.into(), input.project.clone());
    l.insert(labels::SERVICE.into(), input.service.clone());
    l.insert(labels::NUMBER.into(), input.number.to_string());
    l.insert(labels::ONEOFF.into(), if input.oneoff { "True" } else { "False" }.into());
    l.insert(labels::CONFIG_HASH.into(), input.config_hash.clone());
    l.insert(labels::WORKING_DIR.into(), project.working_dir.to_string_lossy().into_owned());
    l.insert(labels::CONFIG_FILES.into(), project.config_files.iter().map(|p| p.to_string_lossy().into_owned()).collect::<Vec<_>>().join(","));
    l.insert(labels::IMAGE.into(), input.image.clone());
    l.insert(labels::VERSION.into(), labels::version());
    let deps: Vec<String> = service
        .depends_on
        .iter()
        .map(|(name, d)| {
            let cond = serde_json::to_value(d.condition).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            format!("{name}:{cond}:{}", d.restart)
        })
        .collect();
    l.insert(labels::DEPENDS_ON.into(), deps.join(","));
    l
}
