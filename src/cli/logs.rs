//! `rcompose logs`: the services' output, multiplexed with coloured
//! prefixes; with `-f`, containers that start later join in.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::process::ExitCode;

use bollard::container::LogOutput;
use bollard::query_parameters::{EventsOptionsBuilder, LogsOptionsBuilder};
use futures::StreamExt;
use tokio::sync::mpsc;

use super::{connect, GlobalArgs};
use crate::engine::{labels, Docker};
use crate::reconcile::observe::observe_containers;
use crate::{Error, ErrorKind};

use super::attach::COLOURS;

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
fn since_arg(text: &str) -> Result<i32, Error> {
    if let Ok(secs) = text.parse::<i64>() {
        return Ok(secs as i32);
    }
    if let Ok(d) = crate::model::forms::Duration::parse(text) {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        return Ok(now.saturating_sub(d.0.as_secs()) as i32);
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

fn spawn_stream(engine: &Docker, id: String, name: String, args: &LogsArgs, since: Option<i32>, tx: mpsc::UnboundedSender<(String, String)>) {
    let mut opts = LogsOptionsBuilder::default().follow(args.follow).stdout(true).stderr(true).timestamps(args.timestamps).tail(&args.tail);
    if let Some(s) = since {
        opts = opts.since(s);
    }
    if let Some(u) = &args.until {
        if let Ok(u) = since_arg(u) {
            opts = opts.until(u);
        }
    }
    let opts = opts.build();
    let docker = engine.docker.clone();
    tokio::spawn(async move {
        let mut stream = docker.logs(&id, Some(opts));
        let mut partial = String::new();
        while let Some(Ok(out)) = stream.next().await {
            let bytes = match out {
                LogOutput::StdOut { message } | LogOutput::StdErr { message } | LogOutput::Console { message } => message,
                LogOutput::StdIn { .. } => continue,
            };
            partial.push_str(&String::from_utf8_lossy(&bytes));
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

pub fn run(global: &GlobalArgs, args: &LogsArgs) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect().await?;
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
            spawn_stream(&engine, c.id.clone(), c.name.clone(), args, since, tx.clone());
        }
        if args.follow {
            // Containers of the project that start later join the output.
            let filters = HashMap::from([
                ("type".to_string(), vec!["container".to_string()]),
                ("event".to_string(), vec!["start".to_string()]),
                ("label".to_string(), vec![labels::project_filter(&project.name)]),
            ]);
            let mut events = engine.docker.events(Some(EventsOptionsBuilder::default().filters(&filters).build()));
            let engine2 = engine.clone();
            let args2 = args.clone();
            let services = args.services.clone();
            let tx2 = tx.clone();
            tokio::spawn(async move {
                while let Some(Ok(ev)) = events.next().await {
                    let Some(actor) = ev.actor else { continue };
                    let attrs = actor.attributes.unwrap_or_default();
                    let id = actor.id.unwrap_or_default();
                    let service = attrs.get(labels::SERVICE).cloned().unwrap_or_default();
                    if id.is_empty() || !(services.is_empty() || services.contains(&service)) || !streaming.insert(id.clone()) {
                        continue;
                    }
                    let name = attrs.get("name").cloned().unwrap_or_else(|| id.clone());
                    let mut later = args2.clone();
                    later.tail = "all".into();
                    spawn_stream(&engine2, id, name, &later, None, tx2.clone());
                }
            });
        }
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
                _ = interrupt.recv() => break,
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
