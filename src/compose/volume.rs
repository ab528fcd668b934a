//! `volume export`, `import` and `clone` as an operation: a volume's
//! content as a tar, through the engine's archive API on a created, never
//! started helper container made from an image the project already has
//! (nothing is pulled). A dry run checks what it can (the volume exists,
//! nothing running uses it) and returns the steps, writing nothing.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use futures::StreamExt;
use miette::miette;

use crate::engine::wire::{ContainerCreateBody, HostConfig, Mount, MountType};
use crate::engine::{labels, ContainerRef, Engine, State, VolumeSpec};
use crate::model::Project;
use crate::reconcile::observe::{observe, Observed};
use crate::reconcile::plan::image_ref;
use crate::reconcile::steps::{Noun, Step, Steps, Verb};
use crate::{Error, ErrorKind};

/// What to do with a volume. Volumes are named by their key in the
/// project's file, or by their engine name.
#[derive(Clone, Debug)]
pub enum VolumeRequest {
    /// Its content as a tar, to `output` (the sink given when none).
    Export { volume: String, output: Option<PathBuf> },
    /// Its content replaced by a tar made by `export`.
    Import { volume: String, file: PathBuf, force: bool },
    /// One volume's content copied into another, created if missing.
    Clone { source: String, dest: String },
}

/// A project volume key or an engine volume name → the engine name.
fn engine_name(project: &Project, volume: &str) -> String {
    project.volumes.get(volume).map_or(volume, |v| v.name()).to_string()
}

/// Carries out `req`; an export without a file goes to `sink`.
pub async fn volume(engine: &dyn Engine, project: &Project, req: &VolumeRequest, dry_run: bool, sink: &mut (dyn Write + Send)) -> Result<Steps, Error> {
    let images: Vec<String> = project.services.iter().map(|(n, s)| image_ref(project, n, s)).collect();
    let observed = observe(engine, project, &images).await?;
    let exists = |name: &str| observed.volumes.contains_key(name);
    let mut steps = Steps::default();
    match req {
        VolumeRequest::Export { volume, output } => {
            let name = engine_name(project, volume);
            if !exists(&name) {
                return Err(no_volume(&name));
            }
            let to = output.as_ref().map_or_else(|| "standard output".to_string(), |p| p.display().to_string());
            steps.push(Step::new(Verb::Copy, Noun::Volume, name.clone(), format!("to {to}")));
            if !dry_run {
                export(engine, project, &observed, &name, output.as_ref(), sink).await?;
            }
        }
        VolumeRequest::Import { volume, file, force } => {
            let name = engine_name(project, volume);
            refuse_in_use(&observed, &name, *force)?;
            if !exists(&name) {
                steps.push(Step::new(Verb::Create, Noun::Volume, name.clone(), "missing"));
            }
            steps.push(Step::new(Verb::Write, Noun::Volume, name.clone(), format!("from {}", file.display())));
            if !dry_run {
                let tar = std::fs::read(file).map_err(|e| Error::new(ErrorKind::Input, miette!("cannot read {}: {e}", file.display())))?;
                ensure_volume(engine, project, &observed, &name).await?;
                import(engine, project, &observed, &name, tar).await?;
            }
        }
        VolumeRequest::Clone { source, dest } => {
            let (src, dst) = (engine_name(project, source), engine_name(project, dest));
            if !exists(&src) {
                return Err(no_volume(&src));
            }
            if !exists(&dst) {
                steps.push(Step::new(Verb::Create, Noun::Volume, dst.clone(), "missing"));
            }
            steps.push(Step::new(Verb::Copy, Noun::Volume, src.clone(), format!("into {dst}")));
            if !dry_run {
                let mut bytes = Vec::new();
                export(engine, project, &observed, &src, None, &mut bytes).await?;
                ensure_volume(engine, project, &observed, &dst).await?;
                import(engine, project, &observed, &dst, bytes).await?;
            }
        }
    }
    Ok(steps)
}

fn no_volume(name: &str) -> Error {
    Error::new(ErrorKind::State, miette!(code = "rcompose::no_volume", "no such volume: {name}"))
}

