//! `rcompose up`: create and start the project's containers.

use std::collections::HashMap;
use std::process::ExitCode;

use miette::miette;

use super::{attach, connect, GlobalArgs};
use crate::engine::Engine as _;
use crate::model::PullPolicy;
use crate::reconcile::execute::{parallel_limit, Executor};
use crate::reconcile::observe::observe;
use crate::reconcile::plan::{image_ref, plan_up, Op, UpOptions};
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
    if global.dry_run {
        let plan = super::runtime()?.block_on(super::plan::compute(global, args))?;
        return super::print_stdout(&super::plan::render(&plan, super::ps::Format::Table));
    }
    let loaded = global.load()?;
    let project = loaded.project;
    let opts = args.options()?;
    if let Some(s) = &args.exit_code_from {
        if !project.services.contains_key(s) {
            return Err(Error::new(ErrorKind::Usage, miette!(code = "rcompose::unknown_service", "--exit-code-from: no such service: {s}")));
        }
    }
    for svc in opts.scale.keys() {
        if !project.services.contains_key(svc) {
            return Err(Error::new(ErrorKind::Usage, miette!("--scale: no such service: {svc}")));
        }
    }
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect().await?;
        let reporter = crate::progress::reporter(global.progress);
        let lock = super::lock::lock_project(&engine.host, &project.name, |m| reporter.warning(m))
            .map_err(|e| Error::new(ErrorKind::System, miette::miette!("cannot lock the project: {e}")))?;
        preflight_engine_features(&engine, &project)?;
        let images: Vec<String> = project.services.iter().map(|(n, s)| image_ref(&project, n, s)).collect();
        let mut observed = observe(&engine, &project, &images).await?;
        // Build what is asked for, what has no image yet, and `pull_policy: build`.
        let scope = crate::reconcile::plan::scope(&project, &opts)?;
        let to_build: Vec<String> = scope
            .iter()
            .filter(|n| {
                let s = &project.services[*n];
                s.build.is_some()
                    && !args.no_build
                    && (args.build || s.pull_policy == Some(PullPolicy::Build) || !observed.images.contains_key(&image_ref(&project, n, s)))
            })
            .cloned()
            .collect();
        if super::pull::pull_for_up(&engine, &project, &scope, args.pull.as_ref(), &observed.images, reporter.as_ref()).await? {
            observed = observe(&engine, &project, &images).await?;
        }
        if !to_build.is_empty() {
            let bopts = crate::images::build::BuildOptions::default();
            super::build::build_services(&engine, &project, &to_build, &bopts, reporter.as_ref()).await?;
            observed = observe(&engine, &project, &images).await?;
        }
        let plan = plan_up(&project, &observed, &opts)?;
        // Refuse before creating anything when an image is missing.
        let mut missing = Vec::new();
        for op in &plan.ops {
            if let Op::CreateContainer { service, .. } = op {
                let image = image_ref(&project, service, &project.services[service]);
                if !observed.images.contains_key(&image) && !missing.iter().any(|(_, i): &(String, String)| i == &image) {
                    missing.push((service.clone(), image));
                }
            }
        }
        if !missing.is_empty() {
            let list: Vec<String> = missing.iter().map(|(s, i)| format!("{i} (service {s})")).collect();
            return Err(Error::new(
                ErrorKind::State,
                miette!(
                    code = "rcompose::image_missing",
                    help = "pull it (`rcompose pull`), build it, or check the name; nothing was created",
                    "no such image: {}",
                    list.join(", ")
                ),
            ));
        }
        let env: HashMap<String, String> = std::env::vars().collect();
        let mut exec = Executor::new(&engine, &project, reporter.as_ref(), parallel_limit(&env));
        exec.create_only = create_only;
        exec.up(&plan).await?;
        if create_only {
            return Ok(ExitCode::SUCCESS);
        }
        // Waiting and following output need no lock: `down` may come meanwhile.
        drop(lock);
        if args.wait {
            let now = observe(&engine, &project, &[]).await?;
            let targets: Vec<(String, String, String)> = now
                .containers
                .iter()
                .filter(|c| !c.labels.oneoff && plan.services.contains(&c.labels.service))
                .map(|c| (c.id.clone(), c.name.clone(), c.labels.service.clone()))
                .collect();
            let timeout = args.wait_timeout.map(std::time::Duration::from_secs);
            crate::reconcile::ready::wait_ready(&engine, &targets, timeout).await?;
            return Ok(ExitCode::SUCCESS);
        }
        if args.detach {
            return Ok(ExitCode::SUCCESS);
        }
        let aopts = attach::AttachOptions {
            attach: args.attach.clone(),
            no_attach: args.no_attach.clone(),
            abort_on_exit: args.abort_on_container_exit,
            exit_code_from: args.exit_code_from.clone(),
            timestamps: args.timestamps,
        };
        attach::follow_until_interrupted(&engine, &project, &plan.services, &aopts, reporter.as_ref()).await
    })
}

/// Features the engine must support for this project.
fn preflight_engine_features(engine: &crate::engine::Docker, project: &crate::model::Project) -> Result<(), Error> {
    use crate::engine::ApiVersion;
    for (name, svc) in &project.services {
        for m in &svc.volumes {
            if m.volume.as_ref().is_some_and(|v| v.subpath.is_some()) {
                engine.require(ApiVersion(1, 45), &format!("volume subpath (service \"{name}\", mount {})", m.target))?;
            }
        }
        if svc.healthcheck.as_ref().is_some_and(|h| h.start_interval.is_some()) {
            engine.require(ApiVersion(1, 44), &format!("healthcheck start_interval (service \"{name}\")"))?;
        }
    }
    Ok(())
}
