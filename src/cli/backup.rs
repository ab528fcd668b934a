//! `rcompose backup [SERVICE...]`, `backup ls FILE`, `backup verify FILE`
//! and `rcompose restore FILE`: flags to a request, one call to the
//! operation in `compose::backup`, its outcome rendered.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miette::miette;

use super::{connect, GlobalArgs};
use crate::compose::backup::guard::Relaunch;
use crate::compose::backup::{self, archive::Contents, BackupRequest, RestoreRequest};
use crate::engine::df::human_size;
use crate::{Error, ErrorKind};

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub command: Option<BackupCommand>,
    /// The archive to write (default: PROJECT-backup-DATE-TIME.tar.zst here)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Pause the containers that write to the volumes instead of stopping them
    #[arg(long)]
    pub pause: bool,
    /// zstd compression level, 1 (fastest) to 19 (smallest)
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(i32).range(1..=19))]
    pub level: i32,
    /// Only the volumes these services mount (default: every named volume of the project)
    pub services: Vec<String>,
}

#[derive(clap::Subcommand, Debug)]
pub enum BackupCommand {
    /// Show what a backup holds, without restoring it
    Ls {
        file: PathBuf,
        /// `table` or `json` (the whole manifest)
        #[arg(long, default_value = "table")]
        format: Format,
    },
    /// Check every volume of a backup against its checksum
    Verify { file: PathBuf },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// An archive made by `rcompose backup`
    pub file: PathBuf,
    /// Replace the content of volumes that already hold data
    #[arg(long)]
    pub force: bool,
}

/// Ends at the first Ctrl-C or SIGTERM.
async fn interrupted() {
    use tokio::signal::unix::{signal, SignalKind};
    match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
        (Ok(mut int), Ok(mut term)) => {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        _ => std::future::pending().await,
    }
}

pub fn run(global: &GlobalArgs, args: &BackupArgs) -> Result<ExitCode, Error> {
    match &args.command {
        Some(BackupCommand::Ls { file, format }) => ls(file, *format),
        Some(BackupCommand::Verify { file }) => verify(file),
        None => make(global, args),
    }
}

