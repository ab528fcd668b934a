//! `stats` as an operation: which of the project's containers to sample
//! (running ones, or all with `all`; of one service or every one), one
//! sample of each or a merged stream of samples, and the usage computed
//! from a sample as the docker CLI computes it. No printing.

use futures::stream::{BoxStream, StreamExt};

use crate::engine::{ContainerRef, Engine, EngineError, State, StatsSample};
use crate::model::Project;
use crate::reconcile::observe::{observe_containers, ObservedContainer};
use crate::Error;

/// `stats [SERVICE] [-a]`.
#[derive(Clone, Debug, Default)]
pub struct StatsRequest {
    /// One service (none: all of them). An unknown one matches nothing, as
    /// in docker compose v2.
    pub service: Option<String>,
    /// Stopped containers too.
    pub all: bool,
}

/// A container's usage, computed from one sample.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Usage {
    pub cpu_percent: f64,
    /// Bytes in use (without the inactive file cache) and the limit.
    pub mem_used: u64,
    pub mem_limit: u64,
    pub mem_percent: f64,
    pub net_rx: u64,
    pub net_tx: u64,
    pub blk_read: u64,
    pub blk_write: u64,
    pub pids: u64,
}

impl Usage {
    /// CPU use over the time between the two readings, as a share of one
    /// CPU times the CPUs it may use; memory without the inactive cache.
    pub fn from_sample(s: &StatsSample) -> Usage {
        let cpu_delta = s.cpu_total.saturating_sub(s.precpu_total) as f64;
        let system_delta = s.system_cpu.saturating_sub(s.presystem_cpu) as f64;
        let cpu_percent = if cpu_delta > 0.0 && system_delta > 0.0 { cpu_delta / system_delta * f64::from(s.online_cpus) * 100.0 } else { 0.0 };
        let mem_used = match s.mem_inactive_file {
            Some(cache) if cache < s.mem_usage => s.mem_usage - cache,
            _ => s.mem_usage,
        };
        let mem_percent = if s.mem_limit > 0 { mem_used as f64 / s.mem_limit as f64 * 100.0 } else { 0.0 };
        Usage {
            cpu_percent,
            mem_used,
            mem_limit: s.mem_limit,
            mem_percent,
            net_rx: s.net_rx,
            net_tx: s.net_tx,
            blk_read: s.blk_read,
            blk_write: s.blk_write,
            pids: s.pids,
        }
    }
}

/// The containers to sample, by name.
pub async fn stats_targets(engine: &dyn Engine, project: &Project, req: &StatsRequest) -> Result<Vec<ObservedContainer>, Error> {
    let observed = observe_containers(engine, project).await?;
    let mut v: Vec<ObservedContainer> = observed
        .containers
        .into_iter()
        .filter(|c| req.all || c.state == State::Running)
        .filter(|c| req.service.as_ref().is_none_or(|s| &c.labels.service == s))
        .collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(v)
}

/// One sample of each container, in the order given.
pub async fn stats_once(engine: &dyn Engine, targets: &[ObservedContainer]) -> Result<Vec<Usage>, Error> {
    let samples = targets.iter().map(|c| async move {
        let sample = engine.container_stats(ContainerRef::new(&c.id, &c.name), false).next().await;
        match sample {
            Some(s) => Ok(Usage::from_sample(&s?)),
            // Gone meanwhile: nothing used.
            None => Ok::<Usage, EngineError>(Usage::default()),
        }
    });
    Ok(futures::future::try_join_all(samples).await?)
}

/// Samples of every container as they come, each with its position in
/// `targets`; a container's stream ends when it is removed.
pub fn stats_stream(engine: &dyn Engine, targets: &[ObservedContainer]) -> BoxStream<'static, (usize, Result<Usage, EngineError>)> {
    let streams = targets
        .iter()
        .enumerate()
        .map(|(i, c)| engine.container_stats(ContainerRef::new(&c.id, &c.name), true).map(move |r| (i, r.map(|s| Usage::from_sample(&s)))).boxed());
    futures::stream::select_all(streams).boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Recorder;
    use crate::testing::{engine_for, load};

    #[test]
    fn cpu_and_memory_as_the_docker_cli_computes_them() {
        let s = StatsSample {
            cpu_total: 3_000,
            precpu_total: 1_000,
            system_cpu: 100_000,
            presystem_cpu: 60_000,
            online_cpus: 4,
            mem_usage: 300,
            mem_limit: 1_000,
            mem_inactive_file: Some(100),
            ..StatsSample::default()
        };
        let u = Usage::from_sample(&s);
        assert!((u.cpu_percent - 20.0).abs() < 1e-9, "{}", u.cpu_percent);
        assert_eq!(u.mem_used, 200);
        assert!((u.mem_percent - 20.0).abs() < 1e-9);
        let stopped = Usage::from_sample(&StatsSample::default());
        assert_eq!((stopped.cpu_percent, stopped.mem_percent, stopped.mem_used), (0.0, 0.0, 0));
        let cache_above_use = Usage::from_sample(&StatsSample { mem_usage: 10, mem_inactive_file: Some(20), ..StatsSample::default() });
        assert_eq!(cache_above_use.mem_used, 10);
    }

    #[tokio::test]
    async fn running_containers_of_the_service_or_all_with_all() {
        let project = load("services:\n  db: { image: postgres }\n  web: { image: nginx }\n");
        let engine = engine_for(&project);
        crate::compose::up(&engine, &project, &Default::default(), &Recorder::default()).await.unwrap();
        crate::compose::lifecycle(&engine, &project, &crate::compose::Action::Stop(None), &["db".into()], false, &Recorder::default()).await.unwrap();
        let names = |v: Vec<ObservedContainer>| v.into_iter().map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(names(stats_targets(&engine, &project, &StatsRequest::default()).await.unwrap()), ["demo-web-1"]);
        let all = stats_targets(&engine, &project, &StatsRequest { all: true, service: None }).await.unwrap();
        assert_eq!(names(all.clone()), ["demo-db-1", "demo-web-1"]);
        let usage = stats_once(&engine, &all).await.unwrap();
        assert_eq!(usage[0], Usage::default(), "a stopped container uses nothing");
        assert_eq!(usage[1].pids, 1);
        let nosuch = StatsRequest { service: Some("nosuch".into()), all: true };
        assert!(stats_targets(&engine, &project, &nosuch).await.unwrap().is_empty());
    }
}
