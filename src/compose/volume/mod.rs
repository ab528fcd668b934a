//! `volume export`, `import` and `clone` as an operation: a volume's
//! content as a tar, through the engine's archive API on a created, never
//! started helper container made from an image the project already has
//! (nothing is pulled). A dry run checks what it can (the volume exists,
//! nothing running uses it) and returns the steps, writing nothing.

mod helper;
pub mod layout;
pub mod migrate;

pub(crate) use helper::Helper;

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use std::path::Path;

use futures::StreamExt;
use miette::miette;

use self::layout::Placement;
use crate::engine::{labels, ByteStream, Engine, State, VolumeSpec};
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
    /// Its content replaced by a tar: one made by `export`, one of the
    /// volume's content, or one made from a folder path with
    /// `strip_components` naming how many folders to drop.
    Import { volume: String, file: PathBuf, force: bool, strip_components: Option<usize> },
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
        VolumeRequest::Import { volume, file, force, strip_components } => {
            let name = engine_name(project, volume);
            refuse_in_use(&observed, &name, *force)?;
            let placement = archive_placement(file, *strip_components).await?;
            if !exists(&name) {
                steps.push(Step::new(Verb::Create, Noun::Volume, name.clone(), "missing"));
            }
            steps.push(Step::new(Verb::Write, Noun::Volume, name.clone(), format!("from {}", file.display())));
            if !dry_run {
                let tar = file_stream(file).await?;
                ensure_volume(engine, project, &observed, &name).await?;
                import(engine, project, &observed, &name, &placement, tar).await?;
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
                ensure_volume(engine, project, &observed, &dst).await?;
                copy(engine, project, &observed, &src, &dst).await?;
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

/// Streams the volume's tar to `output` (a file) or `sink`, chunk by chunk.
async fn export(
    engine: &dyn Engine,
    project: &Project,
    observed: &Observed,
    volume: &str,
    output: Option<&PathBuf>,
    sink: &mut (dyn Write + Send),
) -> Result<(), Error> {
    let helper = Helper::create(engine, project, observed, volume, "/volume").await?;
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

/// Copies volume `src`'s content into `dst` (both engine names), streamed.
pub(crate) async fn copy(engine: &dyn Engine, project: &Project, observed: &Observed, src: &str, dst: &str) -> Result<(), Error> {
    let from = Helper::create(engine, project, observed, src, "/volume").await?;
    // The archive of /volume has its entries under `volume/`.
    let tar = engine.download_archive(from.me(), "/volume").map(|r| r.map_err(std::io::Error::other)).boxed();
    let copied = import(engine, project, observed, dst, &Placement::Under("volume".into()), tar).await;
    from.remove().await;
    copied
}

/// Unpacks the archive so that its entries land at the volume's root.
async fn import(engine: &dyn Engine, project: &Project, observed: &Observed, volume: &str, placement: &Placement, tar: ByteStream) -> Result<(), Error> {
    let (mount_at, unpack_at) = match placement {
        Placement::Root => ("/volume".to_string(), "/volume"),
        Placement::Under(folder) => (format!("/{folder}"), "/"),
    };
    let helper = Helper::create(engine, project, observed, volume, &mount_at).await?;
    let r = engine.upload_stream(helper.me(), unpack_at, tar).await;
    helper.remove().await;
    Ok(r?)
}

/// Where `file`'s entries sit (see `layout`); an archive that cannot be
/// mapped is an input error naming the file and what to do.
async fn archive_placement(file: &Path, strip: Option<usize>) -> Result<Placement, Error> {
    let path = file.to_path_buf();
    let decided = tokio::task::spawn_blocking(move || {
        let open = || std::fs::File::open(&path).map(std::io::BufReader::new);
        let top = layout::scan(open().map_err(Read::Io)?, 1).map_err(Read::Layout)?;
        let deep = match strip {
            Some(n) if n > 1 => Some(layout::scan(open().map_err(Read::Io)?, n).map_err(Read::Layout)?),
            _ => None,
        };
        layout::placement(&top, strip, deep.as_ref()).map_err(Read::Layout)
    })
    .await
    .map_err(|e| Error::new(ErrorKind::System, miette!("{e}")))?;
    decided.map_err(|e| match e {
        Read::Io(e) => Error::new(ErrorKind::Input, miette!(code = "rcompose::archive_unreadable", "cannot read {}: {e}", file.display())),
        Read::Layout(e) => Error::new(
            ErrorKind::Input,
            miette!(code = "rcompose::archive_layout", help = "nothing was written to the volume", "cannot import {}: {e}", file.display()),
        ),
    })
}

enum Read {
    Io(std::io::Error),
    Layout(layout::LayoutError),
}

/// A file's bytes in 64 KiB pieces.
async fn file_stream(file: &Path) -> Result<ByteStream, Error> {
    let f = tokio::fs::File::open(file).await.map_err(|e| Error::new(ErrorKind::Input, miette!("cannot read {}: {e}", file.display())))?;
    Ok(futures::stream::try_unfold(f, |mut f| async move {
        let mut buf = vec![0u8; 64 * 1024];
        let n = tokio::io::AsyncReadExt::read(&mut f, &mut buf).await?;
        buf.truncate(n);
        Ok((n > 0).then(|| (bytes::Bytes::from(buf), f)))
    })
    .boxed())
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
