//! The fake's answers to `export`, `commit` and `stats`: a small tar naming
//! the container, an image recorded under the reference asked for, and a
//! fixed sample (zeros for a stopped container).

use futures::stream::BoxStream;
use futures::StreamExt;

use super::{not_found, FakeEngine, Fault};
use crate::engine::{CommitSpec, ContainerRef, EngineError, StatsSample};

impl FakeEngine {
    pub(super) fn export_tar(&self, c: ContainerRef<'_>) -> BoxStream<'static, Result<bytes::Bytes, EngineError>> {
        match self.enter_now(&format!("export {}", c.name)) {
            Some(Fault::Fail(e)) => return futures::stream::iter([Err(e)]).boxed(),
            Some(Fault::Hang) => return futures::stream::pending().boxed(),
            None => {}
        }
        if !self.lock().containers.iter().any(|x| x.summary.id == c.id) {
            return futures::stream::iter([Err(not_found("export", "container"))]).boxed();
        }
        let mut b = tar::Builder::new(Vec::new());
        let text = format!("{}\n", c.name);
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        let tar = b.append_data(&mut header, "etc/hostname", text.as_bytes()).and_then(|_| b.into_inner());
        let chunk = tar.map(bytes::Bytes::from).map_err(|e| EngineError::Lost { action: "export".into(), reason: e.to_string() });
        futures::stream::iter([chunk]).boxed()
    }

    pub(super) async fn commit(&self, c: ContainerRef<'_>, spec: &CommitSpec) -> Result<String, EngineError> {
        let reference = spec.reference.as_deref().map(|r| {
            if crate::engine::split_tag(r).1 == "latest" && !r.ends_with(":latest") {
                format!("{r}:latest")
            } else {
                r.to_string()
            }
        });
        self.enter(format!("commit {} {}", c.name, reference.as_deref().unwrap_or("-"))).await?;
        let mut s = self.lock();
        if !s.containers.iter().any(|x| x.summary.id == c.id) {
            return Err(not_found("commit", "container"));
        }
        let id = format!("sha256:{:064x}", s.images.len() + 1);
        s.images.insert(reference.unwrap_or_else(|| id.clone()), id.clone());
        Ok(id)
    }

    pub(super) fn stats_sample(&self, c: ContainerRef<'_>) -> BoxStream<'static, Result<StatsSample, EngineError>> {
        if let Some(Fault::Fail(e)) = self.enter_now(&format!("stats {}", c.name)) {
            return futures::stream::iter([Err(e)]).boxed();
        }
        let running = self.lock().containers.iter().find(|x| x.summary.id == c.id).map(|x| x.details.running);
        let sample = match running {
            None => Err(not_found("stats", "container")),
            Some(false) => Ok(StatsSample::default()),
            Some(true) => Ok(StatsSample {
                cpu_total: 2_000_000,
                precpu_total: 1_000_000,
                system_cpu: 200_000_000,
                presystem_cpu: 100_000_000,
                online_cpus: 2,
                mem_usage: 4 << 20,
                mem_limit: 1 << 30,
                mem_inactive_file: Some(1 << 20),
                net_rx: 1010,
                net_tx: 0,
                blk_read: 0,
                blk_write: 4096,
                pids: 1,
            }),
        };
        futures::stream::iter([sample]).boxed()
    }
}