fn refuse_in_use(observed: &Observed, name: &str, force: bool) -> Result<(), Error> {
    let users: Vec<&str> =
        observed.containers.iter().filter(|c| c.state == State::Running && c.volumes.iter().any(|(v, _)| v == name)).map(|c| c.name.as_str()).collect();
    if users.is_empty() || force {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::State,
        miette!(
            code = "rcompose::volume_in_use",
            help = "stop them first (`rcompose stop`), or pass --force",
            "volume {name} is in use by running containers: {}",
            users.join(", ")
        ),
    ))
}

/// A created, never started container with `volume` at /volume.
struct Helper<'a> {
    engine: &'a dyn Engine,
    id: String,
    name: String,
}

impl<'a> Helper<'a> {
    async fn create(engine: &'a dyn Engine, project: &Project, observed: &Observed, volume: &str) -> Result<Helper<'a>, Error> {
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
        let name = format!("{}-volume-helper-{}", project.name, std::process::id());
        let body = ContainerCreateBody {
            image: Some(image),
            cmd: Some(vec!["true".into()]),
            entrypoint: Some(vec![]),
            labels: Some(HashMap::from([(labels::PROJECT.to_string(), project.name.clone()), (labels::ONEOFF.to_string(), "True".to_string())])),
            host_config: Some(HostConfig {
                mounts: Some(vec![Mount {
                    target: Some("/volume".into()),
                    source: Some(volume.to_string()),
                    typ: Some(MountType::VOLUME),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let id = engine.create_container(&name, None, body).await?;
        Ok(Helper { engine, id, name })
    }

    fn me(&self) -> ContainerRef<'_> {
        ContainerRef::new(&self.id, &self.name)
    }

    /// Removes the helper with its anonymous volumes (from the image's
    /// VOLUME lines); the named volume at /volume is untouched.
    async fn remove(self) {
        let _ = self.engine.remove_container(self.me(), true).await;
    }
}

/// Streams the volume's tar to `output` (a file) or `sink`, chunk by chunk.
async fn export(
    engine: &dyn Engine,
    project: &Project,
    observed: &Observed,
    volume: &str,
    output: Option<&PathBuf>,
    sink: &mut (dyn Write + Send),
) -> Result<(), Error> {
    let helper = Helper::create(engine, project, observed, volume).await?;
    let written = async {
        let mut file = match output {
            Some(path) => Some(std::fs::File::create(path).map_err(|e| Error::new(ErrorKind::System, miette!("cannot write {}: {e}", path.display())))?),
            None => None,
        };
        let mut stream = engine.download_archive(helper.me(), "/volume");
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            let out: &mut dyn Write = match file.as_mut() {
                Some(f) => f,
                None => &mut *sink,
            };
            out.write_all(&chunk).map_err(|e| Error::new(ErrorKind::System, miette!("cannot write the archive: {e}")))?;
        }
        Ok::<(), Error>(())
    }
    .await;
    helper.remove().await;
    written
}

async fn import(engine: &dyn Engine, project: &Project, observed: &Observed, volume: &str, tar: Vec<u8>) -> Result<(), Error> {
    let helper = Helper::create(engine, project, observed, volume).await?;
    let r = engine.upload_archive(helper.me(), "/", tar).await;
    helper.remove().await;
    Ok(r?)
}

async fn ensure_volume(engine: &dyn Engine, project: &Project, observed: &Observed, name: &str) -> Result<(), Error> {
    if observed.volumes.contains_key(name) {
        return Ok(());
    }
    let mut l = HashMap::from([(labels::PROJECT.to_string(), project.name.clone()), (labels::VERSION.to_string(), labels::version())]);
    if let Some((key, _)) = project.volumes.iter().find(|(k, v)| v.name() == name || *k == name) {
        l.insert(labels::VOLUME.to_string(), key.clone());
    }
    engine.create_volume(&VolumeSpec { name: name.to_string(), labels: l, ..VolumeSpec::default() }).await?;
    Ok(())
}
