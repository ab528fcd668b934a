//! A service's limits and devices: ulimits, devices, device requests
//! (GPUs), block I/O.
//!
//! Owns: these fields in canonical form, and printing a one-number ulimit
//! as that number. Enforcing them is the engine's.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::model::forms::{string_map, ByteSize};

#[derive(Clone, Debug, Default, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ulimit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hard: Option<i64>,
}

/// A ulimit given as one number prints as that number; otherwise soft/hard.
impl Serialize for Ulimit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        if let (Some(single), None, None) = (self.single, self.soft, self.hard) {
            return s.serialize_i64(single);
        }
        let mut m = s.serialize_map(None)?;
        if let Some(v) = self.single {
            m.serialize_entry("single", &v)?;
        }
        if let Some(v) = self.soft {
            m.serialize_entry("soft", &v)?;
        }
        if let Some(v) = self.hard {
            m.serialize_entry("hard", &v)?;
        }
        m.end()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Device {
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceRequest {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", serialize_with = "crate::model::forms::sorted_map", deserialize_with = "string_map")]
    #[schemars(schema_with = "crate::model::schema::list_or_dict")]
    pub options: IndexMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlkioConfig {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device_read_bps: Vec<BlkioLimit>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device_read_iops: Vec<BlkioLimit>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device_write_bps: Vec<BlkioLimit>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device_write_iops: Vec<BlkioLimit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u16>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weight_device: Vec<BlkioWeight>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlkioLimit {
    pub path: String,
    pub rate: ByteSize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlkioWeight {
    pub path: String,
    pub weight: u16,
}
