//! Commands around a container's life: `post_start` and `pre_stop` hooks,
//! and `develop.watch`.
//!
//! Owns: these fields in canonical form. Nothing here runs a hook or
//! watches a file.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::model::forms::{env_map, Command, StringList};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hook {
    pub command: Command,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privileged: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "env_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub environment: IndexMap<String, Option<String>>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Develop {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub watch: Vec<Watch>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Watch {
    pub path: String,
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<Hook>,
    #[serde(default, skip_serializing_if = "StringList::is_empty")]
    pub include: StringList,
    #[serde(default, skip_serializing_if = "StringList::is_empty")]
    pub ignore: StringList,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_sync: Option<bool>,
}
