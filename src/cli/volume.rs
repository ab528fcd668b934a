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
}

impl VolumeCommand {
    fn request(&self) -> VolumeRequest {
        match self {
            VolumeCommand::Export { volume, output } => VolumeRequest::Export { volume: volume.clone(), output: output.clone() },
            VolumeCommand::Import { volume, file, force, strip_components } => {
                VolumeRequest::Import { volume: volume.clone(), file: file.clone(), force: *force, strip_components: *strip_components }
            }
            VolumeCommand::Clone { source, dest } => VolumeRequest::Clone { source: source.clone(), dest: dest.clone() },
        }
    }
}

pub fn run(global: &GlobalArgs, cmd: &VolumeCommand) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let mut stdout = std::io::stdout();
        let steps = volume(&engine, &project, &cmd.request(), global.dry_run, &mut stdout).await?;
        if global.dry_run {
            return super::print_stdout(&crate::render::plan::table(&steps));
        }
        Ok(ExitCode::SUCCESS)
    })
}
