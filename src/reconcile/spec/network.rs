//! A service's networking as the engine takes it.
//!
//! Owns: exposed and published ports, the network mode or the first network
//! the container joins on create, endpoint settings (aliases, addresses),
//! DNS, extra hosts and links. It creates no network and connects no
//! container; the executor joins the other networks with [`endpoint`].

use std::collections::HashMap;

use super::{resolve_mode, SpecInput};
use crate::engine::wire::{EndpointIpamConfig, EndpointSettings, HostConfig, NetworkingConfig, PortBinding};
use crate::model::service::ServiceNetwork;
use crate::model::{Project, Service};

/// `host` with the networking fields of `service` set.
pub(super) fn host_config(host: HostConfig, project: &Project, service: &Service, input: &SpecInput) -> HostConfig {
    let bindings = port_bindings(service);
    HostConfig {
        port_bindings: (!bindings.is_empty()).then_some(bindings),
        network_mode: network_mode(project, service, input),
        dns: (!service.dns.0.is_empty()).then(|| service.dns.0.clone()),
        dns_options: (!service.dns_opt.is_empty()).then(|| service.dns_opt.clone()),
        dns_search: (!service.dns_search.0.is_empty()).then(|| service.dns_search.0.clone()),
        extra_hosts: (!service.extra_hosts.is_empty())
            .then(|| service.extra_hosts.iter().flat_map(|(h, ips)| ips.iter().map(move |ip| format!("{h}:{ip}"))).collect()),
        links: (!service.links.is_empty()).then(|| links(service, input)),
        ..host
    }
}

/// The key the engine gives a container port: `PORT/PROTOCOL`.
fn port_key(port: &crate::model::Port) -> String {
    format!("{}/{}", port.target, port.protocol.as_deref().unwrap_or("tcp"))
}

/// `expose` entries, then the container side of `ports` not already among them.
pub(super) fn exposed_ports(service: &Service) -> Option<Vec<String>> {
    let mut exposed: Vec<String> = service.expose.iter().map(|p| if p.contains('/') { p.clone() } else { format!("{p}/tcp") }).collect();
    for key in service.ports.iter().map(port_key) {
        if !exposed.contains(&key) {
            exposed.push(key);
        }
    }
    (!exposed.is_empty()).then_some(exposed)
}

/// Published ports by container port; an unpublished one binds an engine-chosen port.
fn port_bindings(service: &Service) -> HashMap<String, Option<Vec<PortBinding>>> {
    let mut bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
    for p in &service.ports {
        let binding = PortBinding { host_ip: p.host_ip.clone(), host_port: Some(p.published.clone().unwrap_or_default()) };
        bindings.entry(port_key(p)).or_insert_with(|| Some(Vec::new())).get_or_insert_with(Vec::new).push(binding);
    }
    bindings
}

/// The first of the service's networks by engine name, unless `network_mode` is set.
fn first_network<'a>(project: &'a Project, service: &'a Service) -> Option<(&'a str, Option<&'a ServiceNetwork>)> {
    if service.network_mode.is_some() {
        return None;
    }
    service.networks.iter().next().map(|(key, cfg)| (project.networks[key].name(), cfg.as_ref()))
}

/// `network_mode` with a service resolved to its container, else the first network.
fn network_mode(project: &Project, service: &Service, input: &SpecInput) -> Option<String> {
    resolve_mode(service.network_mode.as_ref(), input).or_else(|| first_network(project, service).map(|(name, _)| name.to_string()))
}

/// The endpoint on the first network, which the container joins on create.
pub(super) fn networking_config(project: &Project, service: &Service, input: &SpecInput) -> Option<NetworkingConfig> {
    first_network(project, service).map(|(name, cfg)| {
        let mut ep = endpoint(cfg, input);
        // A service-level mac_address belongs to its first network.
        if ep.mac_address.is_none() {
            ep.mac_address = service.mac_address.clone();
        }
        NetworkingConfig { endpoints_config: Some(HashMap::from([(name.to_string(), ep)])) }
    })
}

/// `links` as `CONTAINER:ALIAS`, a service named by its first replica.
fn links(service: &Service, input: &SpecInput) -> Vec<String> {
    service
        .links
        .iter()
        .map(|l| {
            let (svc, alias) = l.split_once(':').unwrap_or((l.as_str(), l.as_str()));
            format!("{}-{svc}-1:{alias}", input.project)
        })
        .collect()
}

/// Endpoint settings for one network: the service name and container name as
/// aliases (as docker compose does), plus configured aliases and addresses.
pub fn endpoint(cfg: Option<&ServiceNetwork>, input: &SpecInput) -> EndpointSettings {
    // One-off containers answer to their own name only, not the service's.
    let mut aliases = if input.oneoff { vec![input.container_name.clone()] } else { vec![input.service.clone(), input.container_name.clone()] };
    if let Some(c) = cfg {
        aliases.extend(c.aliases.iter().cloned());
    }
    let ipam = cfg.filter(|c| c.ipv4_address.is_some() || c.ipv6_address.is_some()).map(|c| EndpointIpamConfig {
        ipv4_address: c.ipv4_address.clone(),
        ipv6_address: c.ipv6_address.clone(),
        ..Default::default()
    });
    EndpointSettings {
        aliases: Some(aliases),
        ipam_config: ipam,
        mac_address: cfg.and_then(|c| c.mac_address.clone()),
        driver_opts: cfg.filter(|c| !c.driver_opts.is_empty()).map(|c| c.driver_opts.clone().into_iter().collect()),
        ..Default::default()
    }
}
