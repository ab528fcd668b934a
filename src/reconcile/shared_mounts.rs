//! `volumes_from` as explicit mounts: the volumes and binds of each source
//! container, read from the engine, mounted at the same paths (read-only
//! with `:ro`, read-write with `:rw`, else as the source has them). The
//! engine's own `VolumesFrom` fails with "no such volume" when the source
//! container also has a tmpfs mount (Docker 20.10 and 28.5 alike, and so
//! docker compose v2); tmpfs mounts are the source's own memory and are not
//! shared either way. A mount of the service's own at the same path wins.

use std::collections::HashMap;

use crate::engine::{ContainerRef, Engine, EngineError, MountSummary};
use crate::model::{Service, VolumesFrom, VolumesSource};

/// One mount borrowed from another container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SharedMount {
    Volume { name: String, target: String, read_only: bool },
    Bind { source: String, target: String, read_only: bool },
}

/// The container a `volumes_from` entry names: a service's (by the id the
/// executor has, else its first container's name) or any by name.
pub fn source_container(entry: &VolumesFrom, containers: &HashMap<String, String>, project: &str) -> String {
    match &entry.source {
        VolumesSource::Service(svc) => super::spec::container_of(containers, project, svc),
        VolumesSource::Container(name) => name.clone(),
    }
}

/// Reads each source container's mounts and expands them.
pub async fn shared_mounts(
    engine: &dyn Engine,
    service: &Service,
    containers: &HashMap<String, String>,
    project: &str,
) -> Result<Vec<SharedMount>, EngineError> {
    let mut sources = Vec::new();
    for entry in &service.volumes_from {
        let container = source_container(entry, containers, project);
        let info = engine.inspect_container(ContainerRef::new(&container, &container)).await?;
        sources.push((entry.mode.as_deref(), info.mounts));
    }
    Ok(expand(service, &sources))
}

/// The mounts to add for `sources` (each entry's mode and its container's
/// mounts), in order, one per path, none where the service mounts its own.
pub fn expand(service: &Service, sources: &[(Option<&str>, Vec<MountSummary>)]) -> Vec<SharedMount> {
    let mut taken: Vec<String> = service.volumes.iter().map(|v| v.target.clone()).collect();
    taken.extend(service.tmpfs.0.iter().map(|t| t.split(':').next().unwrap_or_default().to_string()));
    let mut out = Vec::new();
    for (mode, mounts) in sources {
        for m in mounts {
            if taken.contains(&m.destination) {
                continue;
            }
            let read_only = match *mode {
                Some(mode) if mode.split(',').any(|o| o == "ro") => true,
                Some(mode) if mode.split(',').any(|o| o == "rw") => false,
                _ => !m.read_write,
            };
            let target = m.destination.clone();
            let shared = match (m.kind.as_str(), &m.name) {
                ("volume", Some(name)) => SharedMount::Volume { name: name.clone(), target, read_only },
                ("bind", _) => SharedMount::Bind { source: m.source.clone(), target, read_only },
                _ => continue,
            };
            taken.push(m.destination.clone());
            out.push(shared);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ServiceVolume;

    fn mount(kind: &str, name: Option<&str>, source: &str, destination: &str, read_write: bool) -> MountSummary {
        MountSummary { kind: kind.into(), name: name.map(str::to_string), source: source.into(), driver: None, destination: destination.into(), read_write }
    }

    #[test]
    fn volumes_and_binds_are_lent_tmpfs_is_not_and_own_mounts_win() {
        let mut service = Service::default();
        service.volumes.push(ServiceVolume { target: "/mine".into(), ..Default::default() });
        let db = vec![
            mount("volume", Some("demo_data"), "/var/lib/docker/volumes/demo_data/_data", "/data", true),
            mount("volume", Some("0af3"), "/var/lib/docker/volumes/0af3/_data", "/anon", true),
            mount("bind", None, "/srv/conf", "/conf", false),
            mount("tmpfs", None, "", "/scratch", true),
            mount("volume", Some("other"), "", "/mine", true),
        ];
        let got = expand(&service, &[(None, db.clone())]);
        assert_eq!(
            got,
            vec![
                SharedMount::Volume { name: "demo_data".into(), target: "/data".into(), read_only: false },
                SharedMount::Volume { name: "0af3".into(), target: "/anon".into(), read_only: false },
                SharedMount::Bind { source: "/srv/conf".into(), target: "/conf".into(), read_only: true },
            ]
        );
        let ro = expand(&service, &[(Some("ro"), db.clone())]);
        assert!(ro.iter().all(|m| matches!(m, SharedMount::Volume { read_only: true, .. } | SharedMount::Bind { read_only: true, .. })), "{ro:?}");
        let rw = expand(&service, &[(Some("rw"), db)]);
        assert!(rw.contains(&SharedMount::Bind { source: "/srv/conf".into(), target: "/conf".into(), read_only: false }));
    }
}
