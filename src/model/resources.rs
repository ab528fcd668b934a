//! Top-level volumes, networks, secrets, configs and models.
//!
//! A volume, network, secret or config reaches the engine under its `name`:
//! the one written in the file, else the key (external) or the key prefixed
//! with the project's name. The loader sets it on every one of them, so code
//! after loading reads it with `name()` and never rebuilds it.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::forms::string_map;

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub driver_opts: IndexMap<String, String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub external: bool,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub labels: IndexMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub driver_opts: IndexMap<String, String>,
    #[serde(default)]
    pub ipam: Ipam,
    #[serde(default, skip_serializing_if = "is_false")]
    pub external: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub internal: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub attachable: bool,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub labels: IndexMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_ipv4: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_ipv6: Option<bool>,
}

/// `name()` for the resources the loader names.
macro_rules! resolved_name {
    ($($ty:ty),*) => {$(
        impl $ty {
            /// The name on the engine, as the loader resolved it.
            ///
            /// # Panics
            /// On a resource that did not come through the loader (or a test
            /// that built one) without a name.
            pub fn name(&self) -> &str {
                self.name.as_deref().expect("the loader names every top-level resource")
            }
        }
    )*};
}

resolved_name!(Volume, Network, FileObject);

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ipam {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config: Vec<IpamPool>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub options: IndexMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IpamPool {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_range: Option<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub aux_addresses: IndexMap<String, String>,
}

/// A top-level secret or config: file, environment variable or inline content.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileObject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub external: bool,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub labels: IndexMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub driver_opts: IndexMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_driver: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Model {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runtime_flags: Vec<String>,
}
