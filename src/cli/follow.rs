//! Attached `up`: the containers' output with a `service |` prefix until
//! they all exit; Ctrl-C stops them gracefully, a second Ctrl-C kills them.
//! With `--abort-on-container-exit` the first exit stops everything;
//! `--exit-code-from SERVICE` returns that service's exit code, and never 0
//! when the service did not finish by itself (unlike docker compose, which
//! returns 0 for a container it stopped).

use std::io::Write;
use std::process::ExitCode;

use futures::StreamExt;

use crate::engine::{ContainerRef, Engine, EngineError, LogsQuery};
use crate::model::Project;
use crate::progress::{Event, Kind, Reporter, Status};
use crate::reconcile::observe::{observe, ObservedContainer};
use crate::{Error, ErrorKind};

pub const COLOURS: [&str; 6] = ["36", "33", "32", "35", "34", "96"];

/// What to follow and when to stop.
#[derive(Clone, Debug, Default)]
pub struct AttachOptions {
    /// Services whose output is shown (empty: all).
    pub attach: Vec<String>,
    pub no_attach: Vec<String>,
    pub abort_on_exit: bool,
    pub exit_code_from: Option<String>,
    pub timestamps: bool,
}

enum Item {
    Line(usize, String),
    Ended(usize),
}

async fn stop_all(engine: &dyn Engine, project: &Project, containers: &[ObservedContainer], reporter: &dyn Reporter) {
    let stops = containers.iter().map(|c| async move {
        reporter.event(Event::new(Kind::Container, &c.name, Status::Stopping));
        let timeout = project.services.get(&c.labels.service).and_then(|s| s.stop_grace_period).map(|g| g.0.as_secs() as i32);
        let _ = engine.stop_container(ContainerRef::new(&c.id, &c.name), timeout).await;
        reporter.event(Event::new(Kind::Container, &c.name, Status::Stopped));
    });
    futures::future::join_all(stops).await;
}

/// The exit code of a container whose output ended. The output also ends
/// when the connection breaks; an engine that cannot be asked then is an
/// error, never an exit code.
async fn exit_code(engine: &dyn Engine, c: &ObservedContainer) -> Result<i64, EngineError> {
    let info = engine.inspect_container(ContainerRef::new(&c.id, &c.name)).await?;
    Ok(info.exit_code.unwrap_or(-1))
}

pub async fn follow_until_interrupted(
    engine: &dyn Engine,
    project: &Project,
    services: &[String],
    opts: &AttachOptions,
    reporter: &dyn Reporter,
) -> Result<ExitCode, Error> {
    let observed = observe(engine, project, &[]).await?;
    let containers: Vec<ObservedContainer> = observed.containers.iter().filter(|c| services.contains(&c.labels.service) && !c.labels.oneoff).cloned().collect();
    let shown = |c: &ObservedContainer| {
        (opts.attach.is_empty() || opts.attach.contains(&c.labels.service) || opts.exit_code_from.as_ref() == Some(&c.labels.service))
            && !opts.no_attach.contains(&c.labels.service)
    };
    let width = containers.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let prefixes: Vec<String> = containers
        .iter()
        .enumerate()
        .map(|(i, c)| if tty { format!("\x1b[{}m{:width$} |\x1b[0m ", COLOURS[i % COLOURS.len()], c.name) } else { format!("{:width$} | ", c.name) })
        .collect();
    // Every container gets a stream (to notice its exit); only shown ones print.
    let streams = containers.iter().enumerate().map(|(i, c)| {
        let query = LogsQuery { follow: true, timestamps: opts.timestamps, ..LogsQuery::default() };
        engine
            .logs(ContainerRef::new(&c.id, &c.name), &query)
            .filter_map(move |item| async move { item.ok().map(|chunk| Item::Line(i, String::from_utf8_lossy(chunk.bytes()).into_owned())) })
            .chain(futures::stream::once(async move { Item::Ended(i) }))
            .boxed()
    });
    let mut merged = futures::stream::select_all(streams);
    let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .map_err(|e| Error::new(ErrorKind::System, miette::miette!("cannot listen for Ctrl-C: {e}")))?;
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| Error::new(ErrorKind::System, miette::miette!("cannot listen for SIGTERM: {e}")))?;
    let abort = opts.abort_on_exit || opts.exit_code_from.is_some();
    let mut chosen_code: Option<i64> = None;
    loop {
        tokio::select! {
            item = merged.next() => {
                match item {
                    None => break,
                    Some(Item::Line(i, text)) => {
                        if !shown(&containers[i]) {
                            continue;
                        }
                        let mut stdout = std::io::stdout().lock();
                        for line in text.lines() {
                            if writeln!(stdout, "{}{line}", prefixes[i]).is_err() {
                                return Ok(ExitCode::SUCCESS);
                            }
                        }
                    }
                    Some(Item::Ended(i)) => {
                        let c = &containers[i];
                        let code = exit_code(engine, c).await?;
                        if shown(c) {
                            println!("{} exited with code {code}", c.name);
                        }
                        if opts.exit_code_from.as_ref() == Some(&c.labels.service) {
                            chosen_code = Some(code);
                        }
                        if abort {
                            eprintln!("Aborting on container exit...");
                            let others: Vec<ObservedContainer> = containers.iter().filter(|o| o.id != c.id).cloned().collect();
                            stop_all(engine, project, &others, reporter).await;
                            let result = match &opts.exit_code_from {
                                None => code,
                                Some(_) => match chosen_code {
                                    Some(own) => own,
                                    None => {
                                        // The chosen service did not finish by itself.
                                        let svc = opts.exit_code_from.clone().unwrap_or_default();
                                        eprintln!("{svc} was stopped because {} exited first; it did not complete", c.name);
                                        if code != 0 { code } else { 1 }
                                    }
                                },
                            };
                            return Ok(crate::container_exit(result));
                        }
                    }
                }
            }
            _ = async { tokio::select! { _ = sigint.recv() => {}, _ = sigterm.recv() => {} } } => {
                eprintln!("Gracefully stopping... (press Ctrl+C again to force)");
                tokio::select! {
                    _ = stop_all(engine, project, &containers, reporter) => {}
                    _ = sigint.recv() => {
                        for c in &containers {
                            let _ = engine.kill_container(ContainerRef::new(&c.id, &c.name), "SIGKILL").await;
                        }
                    }
                }
                return Err(Error::Interrupted);
            }
        }
    }
    Ok(crate::container_exit(chosen_code.unwrap_or(0)))
}
