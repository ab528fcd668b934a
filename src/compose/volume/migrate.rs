//! Volumes whose definition in the file no longer matches the engine's,
//! and their migration: a changed `driver` or `driver_opts` (the engine
//! cannot change a volume's options), or a changed `name:` (the data sits
//! in the old volume). `up` leaves such a volume alone and says why;
//! `up --migrate-volumes` (or `volume migrate`) copies the data into a
//! volume made as the file asks and keeps the old data in a volume of its
//! own, outside the project, until the user removes it. Nothing is ever
//! deleted without a copy.

use miette::miette;

use super::copy;
use crate::engine::{ContainerRef, Engine, VolumeSpec};
use crate::model::Project;
use crate::progress::{Event, Kind, Reporter, Status};
pub use crate::reconcile::drift::{drifts, Change, Drift};
use crate::reconcile::observe::Observed;
use crate::reconcile::resources::volume_spec;
use crate::{Error, ErrorKind};

/// Label on a volume that holds data kept by a migration.
pub const MIGRATED_FROM: &str = "io.rcompose.migrated-from";

/// The refusal of `up` without `--migrate-volumes` for a renamed volume:
/// starting on an empty volume would look like lost data.
pub fn refuse_renamed(drifts: &[Drift]) -> Result<(), Error> {
    let renamed: Vec<String> = drifts.iter().filter(|d| matches!(d.change, Change::Renamed { .. })).map(ToString::to_string).collect();
    if renamed.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::State,
        miette!(
            code = "rcompose::volume_renamed",
            help = "run `rcompose up --migrate-volumes` to copy the data into the new volume (the old one is kept), or remove the old volume to start empty",
            "{}",
            renamed.join("; ")
        ),
    ))
}

/// A migration done: where the data was kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migrated {
    pub name: String,
    /// The volume holding the data as it was before.
    pub kept: String,
}

/// Migrates each drift: removes the containers using the volume (the
/// caller's `up` creates them anew), copies the data, and returns where
/// the old data is kept.
pub async fn migrate(engine: &dyn Engine, project: &Project, observed: &Observed, drifts: &[Drift], reporter: &dyn Reporter) -> Result<Vec<Migrated>, Error> {
    let mut done = Vec::new();
    for d in drifts {
        let ev = |name: &str, s: Status, detail: String| reporter.event(Event::new(Kind::Volume, name, s).detail(detail));
        match &d.change {
            Change::Renamed { old } => {
                remove_users(engine, observed, old, reporter).await?;
                engine.create_volume(&volume_spec(project, &d.key)).await?;
                ev(&d.name, Status::Copying, format!("from {old}"));
                copy(engine, project, observed, old, &d.name).await?;
                ev(&d.name, Status::Copied, format!("from {old}"));
                done.push(Migrated { name: d.name.clone(), kept: old.clone() });
            }
            Change::Options { .. } => {
                let stamp: String = crate::render::ps::rfc3339_utc(std::time::SystemTime::now()).chars().filter(char::is_ascii_digit).collect();
                let kept = format!("{}-premigration-{stamp}", d.name);
                let spec = VolumeSpec { name: kept.clone(), labels: [(MIGRATED_FROM.to_string(), d.name.clone())].into(), ..VolumeSpec::default() };
                engine.create_volume(&spec).await?;
                ev(&kept, Status::Copying, format!("from {}", d.name));
                copy(engine, project, observed, &d.name, &kept).await?;
                ev(&kept, Status::Copied, format!("from {}", d.name));
                remove_users(engine, observed, &d.name, reporter).await?;
                engine.remove_volume(&d.name).await?;
                engine.create_volume(&volume_spec(project, &d.key)).await?;
                ev(&d.name, Status::Copying, format!("from {kept}"));
                copy(engine, project, observed, &kept, &d.name).await?;
                ev(&d.name, Status::Copied, format!("from {kept}"));
                done.push(Migrated { name: d.name.clone(), kept });
            }
        }
    }
    Ok(done)
}

/// Stops and removes the project's containers that mount `volume` (their
/// anonymous volumes are left), so it can be replaced.
async fn remove_users(engine: &dyn Engine, observed: &Observed, volume: &str, reporter: &dyn Reporter) -> Result<(), Error> {
    for c in observed.containers.iter().filter(|c| c.volumes.iter().any(|(v, _)| v == volume)) {
        let me = ContainerRef::new(&c.id, &c.name);
        reporter.event(Event::new(Kind::Container, &c.name, Status::Removing));
        engine.stop_container(me, None).await?;
        engine.remove_container(me, false).await?;
        reporter.event(Event::new(Kind::Container, &c.name, Status::Removed));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::VolumeSummary;
    use crate::testing::load;

    /// (name, driver, options, labels) of each volume the engine has.
    type Found<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], &'a [(&'a str, &'a str)]);

    fn observed(volumes: &[Found<'_>]) -> Observed {
        let mut o = Observed::default();
        for (name, driver, opts, labels) in volumes {
            o.volumes.insert(
                (*name).to_string(),
                VolumeSummary {
                    name: (*name).to_string(),
                    driver: (*driver).to_string(),
                    options: opts.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect(),
                    labels: labels.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect(),
                    mountpoint: String::new(),
                },
            );
        }
        o
    }

    #[test]
    fn changed_options_and_names_are_drifts_and_the_rest_is_not() {
        let p = load(
            "name: demo\nservices:\n  db: { image: x, volumes: [data:/d, same:/s, moved:/m, ext:/e] }\nvolumes:\n  data: { driver_opts: { type: tmpfs, device: tmpfs } }\n  same: {}\n  moved: { name: moved-v2 }\n  ext: { external: true }\n",
        );
        let project_label =
            |key: &'static str| -> Vec<(&'static str, &'static str)> { vec![("com.docker.compose.project", "demo"), ("com.docker.compose.volume", key)] };
        let (d, s, m) = (project_label("data"), project_label("same"), project_label("moved"));
        let o =
            observed(&[("demo_data", "local", &[], &d), ("demo_same", "local", &[], &s), ("demo_moved", "local", &[], &m), ("ext", "nfs", &[("o", "x")], &[])]);
        let found = drifts(&p, &o, &["data", "same", "moved", "ext"]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].name, "demo_data");
        assert!(
            found[0].to_string().contains("options {}, but the file asks for driver local and options {\"device\": \"tmpfs\", \"type\": \"tmpfs\"}"),
            "{}",
            found[0]
        );
        assert_eq!(found[1].change, Change::Renamed { old: "demo_moved".into() });
        let Err(Error::Other { kind, report }) = refuse_renamed(&found) else { panic!("a renamed volume must stop up") };
        assert_eq!(kind, ErrorKind::State);
        assert!(report.to_string().contains("now named moved-v2"), "{report}");
        assert!(refuse_renamed(&found[..1]).is_ok(), "changed options alone do not stop `up`");
        assert!(drifts(&p, &o, &["same"]).is_empty());
    }
}
