//! `rcompose down`: stop and remove containers and networks (and volumes with `-v`).

use std::process::ExitCode;

use super::{connect, GlobalArgs};
use crate::compose::{self, DownRequest};
use crate::model::Project;
use crate::reconcile::plan_down::DownOptions;
use crate::Error;

#[derive(clap::Args, Debug, Default)]
pub struct DownArgs {
    /// Remove named volumes declared in the file and anonymous volumes attached to containers
    #[arg(short = 'v', long)]
    pub volumes: bool,
    /// Remove containers for services not defined in the Compose file
    #[arg(long)]
    pub remove_orphans: bool,
    /// Remove images used by services: `local` only those built for the project, `all` every one
    #[arg(long, value_enum, value_name = "TYPE")]
    pub rmi: Option<crate::reconcile::plan_down::Rmi>,
    /// Shutdown timeout in seconds (default: each service's stop_grace_period, else 10)
    #[arg(short = 't', long)]
    pub timeout: Option<i32>,
    /// Only these services (default: the whole project)
    pub services: Vec<String>,
}

pub fn run(global: &GlobalArgs, args: &DownArgs) -> Result<ExitCode, Error> {
    let (project, labels_only) = super::load_or_name_only(global)?;
    let req = DownRequest {
        plan: DownOptions { volumes: args.volumes, remove_orphans: args.remove_orphans, labels_only, rmi: args.rmi, services: args.services.clone() },
        timeout: args.timeout,
        dry_run: global.dry_run,
    };
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let reporter = crate::progress::reporter(global.progress);
        let steps = compose::down(&engine, &project, &req, reporter.as_ref()).await?;
        if req.dry_run {
            return super::print_stdout(&crate::render::plan::table(&steps));
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// An empty project carrying only a name, for commands that can work from
/// labels alone (`down -p NAME` without a compose file).
pub fn name_only(name: &str) -> Project {
    Project { name: name.to_string(), ..Project::default() }
}
