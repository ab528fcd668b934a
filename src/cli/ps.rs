//! `rcompose ps`: the project's containers, printed as docker compose v2
//! prints them (table, `json`, or a Go-style template).

use std::process::ExitCode;

use miette::miette;

use super::{connect, GlobalArgs};
use crate::compose::{ps, PsRequest};
use crate::render::ps::{Clock, PsRow};
use crate::render::template;
use crate::{Error, ErrorKind};

#[derive(clap::Args, Debug, Default)]
pub struct PsArgs {
    /// Show all containers, including stopped ones and those `run` made
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
    /// Filter by a property (supported: status=STATUS)
    #[arg(long, value_name = "FILTER")]
    pub filter: Option<String>,
    /// Output format: table, json, `table TEMPLATE` or a Go-style TEMPLATE ({{.Name}}, {{json .}})
    #[arg(long, default_value = "table")]
    pub format: String,
    /// Don't truncate ids, commands and mounts
    #[arg(long)]
    pub no_trunc: bool,
    /// Only these services
    pub service_names: Vec<String>,
}

/// Output format of the commands that print a table or JSON.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
}

/// v2's default columns.
const TABLE: &str = "{{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}";

/// Column headers of the fields a table can show, as v2 names them.
const HEADERS: &[(&str, &str)] = &[
    ("ID", "CONTAINER ID"),
    ("Name", "NAME"),
    ("Project", "PROJECT"),
    ("Service", "SERVICE"),
    ("Image", "IMAGE"),
    ("Command", "COMMAND"),
    ("CreatedAt", "CREATED AT"),
    ("RunningFor", "CREATED"),
    ("Ports", "PORTS"),
    ("State", "STATE"),
    ("Status", "STATUS"),
    ("Size", "SIZE"),
    ("Labels", "LABELS"),
];

impl PsArgs {
    fn request(&self) -> Result<PsRequest, Error> {
        let mut status = self.status.clone();
        if let Some(filter) = &self.filter {
            match filter.split_once('=') {
                Some(("status", value)) => status.push(value.to_string()),
                Some((key, _)) => return Err(Error::new(ErrorKind::Usage, miette!("unknown filter {key}: only status=STATUS is supported"))),
                None => return Err(Error::new(ErrorKind::Usage, miette!("arguments to --filter should be in form KEY=VAL"))),
            }
        }
        Ok(PsRequest { all: self.all, services: self.service_names.clone(), status })
    }
}

pub fn run(global: &GlobalArgs, args: &PsArgs) -> Result<ExitCode, Error> {
    let request = args.request()?;
    let format = template::Format::parse(&args.format, TABLE).map_err(|e| Error::new(ErrorKind::Usage, miette!("--format: {e}")))?;
    let (project, _) = super::load_or_name_only(global)?;
    let rt = super::runtime()?;
    let entries = rt.block_on(async {
        let engine = connect(global).await?;
        ps(&engine, &project, &request).await
    })?;
    let mut out = String::new();
    if args.quiet {
        entries.iter().for_each(|e| out.push_str(&format!("{}\n", e.container.id)));
    } else if args.services {
        let mut names: Vec<&str> = Vec::new();
        for e in &entries {
            if !names.contains(&e.container.labels.service.as_str()) {
                names.push(&e.container.labels.service);
            }
        }
        out = names.join("\n") + "\n";
    } else {
        let clock = Clock { now: now(), zone: &local_zone };
        let rows: Vec<serde_json::Value> =
            entries.iter().map(|e| serde_json::to_value(PsRow::new(e, !args.no_trunc, &clock)).expect("a row serialises")).collect();
        out = format.render(&rows, HEADERS);
    }
    super::print_stdout(&out)
}

fn now() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

/// The local zone's offset and abbreviation at `unix`, as the C library
/// reads `TZ` and `/etc/localtime` (Go reads the same); UTC if it cannot.
fn local_zone(unix: i64) -> (i64, String) {
    let t: libc::time_t = unix as libc::time_t;
    // SAFETY: localtime_r fills the zeroed tm it is given; tm_zone, when set,
    // points at a static NUL-terminated string owned by the C library.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&t, &mut tm).is_null() {
            return (0, "UTC".into());
        }
        let zone = if tm.tm_zone.is_null() { String::new() } else { std::ffi::CStr::from_ptr(tm.tm_zone).to_string_lossy().into_owned() };
        (tm.tm_gmtoff, zone)
    }
}
