//! A service's storage as the engine takes it.
//!
//! Owns: `volumes` (as `Mounts`, or as `Binds` where only that form can say
//! it), the anonymous volumes a replaced container hands on, secret and
//! config files, `tmpfs` and `volumes_from`. It creates no volume and no
//! host folder; it only names them.

use std::collections::HashMap;

use super::{service_container, SpecInput};
use crate::engine::wire::{
    HostConfig, Mount, MountBindOptions, MountBindOptionsPropagationEnum, MountTmpfsOptions, MountType as MountTypeEnum, MountVolumeOptions,
};
use crate::model::{MountType, Project, Service, ServiceVolume, VolumesSource};
use crate::reconcile::shared_mounts::SharedMount;

/// `host` with the storage fields of `service` set.
pub(super) fn host_config(host: HostConfig, project: &Project, service: &Service, input: &SpecInput) -> HostConfig {
    let (binds, mounts) = binds_and_mounts(project, service, input);
    let tmpfs = tmpfs(service);
    HostConfig {
        binds: (!binds.is_empty()).then_some(binds),
        mounts: (!mounts.is_empty()).then_some(mounts),
        tmpfs: (!tmpfs.is_empty()).then_some(tmpfs),
        volumes_from: (!service.volumes_from.is_empty() && input.shared_mounts.is_none()).then(|| volumes_from(service, input)),
        ..host
    }
}

/// The service's volumes split into the `Binds` and `Mounts` forms, with the
/// anonymous volumes and files the caller hands on.
fn binds_and_mounts(project: &Project, service: &Service, input: &SpecInput) -> (Vec<String>, Vec<Mount>) {
    let mut binds = Vec::new();
    let mut mounts = Vec::new();
    for m in &service.volumes {
        if is_legacy_bind(m) {
            binds.push(bind_string(m));
        } else if let Some(mut mount) = mount_for(project, m) {
            // An anonymous volume keeps the data of the container it replaces.
            if m.kind == MountType::Volume && m.source.is_none() {
                if let Some((_, name)) = input.inherited_volumes.iter().find(|(t, _)| t == &m.target) {
                    mount.source = Some(name.clone());
                }
            }
            mounts.push(mount);
        }
    }
    for (target, volume) in &input.inherited_volumes {
        if !service.volumes.iter().any(|m| &m.target == target) {
            mounts.push(Mount { target: Some(target.clone()), source: Some(volume.clone()), typ: Some(MountTypeEnum::VOLUME), ..Default::default() });
        }
    }
    for (host, path) in &input.file_binds {
        binds.push(format!("{host}:{path}:ro"));
    }
    mounts.extend(input.shared_mounts.iter().flatten().map(shared_mount));
    (binds, mounts)
}

/// A mount lent by another container, as the engine takes it.
fn shared_mount(m: &SharedMount) -> Mount {
    let (typ, source, target, read_only) = match m {
        SharedMount::Volume { name, target, read_only } => (MountTypeEnum::VOLUME, name, target, *read_only),
        SharedMount::Bind { source, target, read_only } => (MountTypeEnum::BIND, source, target, *read_only),
    };
    Mount { typ: Some(typ), source: Some(source.clone()), target: Some(target.clone()), read_only: read_only.then_some(true), ..Default::default() }
}

/// `tmpfs` entries as path → options.
fn tmpfs(service: &Service) -> HashMap<String, String> {
    service
        .tmpfs
        .0
        .iter()
        .map(|t| match t.split_once(':') {
            Some((path, opts)) => (path.to_string(), opts.to_string()),
            None => (t.clone(), String::new()),
        })
        .collect()
}

/// `volumes_from` entries as `CONTAINER[:MODE]`, a service named by its container.
fn volumes_from(service: &Service, input: &SpecInput) -> Vec<String> {
    service
        .volumes_from
        .iter()
        .map(|v| {
            let container = match &v.source {
                VolumesSource::Service(svc) => service_container(input, svc),
                VolumesSource::Container(name) => name.clone(),
            };
            match &v.mode {
                Some(mode) => format!("{container}:{mode}"),
                None => container,
            }
        })
        .collect()
}

