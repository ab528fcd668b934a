//! `rcompose stats [SERVICE]`: the project's containers' resource usage as
//! `docker stats` shows it, in docker compose v2's formats (table, `json`,
//! Go-style templates). `--no-stream` prints one sample; otherwise the table
//! is redrawn in place on a terminal, and printed anew at each update
//! elsewhere (without v2's cursor codes).

use std::io::IsTerminal;
use std::process::ExitCode;

use futures::StreamExt;
use miette::miette;

use super::{connect, GlobalArgs};
use crate::compose::{stats_once, stats_stream, stats_targets, StatsRequest, Usage};
use crate::reconcile::observe::ObservedContainer;
use crate::render::stats::{StatsRow, HEADERS, TABLE};
use crate::render::template::Format;
use crate::{Error, ErrorKind};

#[derive(clap::Args, Debug, Default)]
pub struct StatsArgs {
    /// Show all containers (default shows just running)
    #[arg(short, long)]
    pub all: bool,
    /// Format output: table, json, `table TEMPLATE` or a Go-style TEMPLATE ({{.Name}}, {{json .}})
    #[arg(long, default_value = "table")]
    pub format: String,
    /// Disable streaming stats and only pull the first result
    #[arg(long)]
    pub no_stream: bool,
    /// Do not truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Only this service's containers
    pub service: Option<String>,
}

fn render(format: &Format, targets: &[ObservedContainer], usage: &[Usage], trunc: bool) -> String {
    let rows: Vec<serde_json::Value> = targets.iter().zip(usage).map(|(c, u)| StatsRow::new(&c.id, &c.name, u, trunc).to_value()).collect();
    format.render(&rows, HEADERS)
}

pub fn run(global: &GlobalArgs, args: &StatsArgs) -> Result<ExitCode, Error> {
    let format = Format::parse(&args.format, TABLE).map_err(|e| Error::new(ErrorKind::Usage, miette!("--format: {e}")))?;
    let (project, _) = super::load_or_name_only(global)?;
    let req = StatsRequest { service: args.service.clone(), all: args.all };
    let trunc = !args.no_trunc;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let targets = stats_targets(&engine, &project, &req).await?;
        if args.no_stream {
            let usage = stats_once(&engine, &targets).await?;
            return super::print_stdout(&render(&format, &targets, &usage, trunc));
        }
        let tty = std::io::stdout().is_terminal();
        let mut latest = vec![Usage::default(); targets.len()];
        let mut seen = vec![false; targets.len()];
        let mut samples = stats_stream(&engine, &targets);
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(500));
        let mut shown = false;
        let mut dirty = false;
        loop {
            tokio::select! {
                next = samples.next() => match next {
                    Some((i, Ok(u))) => { latest[i] = u; seen[i] = true; dirty = true; }
                    // A container removed meanwhile keeps its last figures.
                    Some((_, Err(e))) if e.is_not_found() => {}
                    Some((_, Err(e))) => return Err(e.into()),
                    // Every container is gone: the last figures, once.
                    None => {
                        if !shown {
                            super::print_stdout(&render(&format, &targets, &latest, trunc))?;
                        }
                        return Ok(ExitCode::SUCCESS);
                    }
                },
                _ = tick.tick() => {
                    // The first draw waits for every container's first
                    // sample; later ones come when a figure arrived.
                    if dirty && seen.iter().all(|s| *s) {
                        let text = render(&format, &targets, &latest, trunc);
                        let text = if tty { format!("\x1b[2J\x1b[H{text}") } else { text };
                        super::print_stdout(&text)?;
                        shown = true;
                        dirty = false;
                    }
                }
                _ = tokio::signal::ctrl_c() => return Ok(ExitCode::SUCCESS),
            }
        }
    })
}
