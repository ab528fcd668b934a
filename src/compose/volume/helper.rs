//! Helper containers: a volume mounted in a container made from an image
//! the engine already has (nothing is pulled), either never started (its
//! file system read and written through the archive API) or started once
//! to run a shell script (restore's final swap).

use std::collections::HashMap;

use futures::StreamExt;
use miette::miette;

use crate::engine::wire::{ContainerCreateBody, HostConfig, Mount, MountType};
use crate::engine::{labels, ContainerRef, Engine, LogChunk, LogsQuery};
use crate::model::Project;
use crate::reconcile::observe::Observed;
use crate::reconcile::plan::image_ref;
use crate::{Error, ErrorKind};

/// A created container with a volume mounted; removed with [`Helper::remove`].
pub(crate) struct Helper<'a> {
    engine: &'a dyn Engine,
    id: String,
    name: String,
}

impl<'a> Helper<'a> {
    /// A never started helper with `volume` at `mount_at`, made from the
    /// first of the project's images the engine has.
    pub(crate) async fn create(engine: &'a dyn Engine, project: &Project, observed: &Observed, volume: &str, mount_at: &str) -> Result<Helper<'a>, Error> {
        let image = project.services.iter().map(|(n, s)| image_ref(project, n, s)).find(|i| observed.images.contains_key(i)).ok_or_else(|| {
            Error::new(
                ErrorKind::State,
                miette!(
                    code = "rcompose::no_local_image",
                    help = "run `rcompose pull` or `rcompose build` first",
                    "none of the project's images is on this engine; the volume helper needs one"
                ),
            )
        })?;
        Helper::with(engine, &project.name, &image, &[(volume, mount_at)], vec!["true".into()]).await
    }

    /// A helper from `image` with each (volume, path) of `mounts` that,
    /// when started, runs `command` as root.
    pub(crate) async fn with(engine: &'a dyn Engine, project: &str, image: &str, mounts: &[(&str, &str)], command: Vec<String>) -> Result<Helper<'a>, Error> {
        static HELPERS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = HELPERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("{project}-volume-helper-{}-{n}", std::process::id());
        let body = ContainerCreateBody {
            image: Some(image.to_string()),
            cmd: Some(command),
            entrypoint: Some(vec![]),
            user: Some("0".into()),
            labels: Some(HashMap::from([(labels::PROJECT.to_string(), project.to_string()), (labels::ONEOFF.to_string(), "True".to_string())])),
            host_config: Some(HostConfig {
                mounts: Some(
                    mounts
                        .iter()
                        .map(|(volume, at)| Mount {
                            target: Some((*at).into()),
                            source: Some((*volume).into()),
                            typ: Some(MountType::VOLUME),
                            ..Default::default()
                        })
                        .collect(),
                ),
                ..Default::default()
            }),
            ..Default::default()
        };
        let id = engine.create_container(&name, None, body).await?;
        Ok(Helper { engine, id, name })
    }

    pub(crate) fn me(&self) -> ContainerRef<'_> {
        ContainerRef::new(&self.id, &self.name)
    }

    /// Starts the helper and waits for its command; returns its exit code
    /// and what it printed.
    pub(crate) async fn run(&self) -> Result<(i64, String), Error> {
        self.engine.start_container(self.me()).await?;
        let code = self.engine.wait_exit(self.me()).await?;
        let mut output = String::new();
        let mut logs = self.engine.logs(self.me(), &LogsQuery::default());
        while let Some(Ok(chunk)) = logs.next().await {
            let (LogChunk::Stdout(b) | LogChunk::Stderr(b) | LogChunk::Console(b)) = chunk;
            output.push_str(&String::from_utf8_lossy(&b));
        }
        Ok((code, output))
    }

    /// Removes the helper with its anonymous volumes (from the image's
    /// VOLUME lines); the named volume is untouched.
    pub(crate) async fn remove(self) {
        let _ = self.engine.remove_container(self.me(), true).await;
    }
}
