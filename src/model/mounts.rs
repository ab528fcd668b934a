//! Published ports and mounts in their long form.
//!
//! Owns: [`Port`], [`ServiceVolume`] and [`VolumesFrom`] as `docker compose
//! config` prints them.

use std::fmt;
use std::str::FromStr;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use super::forms::{ByteSize, ScalarText};
use super::namespace::CONTAINER;
use super::policy::text_serde;
use crate::load::de::with_help;

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Port {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
    #[schemars(schema_with = "crate::model::schema::number_or_string")]
    pub target: u16,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "published")]
    #[schemars(schema_with = "crate::model::schema::number_or_string")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
}

fn published<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let super::forms::ScalarText(t) = super::forms::ScalarText::deserialize(d)?;
    Ok(t)
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MountType {
    #[default]
    Volume,
    Bind,
    Tmpfs,
    Npipe,
    Cluster,
    Image,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceVolume {
    #[serde(rename = "type")]
    pub kind: MountType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub target: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub read_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind: Option<BindOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<VolumeOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tmpfs: Option<TmpfsOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageOptions>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BindOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selinux: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagation: Option<String>,
    #[serde(default, skip_serializing_if = "not_true")]
    pub create_host_path: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recursive: Option<String>,
}

/// `create_host_path` is printed only when true, as docker compose does.
#[allow(clippy::ref_option)] // serde hands skip_serializing_if a reference
fn not_true(v: &Option<bool>) -> bool {
    *v != Some(true)
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VolumeOptions {
    #[serde(default, skip_serializing_if = "is_false")]
    pub nocopy: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subpath: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TmpfsOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<ByteSize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subpath: Option<String>,
}

/// A `volumes_from` entry: the volumes of a service's container
/// (`SERVICE[:MODE]`) or of any container (`container:NAME[:MODE]`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VolumesFrom {
    pub source: VolumesSource,
    /// `ro` or `rw` as written; the engine judges it.
    pub mode: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum VolumesSource {
    Service(String),
    Container(String),
}

impl VolumesFrom {
    /// The service whose container lends its volumes, if the entry names one.
    pub fn service(&self) -> Option<&str> {
        match &self.source {
            VolumesSource::Service(name) => Some(name),
            VolumesSource::Container(_) => None,
        }
    }
}

impl FromStr for VolumesFrom {
    type Err = String;

    fn from_str(text: &str) -> Result<VolumesFrom, String> {
        let (container, rest) = match text.strip_prefix(CONTAINER) {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (name, mode) = match rest.split_once(':') {
            Some((name, mode)) => (name, Some(mode.to_string())),
            None => (rest, None),
        };
        if name.is_empty() {
            return Err(format!("volumes_from entry `{text}` names no {}", if container { "container" } else { "service" }));
        }
        let source = if container { VolumesSource::Container(name.to_string()) } else { VolumesSource::Service(name.to_string()) };
        Ok(VolumesFrom { source, mode })
    }
}

impl fmt::Display for VolumesFrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            VolumesSource::Service(name) => f.write_str(name)?,
            VolumesSource::Container(name) => write!(f, "{CONTAINER}{name}")?,
        }
        match &self.mode {
            Some(mode) => write!(f, ":{mode}"),
            None => Ok(()),
        }
    }
}

text_serde!(VolumesFrom, "write `SERVICE`, `SERVICE:ro`, `container:NAME` or `container:NAME:ro`");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::policy::tests::service_from;

    #[test]
    fn volumes_from_entries_parse_and_print_as_written() {
        for text in ["db", "db:ro", "db:rw", "container:c1", "container:c1:ro"] {
            assert_eq!(text.parse::<VolumesFrom>().unwrap().to_string(), text);
        }
        let db = "db:ro".parse::<VolumesFrom>().unwrap();
        assert_eq!((db.service(), db.mode.as_deref()), (Some("db"), Some("ro")));
        assert_eq!("container:c1:ro".parse::<VolumesFrom>().unwrap().service(), None);
        assert_eq!("container:".parse::<VolumesFrom>(), Err("volumes_from entry `container:` names no container".to_string()));
        assert_eq!(":ro".parse::<VolumesFrom>(), Err("volumes_from entry `:ro` names no service".to_string()));
    }

    #[test]
    fn a_bad_volumes_from_entry_is_reported_where_it_is_written() {
        let svc = service_from("image: x\nvolumes_from: [db, 'container:c1:rw']\n").unwrap();
        assert_eq!(svc.volumes_from.iter().map(ToString::to_string).collect::<Vec<_>>(), ["db", "container:c1:rw"]);
        assert_eq!(
            service_from("image: x\nvolumes_from:\n  - db\n  - 'container:'\n").unwrap_err(),
            "compose.yaml:4:5: volumes_from entry `container:` names no container"
        );
    }
}
