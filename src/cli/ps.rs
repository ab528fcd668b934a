//! `rcompose ps`: the project's containers.

use std::process::ExitCode;

use super::{connect, GlobalArgs};
use crate::engine::State;
use crate::reconcile::observe::{observe_containers, ObservedContainer};
use crate::Error;

#[derive(clap::Args, Debug, Default)]
pub struct PsArgs {
    /// Show all containers, including stopped ones
    #[arg(short, long)]
    pub all: bool,
    /// Only display container ids
    #[arg(short, long)]
    pub quiet: bool,
    /// Display services
    #[arg(long)]
    pub services: bool,
    /// Filter by status (created, restarting, running, removing, paused, exited, dead)
    #[arg(long, value_name = "STATUS")]
    pub status: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Only these services
    pub service_names: Vec<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
}

pub fn run(global: &GlobalArgs, args: &PsArgs) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    let observed = rt.block_on(async {
        let engine = connect().await?;
        observe_containers(&engine, &project).await.map_err(Error::from)
    })?;
    let rows: Vec<&ObservedContainer> = observed
        .containers
        .iter()
        .filter(|c| !c.labels.oneoff || args.all)
        .filter(|c| args.service_names.is_empty() || args.service_names.contains(&c.labels.service))
        .filter(|c| {
            if !args.status.is_empty() {
                args.status.iter().any(|s| s == c.state.as_str())
            } else {
                args.all || c.state == State::Running || c.state == State::Restarting || c.state == State::Paused
            }
        })
        .collect();
    let mut out = String::new();
    if args.services {
        let mut names: Vec<&str> = rows.iter().map(|c| c.labels.service.as_str()).collect();
        names.dedup();
        names.iter().for_each(|n| out.push_str(&format!("{n}\n")));
    } else if args.quiet {
        rows.iter().for_each(|c| out.push_str(&format!("{}\n", c.id)));
    } else if args.format == Format::Json {
        for c in &rows {
            out.push_str(&serde_json::to_string(&json_row(c)).expect("json"));
            out.push('\n');
        }
    } else {
        out = table(&rows);
    }
    super::print_stdout(&out)
}

fn health(status: &str) -> &'static str {
    if status.contains("(healthy)") {
        "healthy"
    } else if status.contains("(unhealthy)") {
        "unhealthy"
    } else if status.contains("health: starting") {
        "starting"
    } else {
        ""
    }
}

fn exit_code(status: &str) -> i64 {
    status.strip_prefix("Exited (").and_then(|r| r.split(')').next()).and_then(|n| n.parse().ok()).unwrap_or(0)
}

fn json_row(c: &ObservedContainer) -> serde_json::Value {
    serde_json::json!({
        "ID": c.id,
        "Name": c.name,
        "Names": c.name,
        "Image": c.image,
        "Command": c.command,
        "Project": c.labels.project,
        "Service": c.labels.service,
        "State": c.state.as_str(),
        "Health": health(&c.status),
        "ExitCode": exit_code(&c.status),
        "Status": c.status,
        "CreatedAt": c.created,
        "Publishers": c.ports,
        "Labels": c.all_labels,
    })
}

fn ago(created: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let secs = (now - created).max(0);
    match secs {
        0..=59 => format!("{secs} seconds ago"),
        60..=3599 => format!("{} minutes ago", secs / 60),
        3600..=86399 => format!("{} hours ago", secs / 3600),
        _ => format!("{} days ago", secs / 86400),
    }
}

fn table(rows: &[&ObservedContainer]) -> String {
    let mut cells: Vec<[String; 7]> = vec![["NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"].map(String::from)];
    for c in rows {
        let mut cmd: String = c.command.chars().take(20).collect();
        if c.command.chars().count() > 20 {
            cmd.push('…');
        }
        cells.push([c.name.clone(), c.image.clone(), format!("\"{cmd}\""), c.labels.service.clone(), ago(c.created), c.status.clone(), c.ports.join(", ")]);
    }
    let widths: Vec<usize> = (0..7).map(|i| cells.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in &cells {
        let line: Vec<String> = r.iter().enumerate().map(|(i, c)| format!("{c:w$}", w = widths[i])).collect();
        out.push_str(line.join("   ").trim_end());
        out.push('\n');
    }
    out
}
