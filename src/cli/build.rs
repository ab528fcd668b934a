//! `rcompose build`: build the images of services that have a `build:` section.

use std::collections::HashMap;
use std::process::ExitCode;

use super::{connect, GlobalArgs};
use crate::compose;
use crate::images::build::BuildOptions;
use crate::Error;

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

pub fn run(global: &GlobalArgs, args: &BuildArgs) -> Result<ExitCode, Error> {
    let project = global.load()?.project;
    let opts = BuildOptions { no_cache: args.no_cache, pull: args.pull, args: parse_build_args(&args.build_args)?, dry_run: global.dry_run };
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let reporter = crate::progress::reporter(global.progress);
        let steps = compose::build(&engine, &project, &args.services, &opts, reporter.as_ref()).await?;
        if opts.dry_run {
            return super::print_stdout(&crate::render::plan::table(&steps));
        }
        Ok(ExitCode::SUCCESS)
    })
}
