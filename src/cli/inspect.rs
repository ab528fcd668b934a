//! `top` (processes in the project's containers) and `events` (the
//! engine's events for the project, as text or JSON lines).

use std::process::ExitCode;

use futures::StreamExt;

use super::{connect, GlobalArgs};
use crate::engine::{labels, ContainerRef, Engine, EngineEvent, EventQuery, State};
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
        let engine = connect(global).await?;
        let observed = observe_containers(&engine, &project).await?;
        let mut out = String::new();
        for c in observed.containers.iter().filter(|c| c.state == State::Running && (services.is_empty() || services.contains(&c.labels.service))) {
            let top = engine.top(ContainerRef::new(&c.id, &c.name), "-ef").await?;
            let (titles, procs) = (top.titles, top.processes);
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
        let engine = connect(global).await?;
        let mut stream = engine.events(&EventQuery { labels: vec![labels::project_filter(&project.name)], ..EventQuery::default() });
        let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
            .map_err(|e| Error::new(ErrorKind::System, miette::miette!("cannot listen for Ctrl-C: {e}")))?;
        loop {
            let ev = tokio::select! {
                ev = stream.next() => ev,
                _ = sigint.recv() => None,
            };
            let Some(Ok(ev)) = ev else { break };
            let service = ev.attributes.get(labels::SERVICE).cloned().unwrap_or_default();
            if !args.services.is_empty() && !args.services.contains(&service) {
                continue;
            }
            let line = event_line(&ev, &service, args.json);
            if super::print_stdout(&format!("{line}\n")).is_err() {
                break;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// One event as `events` prints it: text, or a JSON object.
fn event_line(ev: &EngineEvent, service: &str, json: bool) -> String {
    let time = ev.time_nanos.div_euclid(1_000_000_000);
    if json {
        serde_json::json!({"time": time, "type": ev.kind, "action": ev.action, "id": ev.id, "service": service, "attributes": ev.attributes}).to_string()
    } else {
        let name = ev.attributes.get("name").map(String::as_str).unwrap_or_default();
        format!("{time} {} {} {} (name={name}, service={service})", ev.kind, ev.action, ev.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_print_seconds_kind_action_id_and_names() {
        let ev = EngineEvent {
            kind: "container".into(),
            action: "start".into(),
            id: "abc".into(),
            attributes: [("name".to_string(), "demo-web-1".to_string())].into(),
            time_nanos: 1_700_000_000_999_999_999,
        };
        assert_eq!(event_line(&ev, "web", false), "1700000000 container start abc (name=demo-web-1, service=web)");
        let json: serde_json::Value = serde_json::from_str(&event_line(&ev, "web", true)).unwrap();
        assert_eq!(json["time"], 1_700_000_000);
        assert_eq!(json["service"], "web");
        assert_eq!(json["attributes"]["name"], "demo-web-1");
    }
}
