//! `rcompose scale SERVICE=N...`: set services' replica counts, creating or
//! removing containers as `up --scale` does, without touching the other
//! services.

use std::process::ExitCode;

use miette::miette;

use super::{connect, GlobalArgs};
use crate::compose::{self, ScaleRequest};
use crate::{Error, ErrorKind};

#[derive(clap::Args, Debug, Default)]
pub struct ScaleArgs {
    /// Don't start linked services
    #[arg(long)]
    pub no_deps: bool,
    /// SERVICE=REPLICAS pairs
    #[arg(required = true, value_name = "SERVICE=REPLICAS")]
    pub pairs: Vec<String>,
}

/// `SERVICE=N` → (service, N), with v2's messages for the wrong shapes.
pub fn parse_pair(pair: &str) -> Result<(String, u32), Error> {
    let (service, n) = pair
        .split_once('=')
        .filter(|(s, _)| !s.is_empty())
        .ok_or_else(|| Error::new(ErrorKind::Usage, miette!(code = "rcompose::scale_args", "invalid scale specifier: {pair}")))?;
    let n: u32 = n.parse().map_err(|_| {
        Error::new(
            ErrorKind::Usage,
            miette!(
                code = "rcompose::scale_args",
                help = "replicas are a whole number, 0 or more",
                "invalid scale specifier: can't parse replica value as int: {pair}"
            ),
        )
    })?;
    Ok((service.to_string(), n))
}

pub fn run(global: &GlobalArgs, args: &ScaleArgs) -> Result<ExitCode, Error> {
    let replicas = args.pairs.iter().map(|p| parse_pair(p)).collect::<Result<Vec<_>, _>>()?;
    let mut project = global.load()?.project;
    // A service named here runs even when its profile is off.
    project.enable_services(&replicas.iter().map(|(s, _)| s.clone()).collect::<Vec<_>>());
    let req = ScaleRequest { replicas, no_deps: args.no_deps, dry_run: global.dry_run };
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let reporter = crate::progress::reporter(global.progress);
        let outcome = compose::scale(&engine, &project, &req, reporter.as_ref()).await?;
        if req.dry_run {
            return super::print_stdout(&crate::render::plan::table(&outcome.steps));
        }
        Ok(ExitCode::SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pairs_and_refuses_other_shapes_as_v2_does() {
        assert_eq!(parse_pair("worker=3").unwrap(), ("worker".to_string(), 3));
        assert_eq!(parse_pair("worker=0").unwrap(), ("worker".to_string(), 0));
        let text = |p: &str| match parse_pair(p).unwrap_err() {
            Error::Other { report, .. } => report.to_string(),
            e => panic!("{e:?}"),
        };
        assert_eq!(text("worker"), "invalid scale specifier: worker");
        assert_eq!(text("worker=x"), "invalid scale specifier: can't parse replica value as int: worker=x");
        assert_eq!(text("worker=-1"), "invalid scale specifier: can't parse replica value as int: worker=-1");
        assert_eq!(text("=2"), "invalid scale specifier: =2");
    }
}
