//! `rcompose pull`: the images of the project's services.

use std::process::ExitCode;

use super::{connect, GlobalArgs};
use crate::compose::{self, PullRequest};
use crate::Error;

#[derive(clap::Args, Debug, Default)]
pub struct PullArgs {
    /// Pull what it can and ignore images that fail
    #[arg(long)]
    pub ignore_pull_failures: bool,
    /// Pull without printing progress
    #[arg(short, long)]
    pub quiet: bool,
    /// Services (default: all with an image)
    pub services: Vec<String>,
}

pub fn run(global: &GlobalArgs, args: &PullArgs) -> Result<ExitCode, Error> {
    let project = global.load()?.project;
    let req = PullRequest { services: args.services.clone(), ignore_failures: args.ignore_pull_failures, dry_run: global.dry_run };
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let mode = if args.quiet { crate::progress::Mode::Quiet } else { global.progress };
        let reporter = crate::progress::reporter(mode);
        let steps = compose::pull(&engine, &project, &req, reporter.as_ref()).await?;
        if req.dry_run {
            return super::print_stdout(&crate::render::plan::table(&steps));
        }
        Ok(ExitCode::SUCCESS)
    })
}
