//! `rcompose volume export|import|clone`: a volume's content as a tar,
//! through the engine's archive API on a stopped helper container made from
//! an image the project already has (nothing is pulled).

use std::collections::HashMap;
use std::process::ExitCode;

use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, DownloadFromContainerOptionsBuilder, RemoveContainerOptionsBuilder, UploadToContainerOptionsBuilder,
};
use futures::StreamExt;
use miette::miette;

use super::{connect, GlobalArgs};
use crate::engine::State;
use crate::engine::{call, labels, Docker, EngineError};
use crate::model::Project;
use crate::reconcile::observe::{observe, Observed};
use crate::reconcile::plan::image_ref;
use crate::{Error, ErrorKind};

#[derive(clap::Subcommand, Debug)]
pub enum VolumeCommand {
    /// Write a volume's content as a tar (to FILE, or stdout)
    Export {
        volume: String,
        #[arg(short, long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Restore a volume's content from a tar made by `export`
    Import {
        volume: String,
        file: std::path::PathBuf,
        /// Import even if a running container uses the volume
        #[arg(long)]
        force: bool,
    },
    /// Copy one volume's content into another (created if missing)
    Clone { source: String, dest: String },
}

/// A project volume key or an engine volume name → the engine name.
fn engine_name(project: &Project, volume: &str) -> String {
    project.volumes.get(volume).map_or(volume, |v| v.name()).to_string()
}

struct Helper<'a> {
    engine: &'a Docker,
    id: String,
}

impl Helper<'_> {
    async fn remove(self) {
        // `v`: anonymous volumes from the image's VOLUME lines go too; the
        // named volume at /volume is untouched.
        let opts = RemoveContainerOptionsBuilder::default().force(true).v(true).build();
        let _ = self.engine.docker.remove_container(&self.id, Some(opts)).await;
    }
}

/// A created, never started container with `volume` at /volume.
async fn helper<'a>(engine: &'a Docker, project: &Project, observed: &Observed, volume: &str) -> Result<Helper<'a>, Error> {
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
            mounts: Some(vec![Mount { target: Some("/volume".into()), source: Some(volume.to_string()), typ: Some(MountType::VOLUME), ..Default::default() }]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let created =
        call("create volume helper", engine.docker.create_container(Some(CreateContainerOptionsBuilder::default().name(&name).build()), body)).await?;
    Ok(Helper { engine, id: created.id })
}

async fn export_bytes(engine: &Docker, id: &str) -> Result<Vec<u8>, Error> {
    let opts = DownloadFromContainerOptionsBuilder::default().path("/volume").build();
    let mut stream = engine.docker.download_from_container(id, Some(opts));
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| EngineError::from_bollard("read the volume", e))?;
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

async fn import_bytes(engine: &Docker, id: &str, tar: Vec<u8>) -> Result<(), Error> {
    let opts = UploadToContainerOptionsBuilder::default().path("/").copy_uidgid("1").build();
    call("write the volume", engine.docker.upload_to_container(id, Some(opts), bollard::body_full(tar.into()))).await?;
    Ok(())
}

async fn ensure_volume(engine: &Docker, project: &Project, name: &str) -> Result<(), Error> {
    if engine.docker.inspect_volume(name).await.is_ok() {
        return Ok(());
    }
    let mut l = HashMap::from([(labels::PROJECT.to_string(), project.name.clone()), (labels::VERSION.to_string(), labels::version())]);
    if let Some((key, _)) = project.volumes.iter().find(|(k, v)| v.name() == name || *k == name) {
        l.insert(labels::VOLUME.to_string(), key.clone());
    }
    let req = bollard::models::VolumeCreateRequest { name: Some(name.to_string()), labels: Some(l), ..Default::default() };
    call(format!("create volume {name}"), engine.docker.create_volume(req)).await?;
    Ok(())
}

pub fn run(global: &GlobalArgs, cmd: &VolumeCommand) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect().await?;
        let images: Vec<String> = project.services.iter().map(|(n, s)| image_ref(&project, n, s)).collect();
        let observed = observe(&engine, &project, &images).await?;
        match cmd {
            VolumeCommand::Export { volume, output } => {
                let name = engine_name(&project, volume);
                if engine.docker.inspect_volume(&name).await.is_err() {
                    return Err(Error::new(ErrorKind::State, miette!(code = "rcompose::no_volume", "no such volume: {name}")));
                }
                let h = helper(&engine, &project, &observed, &name).await?;
                let bytes = export_bytes(&engine, &h.id).await;
                h.remove().await;
                let bytes = bytes?;
                match output {
                    Some(path) => std::fs::write(path, &bytes).map_err(|e| Error::new(ErrorKind::System, miette!("cannot write {}: {e}", path.display())))?,
                    None => {
                        use std::io::Write;
                        std::io::stdout().lock().write_all(&bytes).map_err(|e| Error::new(ErrorKind::System, miette!("cannot write: {e}")))?;
                    }
                }
            }
            VolumeCommand::Import { volume, file, force } => {
                let name = engine_name(&project, volume);
                let users: Vec<&str> = observed
                    .containers
                    .iter()
                    .filter(|c| c.state == State::Running && c.volumes.iter().any(|(v, _)| v == &name))
                    .map(|c| c.name.as_str())
                    .collect();
                if !users.is_empty() && !force {
                    return Err(Error::new(
                        ErrorKind::State,
                        miette!(
                            code = "rcompose::volume_in_use",
                            help = "stop them first (`rcompose stop`), or pass --force",
                            "volume {name} is in use by running containers: {}",
                            users.join(", ")
                        ),
                    ));
                }
                let tar = std::fs::read(file).map_err(|e| Error::new(ErrorKind::Input, miette!("cannot read {}: {e}", file.display())))?;
                ensure_volume(&engine, &project, &name).await?;
                let h = helper(&engine, &project, &observed, &name).await?;
                let r = import_bytes(&engine, &h.id, tar).await;
                h.remove().await;
                r?;
            }
            VolumeCommand::Clone { source, dest } => {
                let (src, dst) = (engine_name(&project, source), engine_name(&project, dest));
                if engine.docker.inspect_volume(&src).await.is_err() {
                    return Err(Error::new(ErrorKind::State, miette!(code = "rcompose::no_volume", "no such volume: {src}")));
                }
                let h = helper(&engine, &project, &observed, &src).await?;
                let bytes = export_bytes(&engine, &h.id).await;
                h.remove().await;
                let bytes = bytes?;
                ensure_volume(&engine, &project, &dst).await?;
                let h = helper(&engine, &project, &observed, &dst).await?;
                let r = import_bytes(&engine, &h.id, bytes).await;
                h.remove().await;
                r?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
