//! How a service's process runs, as the engine takes it.
//!
//! Owns: the environment, the restart policy, privileges and capabilities,
//! the ipc, pid and uts namespaces, sysctls, annotations, the runtime and
//! the log driver. It reads no `.env` file; `environment` is final by now.

use super::{resolve_mode, SpecInput};
use crate::engine::wire::{HostConfig, HostConfigLogConfig, RestartPolicy, RestartPolicyNameEnum};
use crate::model::{Restart, Service};

/// `environment` as `KEY=VALUE`; a variable without a value is left out.
pub(super) fn env(service: &Service) -> Option<Vec<String>> {
    let env: Vec<String> = service.environment.iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}"))).collect();
    (!env.is_empty()).then_some(env)
}

/// `host` with the process fields of `service` set.
pub(super) fn host_config(host: HostConfig, service: &Service, input: &SpecInput) -> HostConfig {
    HostConfig {
        annotations: (!service.annotations.is_empty()).then(|| service.annotations.clone().into_iter().collect()),
        restart_policy: service.restart.map(restart_policy),
        privileged: service.privileged,
        init: service.init,
        readonly_rootfs: service.read_only,
        cap_add: (!service.cap_add.is_empty()).then(|| service.cap_add.clone()),
        cap_drop: (!service.cap_drop.is_empty()).then(|| service.cap_drop.clone()),
        group_add: (!service.group_add.is_empty()).then(|| service.group_add.clone()),
        security_opt: (!service.security_opt.is_empty()).then(|| service.security_opt.clone()),
        sysctls: (!service.sysctls.is_empty()).then(|| service.sysctls.clone().into_iter().collect()),
        ipc_mode: resolve_mode(service.ipc.as_ref(), input),
        pid_mode: resolve_mode(service.pid.as_ref(), input),
        uts_mode: resolve_mode(service.uts.as_ref(), input),
        userns_mode: service.userns_mode.clone(),
        runtime: service.runtime.clone(),
        log_config: service.logging.as_ref().map(|l| HostConfigLogConfig { typ: l.driver.clone(), config: Some(l.options.clone().into_iter().collect()) }),
        ..host
    }
}

fn restart_policy(r: Restart) -> RestartPolicy {
    let (name, maximum_retry_count) = match r {
        Restart::No => (RestartPolicyNameEnum::NO, None),
        Restart::Always => (RestartPolicyNameEnum::ALWAYS, None),
        Restart::UnlessStopped => (RestartPolicyNameEnum::UNLESS_STOPPED, None),
        Restart::OnFailure { max_retries } => (RestartPolicyNameEnum::ON_FAILURE, max_retries.map(i64::from)),
    };
    RestartPolicy { name: Some(name), maximum_retry_count }
}
