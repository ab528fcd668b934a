//! `rcompose export SERVICE [-o FILE] [--index N]`: a service container's
//! file system as a tar, streamed to a file or to stdout.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use miette::miette;

use super::{connect, GlobalArgs};
use crate::compose::{self, ExportRequest};
use crate::{Error, ErrorKind};

#[derive(clap::Args, Debug, Default)]
pub struct ExportArgs {
    /// Write to a file, instead of STDOUT
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Which replica of the service (default 1)
    #[arg(long, default_value = "1")]
    pub index: u32,
    /// The service
    pub service: String,
}

pub fn run(global: &GlobalArgs, args: &ExportArgs) -> Result<ExitCode, Error> {
    if args.output.is_none() && !global.dry_run && std::io::stdout().is_terminal() {
        return Err(Error::new(
            ErrorKind::Usage,
            miette!(code = "rcompose::export_to_terminal", help = "use -o FILE, or redirect the output", "refusing to write a tar archive to a terminal"),
        ));
    }
    let (project, _) = super::load_or_name_only(global)?;
    let req = ExportRequest { service: args.service.clone(), index: args.index, output: args.output.clone() };
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let reporter = crate::progress::reporter(global.progress);
        let mut stdout = std::io::stdout();
        let steps = compose::export(&engine, &project, &req, global.dry_run, &mut stdout, reporter.as_ref()).await?;
        if global.dry_run {
            return super::print_stdout(&crate::render::plan::table(&steps));
        }
        Ok(ExitCode::SUCCESS)
    })
}
