//! `rcompose ls`: compose projects on this engine (ours and docker compose's).

use std::collections::BTreeMap;
use std::process::ExitCode;

use super::{connect, GlobalArgs};
use crate::engine::{labels, ContainerQuery, Engine};
use crate::Error;

#[derive(clap::Args, Debug, Default)]
pub struct LsArgs {
    /// Show all projects, including stopped ones
    #[arg(short, long)]
    pub all: bool,
    /// Only display project names
    #[arg(short, long)]
    pub quiet: bool,
    /// Output format
    #[arg(long, value_enum, default_value = "table")]
    pub format: super::ps::Format,
}

#[derive(Default, serde::Serialize)]
struct Row {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Status")]
    status: String,
    #[serde(rename = "ConfigFiles")]
    config_files: String,
    #[serde(skip)]
    states: BTreeMap<String, usize>,
}

pub fn run(global: &GlobalArgs, args: &LsArgs) -> Result<ExitCode, Error> {
    let rt = super::runtime()?;
    let containers = rt.block_on(async {
        let engine = connect(global).await?;
        let query = ContainerQuery { all: true, labels: vec![labels::PROJECT.to_string()], ..ContainerQuery::default() };
        engine.list_containers(&query).await.map_err(Error::from)
    })?;
    let mut projects: BTreeMap<String, Row> = BTreeMap::new();
    for c in containers {
        let l = c.labels;
        let Some(name) = l.get(labels::PROJECT) else { continue };
        let row = projects.entry(name.clone()).or_insert_with(|| Row { name: name.clone(), ..Row::default() });
        *row.states.entry(c.state.as_str().to_string()).or_default() += 1;
        if let Some(files) = l.get(labels::CONFIG_FILES) {
            if row.config_files.is_empty() {
                row.config_files = files.clone();
            }
        }
    }
    let mut rows: Vec<Row> = projects
        .into_values()
        .map(|mut r| {
            r.status = r.states.iter().map(|(s, n)| format!("{s}({n})")).collect::<Vec<_>>().join(", ");
            r
        })
        .filter(|r| args.all || r.states.contains_key("running"))
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let out = if args.quiet {
        rows.iter().map(|r| format!("{}\n", r.name)).collect()
    } else if args.format == super::ps::Format::Json {
        format!("{}\n", serde_json::to_string(&rows).expect("json"))
    } else {
        let w0 = rows.iter().map(|r| r.name.len()).max().unwrap_or(0).max(4);
        let w1 = rows.iter().map(|r| r.status.len()).max().unwrap_or(0).max(6);
        let mut s = format!("{:w0$}   {:w1$}   CONFIG FILES\n", "NAME", "STATUS");
        for r in &rows {
            s.push_str(&format!("{:w0$}   {:w1$}   {}\n", r.name, r.status, r.config_files));
        }
        s
    };
    super::print_stdout(&out)
}