fn make(global: &GlobalArgs, args: &BackupArgs) -> Result<ExitCode, Error> {
    let project = global.load()?.project;
    let output = args.output.clone().unwrap_or_else(|| default_name(&project.name));
    let req = BackupRequest { services: args.services.clone(), output, pause: args.pause, level: args.level, guard: Relaunch::current() };
    let reporter = crate::progress::reporter(global.progress);
    if global.dry_run {
        return super::runtime()?.block_on(async {
            let steps = backup::backup_steps(&connect(global).await?, &project, &req, reporter.as_ref()).await?;
            super::print_stdout(&crate::render::plan::table(&steps))
        });
    }
    let outcome = super::runtime()?.block_on(async {
        let engine = connect(global).await?;
        backup::backup(&engine, &project, &req, reporter.as_ref(), interrupted()).await
    })?;
    if global.progress == crate::progress::Mode::Quiet {
        return Ok(ExitCode::SUCCESS);
    }
    let total: u64 = outcome.sums.volumes.values().map(|s| s.bytes).sum();
    eprintln!(
        "Backed up {} volume(s), {} of data, into {} ({})",
        outcome.sums.volumes.len(),
        human_size(total),
        outcome.output.display(),
        human_size(outcome.size)
    );
    if !outcome.held.is_empty() {
        eprintln!("Stopped for the copy and started again: {}", outcome.held.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

/// `demo-backup-20261202-130000.tar.zst`
fn default_name(project: &str) -> PathBuf {
    let now = crate::render::ps::rfc3339_utc(std::time::SystemTime::now());
    let stamp: String = now.chars().filter(char::is_ascii_digit).collect();
    PathBuf::from(format!("{project}-backup-{}-{}.tar.zst", &stamp[..8], &stamp[8..]))
}

pub fn restore(global: &GlobalArgs, args: &RestoreArgs) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let req = RestoreRequest { file: args.file.clone(), force: args.force, guard: Relaunch::current() };
    let reporter = crate::progress::reporter(global.progress);
    if global.dry_run {
        return super::runtime()?.block_on(async {
            let steps = backup::restore_steps(&connect(global).await?, &project, &req).await?;
            super::print_stdout(&crate::render::plan::table(&steps))
        });
    }
    let outcome = super::runtime()?.block_on(async {
        let engine = connect(global).await?;
        backup::restore(&engine, &project, &req, reporter.as_ref(), interrupted()).await
    })?;
    if global.progress == crate::progress::Mode::Quiet {
        return Ok(ExitCode::SUCCESS);
    }
    for (key, name) in &outcome.volumes {
        eprintln!("Restored volume {key} into {name}");
    }
    if !outcome.held.is_empty() {
        eprintln!("Stopped for the restore and started again: {}", outcome.held.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}

fn read(file: &Path) -> Result<Contents, Error> {
    super::runtime()?.block_on(backup::inspect(file))
}

fn ls(file: &Path, format: Format) -> Result<ExitCode, Error> {
    let c = read(file)?;
    let text = match format {
        Format::Json => {
            let doc = serde_json::json!({"header": c.header, "sums": c.expected, "damaged": c.mismatches()});
            serde_json::to_string_pretty(&doc).map_err(|e| Error::new(ErrorKind::System, miette!("{e}")))?
        }
        Format::Table => table(&c),
    };
    super::print_stdout(&text)
}

fn table(c: &Contents) -> String {
    let h = &c.header;
    let mut out = format!("Project {} backed up {} by rcompose {}\n", h.project, h.created, h.rcompose_version);
    let rows: Vec<[String; 5]> = h
        .volumes
        .iter()
        .map(|v| {
            let sum = c.expected.volumes.get(&v.key).cloned().unwrap_or_default();
            let state = if c.mismatches().contains(&v.key.as_str()) { "DAMAGED" } else { "ok" };
            [v.key.clone(), v.name.clone(), human_size(sum.bytes), v.services.join(","), format!("{} {state}", sum.sha256.get(..12).unwrap_or(""))]
        })
        .collect();
    let head = ["VOLUME", "NAME", "SIZE", "SERVICES", "SHA256"];
    let widths: Vec<usize> = (0..5).map(|i| rows.iter().map(|r| r[i].len()).chain([head[i].len()]).max().unwrap_or(0)).collect();
    for row in std::iter::once(head.map(String::from)).chain(rows) {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(cells.join("   ").trim_end());
        out.push('\n');
    }
    out
}

fn verify(file: &Path) -> Result<ExitCode, Error> {
    let c = read(file)?;
    let bad = c.mismatches();
    for v in &c.header.volumes {
        let sum = c.actual.volumes.get(&v.key).cloned().unwrap_or_default();
        let state = if bad.contains(&v.key.as_str()) { "DAMAGED" } else { "ok" };
        println!("{state:<8}{} ({}, {} entries)", v.key, human_size(sum.bytes), sum.entries);
    }
    if bad.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    Err(Error::new(
        ErrorKind::Failed,
        miette!(code = "rcompose::backup_checksum", "{}: the content of {} does not match its checksum", file.display(), bad.join(", ")),
    ))
}

/// The guard (`RCOMPOSE_BACKUP_GUARD` set): waits on standard input and
/// puts things right if the backup or restore that started it dies (see
/// `compose::backup::guard`).
pub fn guard(global: &GlobalArgs) -> Result<ExitCode, Error> {
    let Some((undo, swapping)) = backup::guard::watch(std::io::stdin().lock()) else {
        return Ok(ExitCode::SUCCESS);
    };
    super::runtime()?.block_on(async {
        let engine = connect(global).await?;
        backup::guard::carry_out(&engine, &undo, swapping).await;
        Ok(ExitCode::SUCCESS)
    })
}