fn mount_for(project: &Project, m: &ServiceVolume) -> Option<Mount> {
    let typ = match m.kind {
        MountType::Volume => MountTypeEnum::VOLUME,
        MountType::Bind => MountTypeEnum::BIND,
        MountType::Tmpfs => MountTypeEnum::TMPFS,
        MountType::Npipe => MountTypeEnum::NPIPE,
        MountType::Cluster => MountTypeEnum::CLUSTER,
        MountType::Image => MountTypeEnum::IMAGE,
    };
    let source = match (m.kind, &m.source) {
        (MountType::Volume, Some(key)) => Some(project.volumes.get(key).map_or(key.as_str(), |v| v.name()).to_string()),
        (MountType::Tmpfs, _) => None,
        (_, s) => s.clone(),
    };
    let bind_options = m.bind.as_ref().and_then(|b| {
        let propagation = b.propagation.as_deref().and_then(|p| p.parse::<MountBindOptionsPropagationEnum>().ok());
        propagation.map(|p| MountBindOptions { propagation: Some(p), ..Default::default() })
    });
    let volume_options = m.volume.as_ref().filter(|v| v.nocopy || v.subpath.is_some()).map(|v| MountVolumeOptions {
        no_copy: v.nocopy.then_some(true),
        subpath: v.subpath.clone(),
        ..Default::default()
    });
    let tmpfs_options =
        m.tmpfs.as_ref().map(|t| MountTmpfsOptions { size_bytes: t.size.map(|s| s.0 as i64), mode: t.mode.map(i64::from), ..Default::default() });
    Some(Mount {
        target: Some(m.target.clone()),
        source,
        typ: Some(typ),
        read_only: m.read_only.then_some(true),
        consistency: m.consistency.clone(),
        bind_options,
        volume_options,
        tmpfs_options,
        ..Default::default()
    })
}

/// Bind mounts that should create a missing host folder, or that carry an
/// SELinux relabel option (`z`/`Z`, which the `Mounts` API cannot express), go
/// through `Binds`; everything else through `Mounts`.
fn is_legacy_bind(m: &ServiceVolume) -> bool {
    let bind = m.bind.as_ref();
    m.kind == MountType::Bind && (bind.and_then(|b| b.create_host_path).unwrap_or(false) || bind.is_some_and(|b| b.selinux.is_some()))
}

fn bind_string(m: &ServiceVolume) -> String {
    let mut opts = Vec::new();
    if m.read_only {
        opts.push("ro".to_string());
    }
    if let Some(c) = &m.consistency {
        opts.push(c.clone());
    }
    if let Some(b) = &m.bind {
        if let Some(z) = &b.selinux {
            opts.push(z.clone());
        }
        if let Some(p) = &b.propagation {
            opts.push(p.clone());
        }
    }
    let src = m.source.clone().unwrap_or_default();
    if opts.is_empty() {
        format!("{src}:{}", m.target)
    } else {
        format!("{src}:{}:{}", m.target, opts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_options_reach_the_engine_in_the_form_it_takes_them() {
        let mut p = Project { name: "demo".into(), ..Project::default() };
        p.volumes.insert("data".into(), crate::model::Volume { name: Some("demo_data".into()), ..Default::default() });
        let mount = |v: serde_json::Value| serde_json::from_value::<ServiceVolume>(v).unwrap();
        let sub = mount(serde_json::json!({"type": "volume", "source": "data", "target": "/d", "volume": {"subpath": "sub", "nocopy": true}}));
        let m = mount_for(&p, &sub).unwrap();
        assert_eq!(m.source.as_deref(), Some("demo_data"));
        let opts = m.volume_options.unwrap();
        assert_eq!((opts.subpath.as_deref(), opts.no_copy), (Some("sub"), Some(true)));
        let z = mount(
            serde_json::json!({"type": "bind", "source": "/h", "target": "/c", "read_only": true, "consistency": "cached", "bind": {"selinux": "Z", "create_host_path": false}}),
        );
        assert!(is_legacy_bind(&z), "an SELinux label needs the Binds form");
        assert_eq!(bind_string(&z), "/h:/c:ro,cached,Z");
        let plain = mount(serde_json::json!({"type": "bind", "source": "/h", "target": "/c", "bind": {"create_host_path": false}}));
        assert!(!is_legacy_bind(&plain));
    }
}
