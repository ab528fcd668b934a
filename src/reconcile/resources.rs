//! Making the project's networks and volumes: a plan's `create network`
//! and `create volume` operations as engine requests, with the project's
//! labels. An existing network of the name is taken as made.

use std::collections::HashMap;

use super::execute::{ExecError, Executor};
use super::plan::Op;
use crate::engine::{labels, Ipam, IpamPool, NetworkSpec, VolumeSpec};
use crate::model::Project;
use crate::progress::{Kind, Status};

impl Executor<'_> {
    pub(super) async fn resource(&self, op: &Op) -> Result<(), ExecError> {
        let _permit = self.permit().await;
        match op {
            Op::CreateNetwork { key, name } => {
                self.emit(Kind::Network, name, Status::Creating);
                match self.engine.create_network(&self.network_spec(key, name)).await {
                    Ok(()) => {}
                    Err(e) if e.is_conflict() => {}
                    Err(e) => return Err(e.into()),
                }
                self.emit(Kind::Network, name, Status::Created);
            }
            Op::CreateVolume { key, name } => {
                self.emit(Kind::Volume, name, Status::Creating);
                self.engine.create_volume(&volume_spec(self.project, key)).await?;
                self.emit(Kind::Volume, name, Status::Created);
            }
            _ => {}
        }
        Ok(())
    }

    /// The network `key` of the project as a create request named `name`.
    fn network_spec(&self, key: &str, name: &str) -> NetworkSpec {
        let net = &self.project.networks[key];
        let mut labels: HashMap<String, String> = net.labels.clone().into_iter().collect();
        labels.insert(labels::PROJECT.into(), self.project.name.clone());
        labels.insert(labels::NETWORK.into(), key.to_string());
        labels.insert(labels::VERSION.into(), labels::version());
        let ipam = (net.ipam.driver.is_some() || !net.ipam.config.is_empty()).then(|| Ipam {
            driver: net.ipam.driver.clone(),
            pools: net
                .ipam
                .config
                .iter()
                .map(|c| IpamPool {
                    subnet: c.subnet.clone(),
                    ip_range: c.ip_range.clone(),
                    gateway: c.gateway.clone(),
                    aux_addresses: c.aux_addresses.clone().into_iter().collect(),
                })
                .collect(),
            options: net.ipam.options.clone().into_iter().collect(),
        });
        NetworkSpec {
            name: name.to_string(),
            driver: net.driver.clone(),
            internal: net.internal,
            attachable: net.attachable,
            enable_ipv6: net.enable_ipv6,
            ipam,
            options: net.driver_opts.clone().into_iter().collect(),
            labels,
        }
    }
}

/// The create request of the project's volume `key`: its file definition
/// with compose's labels.
pub fn volume_spec(project: &Project, key: &str) -> VolumeSpec {
    let vol = &project.volumes[key];
    let mut labels: HashMap<String, String> = vol.labels.clone().into_iter().collect();
    labels.insert(labels::PROJECT.into(), project.name.clone());
    labels.insert(labels::VOLUME.into(), key.to_string());
    labels.insert(labels::VERSION.into(), labels::version());
    VolumeSpec { name: vol.name().to_string(), driver: vol.driver.clone(), driver_opts: vol.driver_opts.clone().into_iter().collect(), labels }
}
