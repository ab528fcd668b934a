//! Volumes whose definition in the file no longer matches what the engine
//! has: other driver or options under the same name, or a new `name:`
//! while the data sits in the project's old volume. Pure: the plan warns
//! with it, `compose::volume::migrate` acts on it.

use std::collections::BTreeMap;
use std::fmt;

use super::observe::Observed;
use crate::engine::{labels, VolumeSummary};
use crate::model::{Project, Volume};

/// How a project volume differs from what the engine has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    pub key: String,
    /// The engine name the file asks for.
    pub name: String,
    pub change: Change,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Same name, other driver or options: (driver, options) had → wanted.
    Options { had: (String, BTreeMap<String, String>), wanted: (String, BTreeMap<String, String>) },
    /// The file names it anew; the data is in `old`.
    Renamed { old: String },
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.change {
            Change::Options { had, wanted } => write!(
                f,
                "volume {} has driver {} and options {:?}, but the file asks for driver {} and options {:?}",
                self.name, had.0, had.1, wanted.0, wanted.1
            ),
            Change::Renamed { old } => write!(f, "volume `{}` is now named {} in the file, but its data is in {old}", self.key, self.name),
        }
    }
}

/// The drifted volumes among the project's volume `keys`. Pure.
pub fn drifts(project: &Project, observed: &Observed, keys: &[&str]) -> Vec<Drift> {
    let mut out = Vec::new();
    for (key, vol) in &project.volumes {
        if vol.external || !keys.contains(&key.as_str()) {
            continue;
        }
        let name = vol.name().to_string();
        let change = match observed.volumes.get(&name) {
            Some(found) => options_change(vol, found),
            None => observed
                .volumes
                .values()
                .find(|v| v.labels.get(labels::PROJECT) == Some(&project.name) && v.labels.get(labels::VOLUME) == Some(key))
                .map(|v| Change::Renamed { old: v.name.clone() }),
        };
        if let Some(change) = change {
            out.push(Drift { key: key.clone(), name, change });
        }
    }
    out
}

/// A changed driver or options: what the engine's volume `found` has
/// against what the file's `vol` asks for.
pub fn options_change(vol: &Volume, found: &VolumeSummary) -> Option<Change> {
    let wanted = (vol.driver.clone().unwrap_or_else(|| "local".into()), vol.driver_opts.clone().into_iter().collect::<BTreeMap<_, _>>());
    let had = (found.driver.clone(), found.options.clone().into_iter().collect::<BTreeMap<_, _>>());
    (had != wanted).then_some(Change::Options { had, wanted })
}
