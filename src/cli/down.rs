//! `rcompose down`: stop and remove containers and networks (and volumes with `-v`).

use std::collections::HashMap;
use std::process::ExitCode;

use super::{connect, GlobalArgs};
use crate::model::Project;
use crate::reconcile::execute::{parallel_limit, Executor};
use crate::reconcile::observe::{observe, observe_outside_users};
use crate::reconcile::plan_down::{is_anonymous, plan_down, DownOptions};
use crate::{Error, ErrorKind};

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
}

pub fn run(global: &GlobalArgs, args: &DownArgs) -> Result<ExitCode, Error> {
    let (project, labels_only) = super::load_or_name_only(global)?;
    let opts = DownOptions { volumes: args.volumes, remove_orphans: args.remove_orphans, labels_only, rmi: args.rmi };
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect().await?;
        let reporter = crate::progress::reporter(global.progress);
        let _lock = super::lock::lock_project(&engine.host, &project.name, |m| reporter.warning(m))
            .map_err(|e| Error::new(ErrorKind::System, miette::miette!("cannot lock the project: {e}")))?;
        let mut observed = observe(&engine, &project, &[]).await?;
        if args.volumes {
            let mut anonymous: Vec<String> =
                observed.containers.iter().flat_map(|c| c.volumes.iter().map(|(v, _)| v.clone())).filter(|v| is_anonymous(v)).collect();
            anonymous.sort();
            anonymous.dedup();
            observed.outside_users = observe_outside_users(&engine, &project.name, &anonymous).await?;
        }
        let plan = plan_down(&project, &observed, &opts);
        if global.dry_run {
            let mut out = String::new();
            for batch in &plan.containers {
                for (name, _) in batch {
                    out.push_str(&format!("remove   container {name}\n"));
                }
            }
            plan.networks.iter().for_each(|n| out.push_str(&format!("remove   network   {n}\n")));
            plan.volumes.iter().for_each(|v| out.push_str(&format!("remove   volume    {v}\n")));
            plan.images.iter().for_each(|i| out.push_str(&format!("remove   image     {i}\n")));
            plan.warnings.iter().for_each(|w| out.push_str(&format!("warning: {w}\n")));
            return super::print_stdout(&out);
        }
        if args.volumes && !plan.volumes.is_empty() {
            reporter.warning(&format!("removing volumes: {}", plan.volumes.join(", ")));
        }
        let env: HashMap<String, String> = std::env::vars().collect();
        let exec = Executor::new(&engine, &project, reporter.as_ref(), parallel_limit(&env));
        exec.down(&plan, args.timeout, args.volumes).await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// An empty project carrying only a name, for commands that can work from
/// labels alone (`down -p NAME` without a compose file).
pub fn name_only(name: &str) -> Project {
    Project { name: name.to_string(), ..Project::default() }
}
