//! `rcompose up`: create and start the project's containers.

use std::collections::HashMap;
use std::process::ExitCode;

use miette::miette;

use super::{connect, follow, GlobalArgs};
use crate::compose::{self, images::ImageFlags, UpRequest};
use crate::model::PullPolicy;
use crate::reconcile::plan::UpOptions;
use crate::{Error, ErrorKind};

/// `--pull`: the three policies that make sense for one run.
fn pull_flag() -> impl clap::builder::TypedValueParser<Value = PullPolicy> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(["always", "missing", "never"]).map(|p| p.parse::<PullPolicy>().expect("each listed value is a pull policy"))
}

#[derive(clap::Args, Debug, Default)]
pub struct UpArgs {
    /// Detached mode: start the containers in the background and return
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// Don't start linked services
    #[arg(long)]
    pub no_deps: bool,
    /// Recreate containers even if their configuration and image haven't changed
    #[arg(long, conflicts_with = "no_recreate")]
    pub force_recreate: bool,
    /// If containers already exist, don't recreate them
    #[arg(long)]
    pub no_recreate: bool,
    /// Move the data of volumes whose driver, options or name changed in the file into volumes made as the file asks (the old data is kept in a volume of its own)
    #[arg(long)]
    pub migrate_volumes: bool,
    /// Remove containers for services not defined in the Compose file
    #[arg(long)]
    pub remove_orphans: bool,
    /// Wait for services to be running and healthy (or done); implies -d
    #[arg(long)]
    pub wait: bool,
    /// With --wait: give up after this many seconds
    #[arg(long, value_name = "SECONDS")]
    pub wait_timeout: Option<u64>,
    /// Stop all containers if any container exits (attached mode)
    #[arg(long, conflicts_with = "detach")]
    pub abort_on_container_exit: bool,
    /// Return the exit code of this service's container; implies --abort-on-container-exit
    #[arg(long, value_name = "SERVICE", conflicts_with = "detach")]
    pub exit_code_from: Option<String>,
    /// Show output of these services only (repeatable)
    #[arg(long, value_name = "SERVICE")]
    pub attach: Vec<String>,
    /// Do not show output of these services (repeatable)
    #[arg(long, value_name = "SERVICE")]
    pub no_attach: Vec<String>,
    /// Show timestamps in attached output
    #[arg(long)]
    pub timestamps: bool,
    /// Pull images before running: always, missing or never (overrides pull_policy)
    #[arg(long, value_name = "POLICY", value_parser = pull_flag())]
    pub pull: Option<PullPolicy>,
    /// Build images before starting containers
    #[arg(long, conflicts_with = "no_build")]
    pub build: bool,
    /// Don't build an image, even if it's missing
    #[arg(long)]
    pub no_build: bool,
    /// Scale SERVICE to NUM instances (overrides `scale` and `deploy.replicas`)
    #[arg(long, value_name = "SERVICE=NUM")]
    pub scale: Vec<String>,
    /// Services to start (default: all)
    pub services: Vec<String>,
}

pub fn parse_scale(items: &[String]) -> Result<HashMap<String, u32>, Error> {
    let mut out = HashMap::new();
    for item in items {
        let (svc, n) = item.split_once('=').ok_or_else(|| Error::new(ErrorKind::Usage, miette!("--scale takes SERVICE=NUM, got `{item}`")))?;
        let n: u32 = n.parse().map_err(|_| Error::new(ErrorKind::Usage, miette!("--scale {svc}: `{n}` is not a number")))?;
        out.insert(svc.to_string(), n);
    }
    Ok(out)
}

impl UpArgs {
    /// The operation's request for these flags.
    pub fn request(&self, create_only: bool, dry_run: bool) -> Result<UpRequest, Error> {
        Ok(UpRequest {
            plan: self.options()?,
            images: ImageFlags { build: self.build, no_build: self.no_build, pull: self.pull.clone() },
            create_only,
            wait: self.wait,
            wait_timeout: self.wait_timeout.map(std::time::Duration::from_secs),
            dry_run,
            parallel: 0,
            migrate_volumes: self.migrate_volumes,
        })
    }

    /// The planner's options for these flags.
    pub fn options(&self) -> Result<UpOptions, Error> {
        Ok(UpOptions {
            services: self.services.clone(),
            no_deps: self.no_deps,
            force_recreate: self.force_recreate,
            no_recreate: self.no_recreate,
            remove_orphans: self.remove_orphans,
            scale: parse_scale(&self.scale)?,
        })
    }
}

/// `create`: `up` without starting anything.
pub fn create(global: &GlobalArgs, args: &UpArgs) -> Result<ExitCode, Error> {
    up(global, args, true)
}

pub fn run(global: &GlobalArgs, args: &UpArgs) -> Result<ExitCode, Error> {
    up(global, args, false)
}

fn up(global: &GlobalArgs, args: &UpArgs, create_only: bool) -> Result<ExitCode, Error> {
    let mut project = global.load()?.project;
    // A service named here runs even when its profile is off.
    project.enable_services(&args.services);
    if let Some(s) = &args.exit_code_from {
        if !project.services.contains_key(s) {
            return Err(Error::new(ErrorKind::Usage, miette!(code = "rcompose::unknown_service", "--exit-code-from: no such service: {s}")));
        }
    }
    let req = args.request(create_only, global.dry_run)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let reporter = crate::progress::reporter(global.progress);
        let outcome = compose::up(&engine, &project, &req, reporter.as_ref()).await?;
        if req.dry_run {
            return super::print_stdout(&crate::render::plan::table(&outcome.steps));
        }
        if create_only || args.wait || args.detach {
            return Ok(ExitCode::SUCCESS);
        }
        let aopts = follow::AttachOptions {
            attach: args.attach.clone(),
            no_attach: args.no_attach.clone(),
            abort_on_exit: args.abort_on_container_exit,
            exit_code_from: args.exit_code_from.clone(),
            timestamps: args.timestamps,
        };
        follow::follow_until_interrupted(&engine, &project, outcome.services(), &aopts, reporter.as_ref()).await
    })
}
