//! `rcompose volume export|import|clone`: flags to a [`VolumeRequest`],
//! one call to the operation, its dry run rendered.

use std::process::ExitCode;

use super::{connect, GlobalArgs};
use crate::compose::volume::{volume, VolumeRequest};
use crate::Error;

#[derive(clap::Subcommand, Debug)]
pub enum VolumeCommand {
    /// Write a volume's content as a tar (to FILE, or stdout)
    Export {
        volume: String,
        #[arg(short, long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Restore a volume's content from a tar (made by `export`, of the volume's content, or of a folder)
    Import {
        volume: String,
        file: std::path::PathBuf,
        /// Import even if a running container uses the volume
        #[arg(long)]
        force: bool,
        /// Drop this many leading folders from the archive's entries (for a tar made from a folder path, e.g. `tar cf x.tar /dbdata`: 1)
        #[arg(long, value_name = "N")]
        strip_components: Option<usize>,
    },
    /// Copy one volume's content into another (created if missing)
    Clone { source: String, dest: String },
    /// Move the data of volumes whose driver, options or name changed in the file into volumes made as the file asks, and recreate the services using them (the old data is kept in a volume of its own)
    Migrate {
        /// Volume keys (default: every volume of the project)
        volumes: Vec<String>,
    },
}

impl VolumeCommand {
    /// The operation's request; none for `migrate`, which is `up`'s.
    fn request(&self) -> Option<VolumeRequest> {
        Some(match self {
            VolumeCommand::Export { volume, output } => VolumeRequest::Export { volume: volume.clone(), output: output.clone() },
            VolumeCommand::Import { volume, file, force, strip_components } => {
                VolumeRequest::Import { volume: volume.clone(), file: file.clone(), force: *force, strip_components: *strip_components }
            }
            VolumeCommand::Clone { source, dest } => VolumeRequest::Clone { source: source.clone(), dest: dest.clone() },
            VolumeCommand::Migrate { .. } => return None,
        })
    }
}

pub fn run(global: &GlobalArgs, cmd: &VolumeCommand) -> Result<ExitCode, Error> {
    if let VolumeCommand::Migrate { volumes } = cmd {
        return migrate(global, volumes);
    }
    let Some(request) = cmd.request() else { return Ok(ExitCode::SUCCESS) };
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let mut stdout = std::io::stdout();
        let steps = volume(&engine, &project, &request, global.dry_run, &mut stdout).await?;
        if global.dry_run {
            return super::print_stdout(&crate::render::plan::table(&steps));
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `volume migrate [KEY...]`: `up -d --migrate-volumes` of the services that
/// mount those volumes.
fn migrate(global: &GlobalArgs, volumes: &[String]) -> Result<ExitCode, Error> {
    let project = global.load()?.project;
    for v in volumes {
        if !project.volumes.contains_key(v) {
            return Err(Error::new(crate::ErrorKind::Usage, miette::miette!(code = "rcompose::unknown_volume", "no such volume in the project: {v}")));
        }
    }
    let keys: Vec<&String> = if volumes.is_empty() { project.volumes.keys().collect() } else { volumes.iter().collect() };
    let services: Vec<String> = project
        .services
        .iter()
        .filter(|(_, s)| s.volumes.iter().any(|m| m.kind == crate::model::MountType::Volume && m.source.as_ref().is_some_and(|src| keys.contains(&src))))
        .map(|(n, _)| n.clone())
        .collect();
    if services.is_empty() {
        eprintln!("No service mounts these volumes: nothing to migrate");
        return Ok(ExitCode::SUCCESS);
    }
    let req = crate::compose::UpRequest {
        plan: crate::reconcile::plan::UpOptions { services, ..Default::default() },
        migrate_volumes: true,
        dry_run: global.dry_run,
        ..Default::default()
    };
    super::runtime()?.block_on(async {
        let engine = connect(global).await?;
        let reporter = crate::progress::reporter(global.progress);
        let outcome = crate::compose::up(&engine, &project, &req, reporter.as_ref()).await?;
        if global.dry_run {
            return super::print_stdout(&crate::render::plan::table(&outcome.steps));
        }
        Ok(ExitCode::SUCCESS)
    })
}
