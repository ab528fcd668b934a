//! `rcompose commit SERVICE [REPOSITORY[:TAG]]`: an image made from a
//! service container, with docker compose v2's flags.

use std::process::ExitCode;

use super::{connect, GlobalArgs};
use crate::compose::{self, CommitRequest};
use crate::engine::CommitSpec;
use crate::Error;

#[derive(clap::Args, Debug, Default)]
pub struct CommitArgs {
    /// Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")
    #[arg(short, long)]
    pub author: Option<String>,
    /// Apply Dockerfile instruction to the created image (repeatable)
    #[arg(short, long = "change", value_name = "INSTRUCTION")]
    pub change: Vec<String>,
    /// Commit message
    #[arg(short, long)]
    pub message: Option<String>,
    /// Pause container during commit (default true; `--pause=false` to not)
    #[arg(short, long, num_args = 0..=1, require_equals = true, default_value = "true", default_missing_value = "true", action = clap::ArgAction::Set)]
    pub pause: bool,
    /// Which replica of the service (default 1)
    #[arg(long, default_value = "1")]
    pub index: u32,
    /// The service
    pub service: String,
    /// The image's name, `REPOSITORY[:TAG]` (none: untagged)
    pub reference: Option<String>,
}

impl CommitArgs {
    fn request(&self) -> CommitRequest {
        let spec = CommitSpec {
            reference: self.reference.clone(),
            author: self.author.clone(),
            message: self.message.clone(),
            changes: self.change.clone(),
            pause: self.pause,
        };
        CommitRequest { service: self.service.clone(), index: self.index, spec }
    }
}

pub fn run(global: &GlobalArgs, args: &CommitArgs) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let req = args.request();
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let reporter = crate::progress::reporter(global.progress);
        let outcome = compose::commit(&engine, &project, &req, global.dry_run, reporter.as_ref()).await?;
        if global.dry_run {
            return super::print_stdout(&crate::render::plan::table(&outcome.steps));
        }
        Ok(ExitCode::SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: CommitArgs,
    }

    #[test]
    fn pause_is_on_unless_turned_off_and_changes_repeat() {
        let parse = |argv: &[&str]| Cli::try_parse_from(std::iter::once("commit").chain(argv.iter().copied())).unwrap().args.request();
        assert!(parse(&["web"]).spec.pause);
        assert!(parse(&["-p", "web"]).spec.pause);
        assert!(!parse(&["--pause=false", "web"]).spec.pause);
        assert!(!parse(&["-p=false", "web", "img:1"]).spec.pause);
        let r = parse(&["-c", "ENV A=b", "-c", "LABEL x=y", "-a", "me", "-m", "why", "web", "img:1"]);
        assert_eq!(
            (r.spec.changes.len(), r.spec.reference.as_deref(), r.spec.author.as_deref(), r.spec.message.as_deref()),
            (2, Some("img:1"), Some("me"), Some("why"))
        );
    }
}
