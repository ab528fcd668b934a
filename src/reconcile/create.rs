//! Making one container: its create request (from `spec`), the container
//! it replaces stopped and renamed out of the way with its anonymous
//! volumes handed over, its other networks joined, secrets and configs
//! written in, then the start and the old one's removal.

use std::collections::HashMap;

use super::execute::{ExecError, Executor};
use super::hash::config_hash;
use super::plan::{image_ref, Replaced};
use super::spec::{container_body, endpoint, SpecInput};
use crate::engine::{ContainerRef, EngineError};
use crate::progress::{Kind, Status};

impl Executor<'_> {
    pub(super) async fn create_and_start(
        &self,
        service_name: &str,
        number: u32,
        name: &str,
        replaces: Option<&Replaced>,
        deps: &HashMap<String, String>,
    ) -> Result<String, ExecError> {
        let _permit = self.permit().await;
        let id = self.create(service_name, number, name, replaces, deps).await?;
        self.start_created(name, &id, replaces).await?;
        Ok(id)
    }

    /// Creates a container (stopping and renaming the one it replaces
    /// first); returns its id.
    pub(super) async fn create(
        &self,
        service_name: &str,
        number: u32,
        name: &str,
        replaces: Option<&Replaced>,
        deps: &HashMap<String, String>,
    ) -> Result<String, ExecError> {
        let service = &self.project.services[service_name];
        let mut input = SpecInput {
            project: self.project.name.clone(),
            service: service_name.to_string(),
            number,
            container_name: name.to_string(),
            image: image_ref(self.project, service_name, service),
            config_hash: config_hash(service),
            service_containers: deps.clone(),
            ..SpecInput::default()
        };
        if let Some(old) = replaces {
            self.emit(Kind::Container, name, Status::Recreate);
            input.inherited_volumes = self.anonymous_volumes(old).await?;
            let timeout = service.stop_grace_period.map(|g| i32::try_from(g.0.as_secs()).unwrap_or(i32::MAX));
            let old_ref = ContainerRef::new(&old.id, &old.name);
            self.engine.stop_container(old_ref, timeout).await?;
            let short = &old.id[..old.id.len().min(12)];
            self.engine.rename_container(old_ref, &format!("{short}_{}", old.name)).await?;
        } else {
            self.emit(Kind::Container, name, Status::Creating);
        }
        if !service.volumes_from.is_empty() {
            input.shared_mounts = Some(super::shared_mounts::shared_mounts(self.engine, service, deps, &self.project.name).await?);
        }
        let env: HashMap<String, String> = std::env::vars().collect();
        let files = super::files::plan_files(self.project, service, &env);
        if let Some(name) = files.unsupported.first() {
            self.reporter.warning(&format!("secret or config \"{name}\" is external, which needs swarm; it is not provided to {service_name}"));
        }
        input.file_binds = files.binds.clone();
        let body = container_body(self.project, service, &input);
        let id = self.engine.create_container(name, service.platform.as_deref(), body).await?;
        let me = ContainerRef::new(&id, name);
        if service.network_mode.is_none() {
            for (key, cfg) in service.networks.iter().skip(1) {
                let net = self.project.networks[key].name();
                self.engine.connect_network(net, me, endpoint(cfg.as_ref(), &input)).await?;
            }
        }
        if !files.inject.is_empty() {
            let tar = super::files::tar_files(&files.inject).map_err(|e| EngineError::Refused {
                action: format!("prepare secrets for {name}"),
                message: e.to_string(),
                status: 0,
            })?;
            self.engine.upload_archive(me, "/", tar).await?;
        }
        self.emit(Kind::Container, name, if replaces.is_some() { Status::Recreated } else { Status::Created });
        Ok(id)
    }

    /// Starts a container made by [`Self::create`] (unless `create` only
    /// creates), then removes the one it replaced.
    pub(super) async fn start_created(&self, name: &str, id: &str, replaces: Option<&Replaced>) -> Result<(), ExecError> {
        if !self.create_only {
            self.emit(Kind::Container, name, Status::Starting);
            self.engine.start_container(ContainerRef::new(id, name)).await?;
            self.emit(Kind::Container, name, Status::Started);
        }
        if let Some(old) = replaces {
            // Its anonymous volumes now belong to the new container: keep them.
            match self.engine.remove_container(ContainerRef::new(&old.id, &old.name), false).await {
                Ok(()) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Anonymous volumes of a container: (target, volume name).
    async fn anonymous_volumes(&self, old: &Replaced) -> Result<Vec<(String, String)>, ExecError> {
        let info = self.engine.inspect_container(ContainerRef::new(&old.id, &old.name)).await?;
        let named: Vec<String> = self.project.volumes.values().map(|v| v.name().to_string()).collect();
        Ok(info
            .mounts
            .iter()
            .filter_map(|m| {
                let name = m.volume()?;
                (!named.iter().any(|n| n == name)).then(|| (m.destination.clone(), name.to_string()))
            })
            .collect())
    }
}
