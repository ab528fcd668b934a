//! A service's resource limits as the engine takes them.
//!
//! Owns: memory, CPU, pids and OOM settings (service fields first, then
//! `deploy.resources`), ulimits, block I/O, devices and device requests
//! (GPUs), the cgroup and storage options. It checks no limit against the
//! host.

use super::{resolve_mode, SpecInput};
use crate::engine::wire::{DeviceMapping, DeviceRequest, HostConfig, ResourcesBlkioWeightDevice, ResourcesUlimits, ThrottleDevice};
use crate::model::service::{BlkioConfig, BlkioLimit};
use crate::model::Service;

/// `host` with the resource fields of `service` set.
pub(super) fn host_config(host: HostConfig, service: &Service, input: &SpecInput) -> HostConfig {
    let limits = service.deploy.as_ref().and_then(|d| d.resources.limits.as_ref());
    let reservations = service.deploy.as_ref().and_then(|d| d.resources.reservations.as_ref());
    let device_requests = device_requests(service);
    let host = HostConfig {
        device_requests: (!device_requests.is_empty()).then_some(device_requests),
        cgroup: resolve_mode(service.cgroup.as_ref(), input),
        cpu_percent: service.cpu_percent.map(|p| p as i64),
        memory_reservation: service.mem_reservation.map(|b| b.0 as i64).or_else(|| reservations.and_then(|r| r.memory).map(|b| b.0 as i64)),
        storage_opt: (!service.storage_opt.is_empty()).then(|| service.storage_opt.clone().into_iter().collect()),
        shm_size: service.shm_size.map(|b| b.0 as i64),
        memory: service.mem_limit.map(|b| b.0 as i64).or_else(|| limits.and_then(|l| l.memory).map(|b| b.0 as i64)),
        memory_swap: service.memswap_limit.map(|b| b.0 as i64),
        memory_swappiness: service.mem_swappiness,
        nano_cpus: service.cpus.or_else(|| limits.and_then(|l| l.cpus)).map(|c| (c * 1e9) as i64),
        cpu_shares: service.cpu_shares,
        cpu_period: service.cpu_period,
        cpu_quota: service.cpu_quota,
        cpu_realtime_period: service.cpu_rt_period,
        cpu_realtime_runtime: service.cpu_rt_runtime,
        cpuset_cpus: service.cpuset.clone(),
        cpu_count: service.cpu_count,
        pids_limit: service.pids_limit.or_else(|| limits.and_then(|l| l.pids)),
        oom_kill_disable: service.oom_kill_disable,
        oom_score_adj: service.oom_score_adj,
        cgroup_parent: service.cgroup_parent.clone(),
        ulimits: (!service.ulimits.is_empty()).then(|| ulimits(service)),
        devices: (!service.devices.is_empty()).then(|| devices(service)),
        device_cgroup_rules: (!service.device_cgroup_rules.is_empty()).then(|| service.device_cgroup_rules.clone()),
        ..host
    };
    blkio(host, &service.blkio_config.clone().unwrap_or_default())
}

/// `host` with the block I/O weights and throttles of `blkio` set.
fn blkio(host: HostConfig, blkio: &BlkioConfig) -> HostConfig {
    let throttle = |list: &[BlkioLimit]| -> Option<Vec<ThrottleDevice>> {
        (!list.is_empty()).then(|| list.iter().map(|l| ThrottleDevice { path: Some(l.path.clone()), rate: Some(l.rate.0 as i64) }).collect())
    };
    HostConfig {
        blkio_weight: blkio.weight,
        blkio_weight_device: (!blkio.weight_device.is_empty())
            .then(|| blkio.weight_device.iter().map(|w| ResourcesBlkioWeightDevice { path: Some(w.path.clone()), weight: Some(w.weight as usize) }).collect()),
        blkio_device_read_bps: throttle(&blkio.device_read_bps),
        blkio_device_read_iops: throttle(&blkio.device_read_iops),
        blkio_device_write_bps: throttle(&blkio.device_write_bps),
        blkio_device_write_iops: throttle(&blkio.device_write_iops),
        ..host
    }
}

/// `gpus`, then the devices reserved under `deploy.resources`; a request
/// that names no count and no device asks for all.
fn device_requests(service: &Service) -> Vec<DeviceRequest> {
    let reservations = service.deploy.as_ref().and_then(|d| d.resources.reservations.as_ref());
    service
        .gpus
        .iter()
        .chain(reservations.map(|r| r.devices.iter()).into_iter().flatten())
        .map(|d| DeviceRequest {
            driver: d.driver.clone(),
            count: match &d.count {
                Some(serde_json::Value::Number(n)) => n.as_i64(),
                Some(serde_json::Value::String(s)) if s == "all" => Some(-1),
                Some(serde_json::Value::String(s)) => s.parse().ok(),
                _ if d.device_ids.is_empty() => Some(-1),
                _ => None,
            },
            device_ids: (!d.device_ids.is_empty()).then(|| d.device_ids.clone()),
            capabilities: (!d.capabilities.is_empty()).then(|| vec![d.capabilities.clone()]),
            options: (!d.options.is_empty()).then(|| d.options.clone().into_iter().collect()),
        })
        .collect()
}

/// Ulimits by name; a single number is both the soft and the hard limit.
fn ulimits(service: &Service) -> Vec<ResourcesUlimits> {
    service.ulimits.iter().map(|(name, u)| ResourcesUlimits { name: Some(name.clone()), soft: u.soft.or(u.single), hard: u.hard.or(u.single) }).collect()
}

/// Devices as host path, container path (the host path unless given) and
/// cgroup permissions (`rwm` unless given).
fn devices(service: &Service) -> Vec<DeviceMapping> {
    service
        .devices
        .iter()
        .map(|d| DeviceMapping {
            path_on_host: Some(d.source.clone()),
            path_in_container: Some(d.target.clone().unwrap_or_else(|| d.source.clone())),
            cgroup_permissions: Some(d.permissions.clone().unwrap_or_else(|| "rwm".into())),
        })
        .collect()
}
