//! The fake's answers to `export` and `commit`: a small tar naming the
//! container, and an image recorded under the reference asked for.

use futures::stream::BoxStream;
use futures::StreamExt;

use super::{not_found, FakeEngine, Fault};
use crate::engine::{CommitSpec, ContainerRef, EngineError};

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
}
