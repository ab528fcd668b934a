//! `top` (processes in the project's containers) and `events` (the
//! engine's events for the project, as text or JSON lines).

use std::collections::HashMap;
use std::process::ExitCode;

use bollard::query_parameters::{EventsOptionsBuilder, TopOptionsBuilder};
use futures::StreamExt;

use super::{connect, GlobalArgs};
use crate::engine::State;
use crate::engine::{call, labels};
use crate::reconcile::observe::observe_containers;
use crate::{Error, ErrorKind};

#[derive(clap::Args, Debug, Default)]
pub struct EventsArgs {
    /// Print one JSON object per event
    #[arg(long)]
    pub json: bool,
    /// Only these services
    pub services: Vec<String>,
}

pub fn top(global: &GlobalArgs, services: &[String]) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect().await?;
        let observed = observe_containers(&engine, &project).await?;
        let mut out = String::new();
        for c in observed.containers.iter().filter(|c| c.state == State::Running && (services.is_empty() || services.contains(&c.labels.service))) {
            let top = call(format!("top {}", c.name), engine.docker.top_processes(&c.id, Some(TopOptionsBuilder::default().ps_args("-ef").build()))).await?;
            let titles = top.titles.unwrap_or_default();
            let procs = top.processes.unwrap_or_default();
            let widths: Vec<usize> =
                (0..titles.len()).map(|i| procs.iter().map(|p| p.get(i).map_or(0, String::len)).chain([titles[i].len()]).max().unwrap_or(0)).collect();
            out.push_str(&format!("{}\n", c.name));
            let row = |cells: &[String]| {
                let parts: Vec<String> = cells.iter().enumerate().map(|(i, v)| format!("{v:w$}", w = widths.get(i).copied().unwrap_or(0))).collect();
                format!("{}\n", parts.join("   ").trim_end())
            };
            out.push_str(&row(&titles));
            for p in &procs {
                out.push_str(&row(p));
            }
            out.push('\n');
        }
        super::print_stdout(&out)
    })
}

pub fn events(global: &GlobalArgs, args: &EventsArgs) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect().await?;
        let filters = HashMap::from([("label".to_string(), vec![labels::project_filter(&project.name)])]);
        let mut stream = engine.docker.events(Some(EventsOptionsBuilder::default().filters(&filters).build()));
        let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
            .map_err(|e| Error::new(ErrorKind::System, miette::miette!("cannot listen for Ctrl-C: {e}")))?;
        loop {
            let ev = tokio::select! {
                ev = stream.next() => ev,
                _ = sigint.recv() => None,
            };
            let Some(Ok(ev)) = ev else { break };
            let actor = ev.actor.unwrap_or_default();
            let attrs = actor.attributes.unwrap_or_default();
            let service = attrs.get(labels::SERVICE).cloned().unwrap_or_default();
            if !args.services.is_empty() && !args.services.contains(&service) {
                continue;
            }
            let kind = ev.typ.map(|t| t.to_string()).unwrap_or_default();
            let action = ev.action.unwrap_or_default();
            let id = actor.id.unwrap_or_default();
            let time = ev.time.unwrap_or_default();
            let line = if args.json {
                serde_json::json!({"time": time, "type": kind, "action": action, "id": id, "service": service, "attributes": attrs}).to_string()
            } else {
                let name = attrs.get("name").cloned().unwrap_or_default();
                format!("{time} {kind} {action} {id} (name={name}, service={service})")
            };
            if super::print_stdout(&format!("{line}\n")).is_err() {
                break;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
