//! Secrets and configs as files in the container, outside swarm.
//!
//! Owns: where each service secret or config lands (`/run/secrets/NAME` or
//! `/NAME` unless a target is given) and how: a file source is bind-mounted
//! read-only; an `environment` or `content` source is written into the
//! container after it is created and before it starts, with its mode, uid
//! and gid. Values are never put in the environment, labels or output.

use std::collections::HashMap;

use crate::model::service::FileRef;
use crate::model::{FileObject, Project, Service};

/// One file to write into a new container.
#[derive(Clone, PartialEq, Eq)]
pub struct Injected {
    pub path: String,
    pub content: Vec<u8>,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
}

impl std::fmt::Debug for Injected {
    /// Leaves the content out, so that a secret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Injected").field("path", &self.path).field("mode", &self.mode).finish_non_exhaustive()
    }
}

/// Bind mounts (host file, container path) and files to inject.
#[derive(Debug, Default, PartialEq)]
pub struct FilePlan {
    pub binds: Vec<(String, String)>,
    pub inject: Vec<Injected>,
    /// Secrets or configs that cannot be provided (external: swarm only).
    pub unsupported: Vec<String>,
}

fn target(r: &FileRef, secret: bool) -> String {
    let name = r.target.clone().unwrap_or_else(|| r.source.clone());
    if name.starts_with('/') {
        name
    } else if secret {
        format!("/run/secrets/{name}")
    } else {
        format!("/{name}")
    }
}

fn add(plan: &mut FilePlan, r: &FileRef, obj: Option<&FileObject>, secret: bool, env: &HashMap<String, String>) {
    let path = target(r, secret);
    let Some(obj) = obj else { return };
    let default_mode = 0o444;
    let inject = |content: Vec<u8>| Injected {
        path: path.clone(),
        content,
        mode: r.mode.map(|m| m.0).unwrap_or(default_mode),
        uid: r.uid.as_deref().and_then(|u| u.parse().ok()).unwrap_or(0),
        gid: r.gid.as_deref().and_then(|g| g.parse().ok()).unwrap_or(0),
    };
    if let Some(file) = &obj.file {
        plan.binds.push((file.clone(), path.clone()));
    } else if let Some(var) = &obj.environment {
        plan.inject.push(inject(env.get(var).cloned().unwrap_or_default().into_bytes()));
    } else if let Some(content) = &obj.content {
        plan.inject.push(inject(content.clone().into_bytes()));
    } else if obj.external {
        plan.unsupported.push(r.source.clone());
    }
}

/// How a service's secrets and configs reach its container. `env` gives the
/// values of `environment:` sources.
pub fn plan_files(project: &Project, service: &Service, env: &HashMap<String, String>) -> FilePlan {
    let mut plan = FilePlan::default();
    for r in &service.secrets {
        add(&mut plan, r, project.secrets.get(&r.source), true, env);
    }
    for r in &service.configs {
        add(&mut plan, r, project.configs.get(&r.source), false, env);
    }
    plan
}

/// A tar holding the injected files at their absolute paths.
pub fn tar_files(files: &[Injected]) -> std::io::Result<Vec<u8>> {
    let mut b = tar::Builder::new(Vec::new());
    for f in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(f.content.len() as u64);
        h.set_mode(f.mode);
        h.set_uid(f.uid);
        h.set_gid(f.gid);
        h.set_cksum();
        b.append_data(&mut h, f.path.trim_start_matches('/'), f.content.as_slice())?;
    }
    b.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::forms::FileMode;

    #[test]
    fn sources_become_binds_or_injected_files() {
        let mut p = Project::default();
        p.secrets.insert("pw".into(), FileObject { file: Some("/host/pw.txt".into()), ..Default::default() });
        p.secrets.insert("token".into(), FileObject { environment: Some("TOKEN".into()), ..Default::default() });
        p.configs.insert("conf".into(), FileObject { content: Some("a=1\n".into()), ..Default::default() });
        let mut s = Service::default();
        s.secrets.push(FileRef { source: "pw".into(), ..Default::default() });
        s.secrets.push(FileRef {
            source: "token".into(),
            target: Some("api".into()),
            mode: Some(FileMode(0o400)),
            uid: Some("70".into()),
            ..Default::default()
        });
        s.configs.push(FileRef { source: "conf".into(), ..Default::default() });
        let env = HashMap::from([("TOKEN".to_string(), "t0k3n".to_string())]);
        let plan = plan_files(&p, &s, &env);
        assert_eq!(plan.binds, vec![("/host/pw.txt".to_string(), "/run/secrets/pw".to_string())]);
        assert_eq!(plan.inject[0].path, "/run/secrets/api");
        assert_eq!((plan.inject[0].mode, plan.inject[0].uid), (0o400, 70));
        assert_eq!(plan.inject[0].content, b"t0k3n");
        assert_eq!(plan.inject[1].path, "/conf");
        assert!(!format!("{:?}", plan).contains("t0k3n"), "a secret reached Debug output");
        let tar = tar_files(&plan.inject).unwrap();
        assert!(tar.len() >= 1024);
    }
}
