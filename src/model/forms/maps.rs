//! Mappings that compose accepts as a mapping or a `KEY=VALUE` list, and
//! maps printed the way docker compose prints them.
//!
//! Owns: `ListOrDict` and the serde helpers fields name in `deserialize_with`
//! and `serialize_with`. No I/O; which field uses which helper is the
//! model's.

use std::fmt;

use indexmap::IndexMap;
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::text::{text_list, ScalarText};

/// `KEY=VALUE` list or mapping; a key without a value maps to `None`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ListOrDict(pub IndexMap<String, Option<String>>);

impl<'de> Deserialize<'de> for ListOrDict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ListOrDict;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping or a list of KEY=VALUE strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ListOrDict, A::Error> {
                let mut out = IndexMap::new();
                for item in text_list(seq)? {
                    match item.split_once('=') {
                        Some((k, v)) => out.insert(k.to_string(), Some(v.to_string())),
                        None => out.insert(item, None),
                    };
                }
                Ok(ListOrDict(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ListOrDict, A::Error> {
                let mut out = IndexMap::new();
                while let Some((k, ScalarText(v))) = map.next_entry::<String, ScalarText>()? {
                    out.insert(k, v);
                }
                Ok(ListOrDict(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A mapping or `KEY=VALUE` list where a missing value means empty text
/// (labels, sysctls, annotations).
pub fn string_map<'de, D: Deserializer<'de>>(d: D) -> Result<IndexMap<String, String>, D::Error> {
    let ListOrDict(m) = ListOrDict::deserialize(d)?;
    Ok(m.into_iter().map(|(k, v)| (k, v.unwrap_or_default())).collect())
}

/// `environment`-style map; keeps `None` for keys without a value.
pub fn env_map<'de, D: Deserializer<'de>>(d: D) -> Result<IndexMap<String, Option<String>>, D::Error> {
    ListOrDict::deserialize(d).map(|l| l.0)
}

/// `extra_hosts` as docker compose prints them: `host=ip` strings, by host.
pub fn host_list<S: Serializer>(m: &IndexMap<String, Vec<String>>, s: S) -> Result<S::Ok, S::Error> {
    let sorted: std::collections::BTreeMap<&String, &Vec<String>> = m.iter().collect();
    let list: Vec<String> = sorted.iter().flat_map(|(h, ips)| ips.iter().map(move |ip| format!("{h}={ip}"))).collect();
    list.serialize(s)
}

/// Serializes a map with its keys sorted, as Go prints maps.
pub fn sorted_map<S: Serializer, V: Serialize>(m: &IndexMap<String, V>, s: S) -> Result<S::Ok, S::Error> {
    let sorted: std::collections::BTreeMap<&String, &V> = m.iter().collect();
    sorted.serialize(s)
}
