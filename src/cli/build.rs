//! `rcompose build`: build the images of services that have a `build:` section.

use std::collections::HashMap;
use std::process::ExitCode;

use miette::miette;

use super::{connect, GlobalArgs};
use crate::engine::Engine;
use crate::images::build::{build_service, BuildOptions};
use crate::model::Project;
use crate::progress::Reporter;
use crate::{Error, ErrorKind};

#[derive(clap::Args, Debug, Default)]
pub struct BuildArgs {
    /// Do not use cache when building the image
    #[arg(long)]
    pub no_cache: bool,
    /// Always attempt to pull a newer version of the base image
    #[arg(long)]
    pub pull: bool,
    /// Set build-time variables for services
    #[arg(long = "build-arg", value_name = "KEY=VALUE")]
    pub build_args: Vec<String>,
    /// Services to build (default: all with a build section)
    pub services: Vec<String>,
}

pub fn parse_build_args(items: &[String]) -> Result<HashMap<String, String>, Error> {
    let mut out = HashMap::new();
    for item in items {
        match item.split_once('=') {
            Some((k, v)) => out.insert(k.to_string(), v.to_string()),
            None => match std::env::var(item) {
                Ok(v) => out.insert(item.clone(), v),
                Err(_) => continue,
            },
        };
    }
    Ok(out)
}

/// Builds the named services (all with a build section when empty).
pub async fn build_services(engine: &dyn Engine, project: &Project, services: &[String], opts: &BuildOptions, reporter: &dyn Reporter) -> Result<(), Error> {
    for s in services {
        if !project.services.contains_key(s) {
            return Err(Error::new(ErrorKind::Usage, miette!(code = "rcompose::unknown_service", "no such service: {s}")));
        }
    }
    let targets: Vec<(&String, &crate::model::Service)> =
        project.services.iter().filter(|(n, s)| s.build.is_some() && (services.is_empty() || services.contains(n))).collect();
    if opts.dry_run {
        let lines: String = targets.iter().map(|(n, s)| format!("build    image     {}\n", crate::render::image_name(project, n, s))).collect();
        print!("{lines}");
        return Ok(());
    }
    let results = futures::future::join_all(targets.iter().map(|(n, s)| build_service(engine, project, n, s, opts, reporter))).await;
    for r in results {
        r?;
    }
    Ok(())
}

pub fn run(global: &GlobalArgs, args: &BuildArgs) -> Result<ExitCode, Error> {
    let project = global.load()?.project;
    let opts = BuildOptions { no_cache: args.no_cache, pull: args.pull, args: parse_build_args(&args.build_args)?, dry_run: global.dry_run };
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect().await?;
        let reporter = crate::progress::reporter(global.progress);
        build_services(&engine, &project, &args.services, &opts, reporter.as_ref()).await?;
        Ok(ExitCode::SUCCESS)
    })
}
