//! Repairing what an interrupted run leaves: a network created twice on
//! engines before API 1.44, a container left on its first network only.

use super::execute::{ExecError, Executor};
use super::spec::{endpoint, SpecInput};
use crate::engine::{labels, ContainerRef};

impl Executor<'_> {
    /// Removes all but the oldest of the project's networks that share a
    /// name. Engines before API 1.44 let two creates of one name both
    /// succeed unless asked not to, which the API client cannot ask: a run cut off
    /// while its create was in flight, then the next run creating the
    /// network again, leave two, and the name is ambiguous to every later
    /// call (start, and `down` too). Newer engines refuse the second create.
    pub(super) async fn drop_duplicate_networks(&self) -> Result<(), ExecError> {
        if self.engine.api() >= crate::engine::ApiVersion(1, 44) {
            return Ok(());
        }
        let mut found = self.engine.list_networks(&[labels::project_filter(&self.project.name)]).await?;
        found.sort_by(|a, b| (&a.name, &a.created).cmp(&(&b.name, &b.created)));
        for pair in found.windows(2) {
            let (name, id) = (&pair[1].name, &pair[1].id);
            if pair[0].name != *name {
                continue;
            }
            self.reporter.warning(&format!("network {name} exists twice; removing the newer copy {}", &id[..id.len().min(12)]));
            match self.engine.remove_network(id).await {
                Ok(()) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Connects an existing container to those of its service's networks it
    /// is not on: a run cut off between creating a container and connecting
    /// it to its other networks leaves it on the first one only.
    pub(super) async fn join_missing_networks(&self, service_name: &str, name: &str, id: &str) -> Result<(), ExecError> {
        let service = &self.project.services[service_name];
        if service.network_mode.is_some() || service.networks.len() < 2 {
            return Ok(());
        }
        let me = ContainerRef::new(id, name);
        let on = self.engine.inspect_container(me).await?.networks;
        let input =
            SpecInput { project: self.project.name.clone(), service: service_name.to_string(), container_name: name.to_string(), ..SpecInput::default() };
        for (key, cfg) in &service.networks {
            let net = self.project.networks[key].name();
            if !on.iter().any(|n| n == net) {
                self.engine.connect_network(net, me, endpoint(cfg.as_ref(), &input)).await?;
            }
        }
        Ok(())
    }
}
