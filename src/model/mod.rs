//! The typed compose project: plain owned data, ordered maps, no I/O.
//!
//! Owns: [`Project`] and the types under it. Values are in canonical (long)
//! form with paths resolved and variables interpolated; `Serialize` prints the
//! shape `docker compose config` prints. Extension (`x-`) fields ride along in
//! `extensions` maps that the `config` renderer splices back in.

pub mod build;
pub mod deploy;
pub mod forms;
pub mod mounts;
pub mod namespace;
pub mod policy;
pub mod resources;
pub mod schema;
pub mod service;

use std::path::PathBuf;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

pub use build::Build;
pub use mounts::{MountType, Port, ServiceVolume, VolumesFrom, VolumesSource};
pub use namespace::NamespaceMode;
pub use policy::{PullPolicy, Restart};
pub use resources::{FileObject, Model, Network, Volume};
pub use service::{Condition, Dependency, Service};

/// Extension fields (`x-*`) of one object, as JSON values.
pub type Extensions = IndexMap<String, serde_json::Value>;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Project {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub services: IndexMap<String, Service>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(schema_with = "schema::nullable_map::<Network>")]
    pub networks: IndexMap<String, Network>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(schema_with = "schema::nullable_map::<Volume>")]
    pub volumes: IndexMap<String, Volume>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(schema_with = "schema::nullable_map::<FileObject>")]
    pub secrets: IndexMap<String, FileObject>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(schema_with = "schema::nullable_map::<FileObject>")]
    pub configs: IndexMap<String, FileObject>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub models: IndexMap<String, Model>,
    /// Accepted and ignored, as compose does (it is obsolete).
    #[serde(default, skip_serializing)]
    pub version: Option<String>,
    /// Where relative paths resolve.
    #[serde(skip)]
    pub working_dir: PathBuf,
    /// The compose files, in load order.
    #[serde(skip)]
    pub config_files: Vec<PathBuf>,
    /// Services left out because their profiles are not enabled.
    #[serde(skip)]
    pub disabled_services: IndexMap<String, Service>,
    /// `x-` fields: "" for the top level, `services.NAME`, `volumes.NAME`, ...
    #[serde(skip)]
    pub extensions: IndexMap<String, Extensions>,
}

impl Project {
    /// Enables services named on the command line whose profiles are off,
    /// with the services they depend on, as docker compose does for
    /// `up SERVICE` and `run SERVICE`. Unknown names are left for the caller
    /// to report.
    pub fn enable_services(&mut self, names: &[String]) {
        let mut todo: Vec<String> = names.to_vec();
        while let Some(name) = todo.pop() {
            if let Some(svc) = self.disabled_services.shift_remove(&name) {
                todo.extend(svc.depends_on.keys().cloned());
                self.services.insert(name, svc);
            }
        }
    }

    /// Replica count: `scale`, else `deploy.replicas`, else 1.
    pub fn replicas(service: &Service) -> u32 {
        service.scale.or_else(|| service.deploy.as_ref().and_then(|d| d.replicas)).unwrap_or(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_a_profiled_service_enables_it_and_its_dependencies() {
        let mut p = Project::default();
        p.services.insert("app".into(), Service::default());
        let mut tool = Service::default();
        tool.depends_on.insert("helper".into(), Dependency { condition: Condition::ServiceStarted, restart: false, required: true });
        p.disabled_services.insert("tool".into(), tool);
        p.disabled_services.insert("helper".into(), Service::default());
        p.disabled_services.insert("other".into(), Service::default());
        p.enable_services(&["tool".into(), "nope".into()]);
        assert_eq!(p.services.keys().collect::<Vec<_>>(), ["app", "tool", "helper"]);
        assert_eq!(p.disabled_services.keys().collect::<Vec<_>>(), ["other"]);
    }
}
