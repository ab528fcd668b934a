//! A service's health check as the engine takes it.
//!
//! Owns: the mapping of `healthcheck` onto the engine's health config, with
//! durations in nanoseconds. It does not wait for health; that is the
//! executor's.

use crate::engine::wire::HealthConfig;
use crate::model::forms::Duration;
use crate::model::Service;

fn nanos(d: &Duration) -> i64 {
    d.0.as_nanos().min(i64::MAX as u128) as i64
}

/// The health config of `service`; `disable` becomes the `NONE` test.
pub(super) fn health_config(service: &Service) -> Option<HealthConfig> {
    service.healthcheck.as_ref().map(|h| {
        if h.disable {
            HealthConfig { test: Some(vec!["NONE".into()]), ..Default::default() }
        } else {
            HealthConfig {
                test: (!h.test.is_empty()).then(|| h.test.clone()),
                interval: h.interval.as_ref().map(nanos),
                timeout: h.timeout.as_ref().map(nanos),
                retries: h.retries.map(|r| r as i64),
                start_period: h.start_period.as_ref().map(nanos),
                start_interval: h.start_interval.as_ref().map(nanos),
            }
        }
    })
}
