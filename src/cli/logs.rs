//! `rcompose logs`: the services' output, multiplexed with coloured
//! prefixes; with `-f`, containers that start later join in.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::process::ExitCode;

use futures::stream::BoxStream;
use futures::StreamExt;
use tokio::sync::mpsc;

use super::{connect, GlobalArgs};
use crate::engine::{labels, ContainerRef, Engine, EngineError, EngineEvent, EventQuery, LogsQuery};
use crate::reconcile::observe::observe_containers;
use crate::{Error, ErrorKind};

use super::follow::COLOURS;

#[derive(clap::Args, Debug, Default, Clone)]
pub struct LogsArgs {
    /// Follow log output
    #[arg(short, long)]
    pub follow: bool,
    /// Number of lines to show from the end of each container's log
    #[arg(short = 'n', long, value_name = "N", default_value = "all")]
    pub tail: String,
    /// Show logs since a timestamp (e.g. 2026-01-02T13:23:37Z) or relative (e.g. 42m)
    #[arg(long)]
    pub since: Option<String>,
    /// Show logs before a timestamp or relative time
    #[arg(long)]
    pub until: Option<String>,
    /// Show timestamps
    #[arg(short, long)]
    pub timestamps: bool,
    /// Don't print a prefix in logs
    #[arg(long)]
    pub no_log_prefix: bool,
    /// Produce monochrome output
    #[arg(long)]
    pub no_color: bool,
    /// Only these services
    pub services: Vec<String>,
}

/// Unix seconds from `42m`, `1h`, `10s` or an RFC 3339 / unix timestamp.
fn since_arg(text: &str) -> Result<i64, Error> {
    if let Ok(secs) = text.parse::<i64>() {
        return Ok(secs);
    }
    if let Ok(d) = crate::model::forms::Duration::parse(text) {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        return Ok(now.saturating_sub(d.0.as_secs()) as i64);
    }
    Err(Error::new(
        ErrorKind::Usage,
        miette::miette!(code = "rcompose::bad_time", help = "use a duration such as 10m, or unix seconds", "cannot read the time `{text}`"),
    ))
}

struct Prefixer {
    width: usize,
    colour: bool,
    plain: bool,
    seen: HashMap<String, usize>,
}

impl Prefixer {
    fn prefix(&mut self, name: &str) -> String {
        if self.plain {
            return String::new();
        }
        let n = self.seen.len();
        let idx = *self.seen.entry(name.to_string()).or_insert(n);
        if self.colour {
            format!("\x1b[{}m{:w$} |\x1b[0m ", COLOURS[idx % COLOURS.len()], name, w = self.width)
        } else {
            format!("{name:w$} | ", w = self.width)
        }
    }
}

/// Sends the lines of one container's output to `tx` until it ends.
fn spawn_stream(engine: &dyn Engine, id: &str, name: String, args: &LogsArgs, since: Option<i64>, tx: mpsc::UnboundedSender<(String, String)>) {
    let query = LogsQuery {
        follow: args.follow,
        tail: args.tail.clone(),
        timestamps: args.timestamps,
        since: since.unwrap_or(0),
        until: args.until.as_deref().and_then(|u| since_arg(u).ok()),
    };
    let mut stream = engine.logs(ContainerRef::new(id, &name), &query);
    tokio::spawn(async move {
        let mut partial = String::new();
        while let Some(Ok(chunk)) = stream.next().await {
            partial.push_str(&String::from_utf8_lossy(chunk.bytes()));
            while let Some(pos) = partial.find('\n') {
                let line: String = partial.drain(..=pos).collect();
                if tx.send((name.clone(), line.trim_end_matches(['\n', '\r']).to_string())).is_err() {
                    return;
                }
            }
        }
        if !partial.is_empty() {
            let _ = tx.send((name, partial));
        }
    });
}

/// The next event, or never when there are none to follow.
async fn next_event(events: &mut Option<BoxStream<'static, Result<EngineEvent, EngineError>>>) -> Option<Result<EngineEvent, EngineError>> {
    match events {
        Some(events) => events.next().await,
        None => std::future::pending().await,
    }
}

pub fn run(global: &GlobalArgs, args: &LogsArgs) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let observed = observe_containers(&engine, &project).await?;
        let wanted = |service: &str| args.services.is_empty() || args.services.iter().any(|s| s == service);
        let containers: Vec<_> = observed.containers.iter().filter(|c| wanted(&c.labels.service)).cloned().collect();
        let since = args.since.as_deref().map(since_arg).transpose()?;
        let tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
        let width = containers.iter().map(|c| c.name.len()).max().unwrap_or(0).max(project.name.len() + 8);
        let mut prefixer = Prefixer { width, colour: tty && !args.no_color, plain: args.no_log_prefix, seen: HashMap::new() };
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut streaming: HashSet<String> = HashSet::new();
        for c in &containers {
            streaming.insert(c.id.clone());
            spawn_stream(&engine, &c.id, c.name.clone(), args, since, tx.clone());
        }
        // With -f, containers of the project that start later join the output.
        let mut events = args.follow.then(|| {
            let query = EventQuery {
                types: vec!["container".into()],
                actions: vec!["start".into()],
                labels: vec![labels::project_filter(&project.name)],
                ..EventQuery::default()
            };
            engine.events(&query)
        });
        let mut later_tx = args.follow.then(|| tx.clone());
        drop(tx);
        let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
            .map_err(|e| Error::new(ErrorKind::System, miette::miette!("cannot listen for Ctrl-C: {e}")))?;
        loop {
            tokio::select! {
                item = rx.recv() => {
                    let Some((name, line)) = item else { break };
                    let p = prefixer.prefix(&name);
                    if writeln!(std::io::stdout().lock(), "{p}{line}").is_err() {
                        break;
                    }
                }
                event = next_event(&mut events) => {
                    let (Some(Ok(event)), Some(later)) = (event, &later_tx) else {
                        // No more events: the output ends with the streams it has.
                        events = None;
                        later_tx = None;
                        continue;
                    };
                    let service = event.attributes.get(labels::SERVICE).cloned().unwrap_or_default();
                    let id = event.id;
                    if id.is_empty() || !(args.services.is_empty() || args.services.contains(&service)) || !streaming.insert(id.clone()) {
                        continue;
                    }
                    let name = event.attributes.get("name").cloned().unwrap_or_else(|| id.clone());
                    let later_args = LogsArgs { tail: "all".into(), ..args.clone() };
                    spawn_stream(&engine, &id, name, &later_args, None, later.clone());
                }
                _ = interrupt.recv() => break,
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
