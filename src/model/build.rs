//! The `build:` section in its long form.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::forms::{env_map, string_map, ByteSize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Build {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dockerfile_inline: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entitlements: Vec<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "env_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub args: IndexMap<String, Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sbom: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "env_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub ssh: IndexMap<String, Option<String>>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub labels: IndexMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cache_from: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cache_to: Vec<String>,
    #[serde(default, skip_serializing_if = "crate::model::forms::unset_or_false")]
    pub no_cache: Option<bool>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub additional_contexts: IndexMap<String, String>,
    #[serde(default, skip_serializing_if = "crate::model::forms::unset_or_false")]
    pub pull: Option<bool>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::host_list")]
    #[schemars(schema_with = "crate::model::schema::extra_hosts")]
    pub extra_hosts: IndexMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "crate::model::schema::short_or_long_list::<super::service::FileRef>")]
    pub secrets: Vec<super::service::FileRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shm_size: Option<ByteSize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map")]
    #[schemars(schema_with = "crate::model::schema::ulimits")]
    pub ulimits: IndexMap<String, super::service::Ulimit>,
    /// A list only: docker compose v2 refuses a single string.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    #[serde(default, skip_serializing_if = "crate::model::forms::unset_or_false")]
    pub privileged: Option<bool>,
}
