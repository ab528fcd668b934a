//! A service: everything compose-spec lets a user say about one container
//! template, in the long (canonical) form the loader normalises to.
//!
//! Owns: the typed fields and their canonical serialisation. Short syntax is
//! rewritten to long syntax before these types see it (see `load::shorthand`).
//! [`Service`] is here with its smallest parts (logging, credential spec,
//! provider); larger parts live one file per noun: `dependency`, `health`,
//! `refs` (secrets, configs, networks, models), `sources` (env files,
//! extends), `limits` (ulimits, devices, block I/O), `lifecycle` (hooks,
//! develop.watch). No I/O and no checks across services.

mod dependency;
mod health;
mod lifecycle;
mod limits;
mod refs;
mod sources;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::build::Build;
use super::deploy::Deploy;
use super::forms::{env_map, string_map, text_vec, ByteSize, Command, Duration, StringList};
use super::mounts::{Port, ServiceVolume, VolumesFrom};
use super::namespace::NamespaceMode;
use super::policy::{PullPolicy, Restart};

pub use dependency::{Condition, Dependency};
pub use health::Healthcheck;
pub use lifecycle::{Develop, Hook, Watch};
pub use limits::{BlkioConfig, BlkioLimit, BlkioWeight, Device, DeviceRequest, Ulimit};
pub use refs::{FileRef, ServiceModel, ServiceNetwork};
pub use sources::{EnvFile, Extends};

fn is_false(b: &bool) -> bool {
    !*b
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub annotations: IndexMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attach: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::model::schema::string_or::<crate::model::build::Build>")]
    pub build: Option<Build>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub develop: Option<Develop>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blkio_config: Option<BlkioConfig>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cap_add: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cap_drop: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup_parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup: Option<NamespaceMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_period: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_quota: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_rt_period: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_rt_runtime: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::model::schema::number_or_string")]
    pub cpus: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpuset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_shares: Option<i64>,
    #[serde(default)]
    pub command: Option<Command>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "crate::model::schema::short_or_long_list::<FileRef>")]
    pub configs: Vec<FileRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_spec: Option<CredentialSpec>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map")]
    #[schemars(schema_with = "crate::model::schema::names_or_map::<Dependency>")]
    pub depends_on: IndexMap<String, Dependency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy: Option<Deploy>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device_cgroup_rules: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "crate::model::schema::short_or_long_list::<Device>")]
    pub devices: Vec<Device>,
    #[serde(default, skip_serializing_if = "StringList::is_empty")]
    pub dns: StringList,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_opt: Vec<String>,
    #[serde(default, skip_serializing_if = "StringList::is_empty")]
    pub dns_search: StringList,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domainname: Option<String>,
    #[serde(default)]
    pub entrypoint: Option<Command>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<Provider>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "env_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub environment: IndexMap<String, Option<String>>,
    /// Read into `environment` while loading; never printed.
    #[serde(default, skip_serializing)]
    #[schemars(schema_with = "crate::model::schema::env_files")]
    pub env_file: Vec<EnvFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "text_vec")]
    #[schemars(schema_with = "crate::model::schema::scalar_list")]
    pub expose: Vec<String>,
    #[serde(default, skip_serializing)]
    #[schemars(schema_with = "crate::model::schema::string_or::<Extends>")]
    pub extends: Option<Extends>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_links: Vec<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::host_list")]
    #[schemars(schema_with = "crate::model::schema::extra_hosts")]
    pub extra_hosts: IndexMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "text_vec")]
    #[schemars(schema_with = "crate::model::schema::scalar_list")]
    pub group_add: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "crate::model::schema::gpus")]
    pub gpus: Vec<DeviceRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipc: Option<NamespaceMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolation: Option<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub labels: IndexMap<String, String>,
    #[serde(default, skip_serializing)]
    pub label_file: StringList,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem_limit: Option<ByteSize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem_reservation: Option<ByteSize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memswap_limit: Option<ByteSize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mem_swappiness: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map")]
    #[schemars(schema_with = "crate::model::schema::names_or_map::<ServiceModel>")]
    pub models: IndexMap<String, Option<ServiceModel>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<NamespaceMode>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map")]
    #[schemars(schema_with = "crate::model::schema::names_or_map::<ServiceNetwork>")]
    pub networks: IndexMap<String, Option<ServiceNetwork>>,
    #[serde(default, skip_serializing_if = "crate::model::forms::unset_or_false")]
    pub oom_kill_disable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oom_score_adj: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<NamespaceMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pids_limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "crate::model::schema::short_or_long_list::<Port>")]
    pub ports: Vec<Port>,
    #[serde(default, skip_serializing_if = "crate::model::forms::unset_or_false")]
    pub privileged: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_policy: Option<PullPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_refresh_after: Option<String>,
    #[serde(default, skip_serializing_if = "crate::model::forms::unset_or_false")]
    pub read_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<Restart>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "crate::model::schema::short_or_long_list::<FileRef>")]
    pub secrets: Vec<FileRef>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_opt: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shm_size: Option<ByteSize>,
    #[serde(default, skip_serializing_if = "crate::model::forms::unset_or_false")]
    pub stdin_open: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_grace_period: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub storage_opt: IndexMap<String, String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub sysctls: IndexMap<String, String>,
    #[serde(default, skip_serializing_if = "StringList::is_empty")]
    pub tmpfs: StringList,
    #[serde(default, skip_serializing_if = "crate::model::forms::unset_or_false")]
    pub tty: Option<bool>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map")]
    #[schemars(schema_with = "crate::model::schema::ulimits")]
    pub ulimits: IndexMap<String, Ulimit>,
    #[serde(default, skip_serializing_if = "crate::model::forms::unset_or_false")]
    pub use_api_socket: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userns_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uts: Option<NamespaceMode>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "crate::model::schema::short_or_long_list::<ServiceVolume>")]
    pub volumes: Vec<ServiceVolume>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes_from: Vec<VolumesFrom>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub post_start: Vec<Hook>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pre_stop: Vec<Hook>,
}

impl Service {
    /// The namespace settings (`network_mode`, `ipc`, `pid`, `uts`,
    /// `cgroup`) that are set, by key.
    pub fn namespaces(&self) -> impl Iterator<Item = (&'static str, &NamespaceMode)> {
        [("network_mode", &self.network_mode), ("ipc", &self.ipc), ("pid", &self.pid), ("uts", &self.uts), ("cgroup", &self.cgroup)]
            .into_iter()
            .filter_map(|(key, mode)| mode.as_ref().map(|m| (key, m)))
    }

    /// Services whose containers this one joins a namespace of.
    pub fn namespace_services(&self) -> impl Iterator<Item = &str> {
        self.namespaces().filter_map(|(_, mode)| mode.service())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Logging {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub options: IndexMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    #[serde(rename = "type")]
    pub kind: String,
    /// Each value a list of texts: a scalar is a list of one.
    #[serde(
        default,
        skip_serializing_if = "IndexMap::is_empty",
        serialize_with = "crate::model::forms::sorted_map",
        deserialize_with = "crate::model::forms::text_lists"
    )]
    #[schemars(schema_with = "crate::model::schema::provider_options")]
    pub options: IndexMap<String, Vec<String>>,
}
