//! `rcompose cp`: copy files between a service container and the local
//! filesystem, through the engine's archive API.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use futures::StreamExt;
use miette::miette;

use super::{connect, GlobalArgs};
use crate::engine::{ContainerRef, Engine};
use crate::reconcile::observe::observe_containers;
use crate::reconcile::steps::{Noun, Step, Steps, Verb};
use crate::{Error, ErrorKind};

#[derive(clap::Args, Debug, Default)]
pub struct CpArgs {
    /// Which replica (default 1)
    #[arg(long, default_value = "1")]
    pub index: u32,
    /// SERVICE:SRC_PATH or a local path
    pub source: String,
    /// SERVICE:DEST_PATH or a local path
    pub dest: String,
}

/// `service:path` → (service, path); a local path has no service part.
fn split(arg: &str) -> Option<(&str, &str)> {
    let (s, p) = arg.split_once(':')?;
    (!s.is_empty() && !s.contains('/')).then_some((s, p))
}

pub fn run(global: &GlobalArgs, args: &CpArgs) -> Result<ExitCode, Error> {
    let (project, _) = super::load_or_name_only(global)?;
    let (service, remote, local, to_container) = match (split(&args.source), split(&args.dest)) {
        (Some((s, p)), None) => (s.to_string(), p.to_string(), PathBuf::from(&args.dest), false),
        (None, Some((s, p))) => (s.to_string(), p.to_string(), PathBuf::from(&args.source), true),
        _ => {
            return Err(Error::new(
                ErrorKind::Usage,
                miette!(
                    code = "rcompose::cp_args",
                    help = "e.g. `rcompose cp db:/var/log/app.log .` or `rcompose cp ./seed.sql db:/tmp/`",
                    "exactly one of SOURCE and DEST must be SERVICE:PATH"
                ),
            ))
        }
    };
    let rt = super::runtime()?;
    rt.block_on(async {
        let engine = connect(global).await?;
        let observed = observe_containers(&engine, &project).await?;
        let c = observed.replica(&service, args.index).cloned().ok_or_else(|| {
            Error::new(ErrorKind::State, miette!(code = "rcompose::no_container", "service \"{service}\" has no container number {}", args.index))
        })?;
        if global.dry_run {
            let (from, to) = if to_container {
                (local.display().to_string(), format!("{}:{remote}", c.name))
            } else {
                (format!("{}:{remote}", c.name), local.display().to_string())
            };
            let step = Step::new(Verb::Copy, Noun::File, from, format!("to {to}"));
            return super::print_stdout(&crate::render::plan::table(&Steps { steps: vec![step], warnings: Vec::new() }));
        }
        if to_container {
            let src = local.clone();
            let tar = tokio::task::spawn_blocking(move || tar_path(&src))
                .await
                .map_err(|e| Error::new(ErrorKind::System, miette!("{e}")))?
                .map_err(|e| Error::new(ErrorKind::Input, miette!("cannot read {}: {e}", local.display())))?;
            engine.copy_into(ContainerRef::new(&c.id, &c.name), &remote, tar).await?;
        } else {
            let mut stream = engine.download_archive(ContainerRef::new(&c.id, &c.name), &remote);
            let mut bytes = Vec::new();
            while let Some(chunk) = stream.next().await {
                bytes.extend_from_slice(&chunk?);
            }
            let dest = local.clone();
            tokio::task::spawn_blocking(move || unpack(&bytes, &dest))
                .await
                .map_err(|e| Error::new(ErrorKind::System, miette!("{e}")))?
                .map_err(|e| Error::new(ErrorKind::System, miette!("cannot write {}: {e}", local.display())))?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// A tar of one file or folder, named by its last component.
fn tar_path(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut b = tar::Builder::new(Vec::new());
    let name = path.file_name().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    if path.is_dir() {
        b.append_dir_all(&name, path)?;
    } else {
        b.append_path_with_name(path, &name)?;
    }
    b.into_inner()
}

/// Unpacks into `dest`: a folder receives the entry; a file path that does
/// not exist yet names a single copied file.
fn unpack(bytes: &[u8], dest: &Path) -> std::io::Result<()> {
    let mut archive = tar::Archive::new(bytes);
    if dest.is_dir() {
        return archive.unpack(dest);
    }
    let mut entries = archive.entries()?;
    if let Some(entry) = entries.next() {
        let mut entry = entry?;
        if entry.header().entry_type().is_file() {
            entry.unpack(dest)?;
            return Ok(());
        }
    }
    std::fs::create_dir_all(dest)?;
    let parent = dest.parent().unwrap_or(Path::new("."));
    tar::Archive::new(bytes).unpack(parent)
}
