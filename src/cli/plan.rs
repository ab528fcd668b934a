//! `rcompose plan`: what `up` would do and why, one line per action, with
//! no change to the engine: the dry run of the `up` operation.

use std::process::ExitCode;

use super::up::UpArgs;
use super::{connect, GlobalArgs};
use crate::compose;
use crate::reconcile::steps::Steps;
use crate::Error;

#[derive(clap::Args, Debug, Default)]
pub struct PlanArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: super::ps::Format,
    #[command(flatten)]
    pub up: UpArgs,
}

/// Computes the `up` plan (pulls and builds included) without changing
/// anything.
pub async fn compute(global: &GlobalArgs, args: &UpArgs) -> Result<Steps, Error> {
    let project = global.load()?.project;
    let req = args.request(false, true)?;
    let engine = connect(global).await?;
    Ok(compose::up(&engine, &project, &req, &crate::progress::Quiet).await?.steps)
}

pub fn run(global: &GlobalArgs, args: &PlanArgs) -> Result<ExitCode, Error> {
    let rt = super::runtime()?;
    let steps = rt.block_on(compute(global, &args.up))?;
    let text = match args.format {
        super::ps::Format::Json => crate::render::plan::json(&steps),
        super::ps::Format::Table => crate::render::plan::table(&steps),
    };
    super::print_stdout(&text)
}
