//! Attached `up`: the containers' output with a `service |` prefix until
//! they all exit; Ctrl-C stops them gracefully, a second Ctrl-C kills them.

use std::io::Write;
use std::process::ExitCode;

use bollard::container::LogOutput;
use bollard::query_parameters::{KillContainerOptionsBuilder, LogsOptionsBuilder, StopContainerOptionsBuilder};
use futures::StreamExt;

use crate::engine::Engine;
use crate::model::Project;
use crate::progress::{Event, Kind, Reporter, Status};
use crate::reconcile::observe::observe;
use crate::Error;

const COLOURS: [&str; 6] = ["36", "33", "32", "35", "34", "96"];

pub async fn follow_until_interrupted(engine: &Engine, project: &Project, services: &[String], reporter: &dyn Reporter) -> Result<ExitCode, Error> {
    let observed = observe(engine, project, &[]).await.map_err(miette::Report::new)?;
    let containers: Vec<_> = observed.containers.iter().filter(|c| services.contains(&c.labels.service) && !c.labels.oneoff).cloned().collect();
    let width = containers.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let streams = containers.iter().enumerate().map(|(i, c)| {
        let prefix = if tty {
            format!("\x1b[{}m{:width$} |\x1b[0m ", COLOURS[i % COLOURS.len()], c.name)
        } else {
            format!("{:width$} | ", c.name)
        };
        let opts = LogsOptionsBuilder::default().follow(true).stdout(true).stderr(true).tail("all").build();
        engine.docker.logs(&c.id, Some(opts)).map(move |item| (prefix.clone(), item))
    });
    let mut merged = futures::stream::select_all(streams);
    let mut interrupts = 0;
    let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .map_err(|e| miette::miette!("cannot listen for Ctrl-C: {e}"))?;
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| miette::miette!("cannot listen for SIGTERM: {e}"))?;
    loop {
        tokio::select! {
            item = merged.next() => {
                let Some((prefix, item)) = item else { break };
                if let Ok(out) = item {
                    let bytes = match out {
                        LogOutput::StdOut { message } | LogOutput::StdErr { message } | LogOutput::Console { message } => message,
                        LogOutput::StdIn { .. } => continue,
                    };
                    let mut stdout = std::io::stdout().lock();
                    for line in String::from_utf8_lossy(&bytes).lines() {
                        if writeln!(stdout, "{prefix}{line}").is_err() {
                            return Ok(ExitCode::SUCCESS);
                        }
                    }
                }
            }
            _ = async { tokio::select! { _ = sigint.recv() => {}, _ = sigterm.recv() => {} } } => {
                interrupts += 1;
                if interrupts == 1 {
                    eprintln!("Gracefully stopping... (press Ctrl+C again to force)");
                    let stops = containers.iter().map(|c| async move {
                        reporter.event(Event::new(Kind::Container, &c.name, Status::Stopping));
                        let timeout = project.services.get(&c.labels.service).and_then(|s| s.stop_grace_period).map(|g| g.0.as_secs() as i32);
                        let mut opts = StopContainerOptionsBuilder::default();
                        if let Some(t) = timeout { opts = opts.t(t); }
                        let _ = engine.docker.stop_container(&c.id, Some(opts.build())).await;
                        reporter.event(Event::new(Kind::Container, &c.name, Status::Stopped));
                    });
                    tokio::select! {
                        _ = futures::future::join_all(stops) => {}
                        _ = sigint.recv() => {
                            for c in &containers {
                                let _ = engine.docker.kill_container(&c.id, Some(KillContainerOptionsBuilder::default().signal("SIGKILL").build())).await;
                            }
                        }
                    }
                    return Ok(ExitCode::from(130));
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
