//! `restore`: a backup's volumes back into a project (the one it came
//! from, or another name: a copy of an environment). Each volume's content
//! is first unpacked into a staging folder inside the volume, beside the
//! old data; only when every volume is in and every checksum matches does
//! a short script in a helper container swap the staged content in (renames
//! within one file system) and drop the old. Cut short anywhere before
//! that, the old data is as it was.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures::StreamExt;
use miette::miette;

use super::archive::{self, Contents, Header, Root, Sink, VolumeMeta};
use super::guard::{Guard, Relaunch, Undo};
use super::make::Meter;
use super::pipe;
use super::quiesce::{held_around, quiesce, start_order, writers};
use crate::compose::volume::Helper;
use crate::engine::{labels, Engine, EngineError, VolumeSpec};
use crate::model::Project;
use crate::progress::Reporter;
use crate::reconcile::observe::{observe, Observed};
use crate::reconcile::plan::image_ref;
use crate::reconcile::resources::volume_spec;
use crate::reconcile::steps::{Noun, Step, Steps, Verb};
use crate::{Error, ErrorKind};

/// Where staged content waits inside its volume, and the old content
/// during the swap.
const STAGING: &str = ".rcompose-restore";
const OLD: &str = ".rcompose-old";

#[derive(Clone, Debug)]
pub struct RestoreRequest {
    pub file: PathBuf,
    /// Overwrite volumes that already hold data.
    pub force: bool,
    /// The rcompose binary, to start a guard (see `BackupRequest::guard`).
    pub guard: Option<Relaunch>,
}

#[derive(Clone, Debug)]
pub struct RestoreOutcome {
    pub header: Header,
    /// (volume key, engine name) restored.
    pub volumes: Vec<(String, String)>,
    /// Containers stopped for the restore and started again.
    pub held: Vec<String>,
}

/// The engine name a backed-up volume takes in `project`: the file's
/// definition when it has the key, the project's default name otherwise;
/// an external volume keeps its name.
pub fn target_name(project: &Project, meta: &VolumeMeta) -> String {
    match project.volumes.get(&meta.key) {
        Some(v) => v.name().to_string(),
        None if meta.external => meta.name.clone(),
        None => format!("{}_{}", project.name, meta.key),
    }
}

/// Restores `req.file` into `project`. `cancel` ending stops it, removes
/// what was staged and starts the stopped containers again.
pub async fn restore(
    engine: &dyn Engine,
    project: &Project,
    req: &RestoreRequest,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> Result<RestoreOutcome, Error> {
    let header = read_header(&req.file).await?;
    let mut images: Vec<String> = project.services.iter().map(|(n, s)| image_ref(project, n, s)).collect();
    images.extend(header.services.values().map(|s| s.image.clone()));
    let observed = observe(engine, project, &images).await?;
    let targets: Vec<(VolumeMeta, String)> = header.volumes.iter().map(|m| (m.clone(), target_name(project, m))).collect();
    let existing: Vec<&str> = targets.iter().map(|(_, n)| n.as_str()).filter(|n| observed.volumes.contains_key(*n)).collect();
    let (image, full) = probe(engine, project, &observed, &images, &existing).await?;
    if !full.is_empty() && !req.force {
        return Err(Error::new(
            ErrorKind::State,
            miette!(
                code = "rcompose::volume_not_empty",
                help = "pass --force to replace their content (the old data stays until the new is complete), or restore into another project with -p NAME",
                "these volumes already hold data: {}; nothing was changed",
                full.join(", ")
            ),
        ));
    }
    for (meta, name) in &targets {
        ensure(engine, project, &observed, meta, name).await?;
    }
    let names: Vec<String> = targets.iter().map(|(_, n)| n.clone()).collect();
    let writers = writers(&observed, &names);
    let staging = format!("{STAGING}-{}", std::process::id());
    let undo = Undo {
        project: project.name.clone(),
        pid: std::process::id(),
        containers: start_order(project, &writers).iter().map(|c| (c.id.clone(), c.name.clone())).collect(),
        paused: false,
        partial: None,
        staged: names.iter().map(|n| (image.clone(), n.clone(), staging.clone())).collect(),
    };
    let mut guard = req.guard.as_ref().and_then(|how| Guard::start(how, &undo));
    let held = match quiesce(engine, project, &writers, false, reporter).await {
        Ok(held) => held,
        Err(e) => {
            if let Some(g) = guard {
                g.done();
            }
            return Err(e);
        }
    };
    let held_names: Vec<String> = held.names().into_iter().map(String::from).collect();
    let staged = tokio::select! {
        r = stage(engine, project, &image, &req.file, &targets, &staging, reporter) => r,
        () = cancel => Err(Error::Interrupted),
    };
    let swapped = match staged {
        Ok(contents) => {
            if let Some(g) = guard.as_mut() {
                g.swapping();
            }
            swap(engine, &project.name, &image, &targets, &staging, &contents).await
        }
        Err(e) => {
            for (_, name) in &targets {
                let _ = remove_staged(engine, &project.name, &image, name, &staging).await;
            }
            Err(e)
        }
    };
    let not_started = held.resume(engine, project, reporter).await;
    if let Some(g) = guard {
        g.done();
    }
    swapped?;
    if !not_started.is_empty() {
        return Err(Error::new(
            ErrorKind::Failed,
            miette!(help = "start them with `rcompose start`", "the restore is complete, but these containers did not start again: {}", not_started.join(", ")),
        ));
    }
    Ok(RestoreOutcome { volumes: targets.iter().map(|(m, n)| (m.key.clone(), n.clone())).collect(), header, held: held_names })
}

/// What `restore` would do, in order. Changes nothing; whether a volume
/// already holds data is checked only by the restore itself.
pub async fn restore_steps(engine: &dyn Engine, project: &Project, req: &RestoreRequest) -> Result<Steps, Error> {
    let header = read_header(&req.file).await?;
    let observed = observe(engine, project, &[]).await?;
    let names: Vec<String> = header.volumes.iter().map(|m| target_name(project, m)).collect();
    let writers = writers(&observed, &names);
    let writes = names.iter().map(|n| Step::new(Verb::Write, Noun::Volume, n.clone(), format!("from {}", req.file.display()))).collect();
    let held = held_around(&start_order(project, &writers), false, ("uses a volume being restored", "held for the restore"), writes);
    let creates = names.iter().filter(|n| !observed.volumes.contains_key(*n)).map(|n| Step::new(Verb::Create, Noun::Volume, n.clone(), "missing"));
    Ok(Steps { steps: creates.chain(held.steps).collect(), warnings: held.warnings })
}

async fn read_header(file: &std::path::Path) -> Result<Header, Error> {
    let path = file.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let f = std::fs::File::open(&path).map_err(archive::ReadError::Io)?;
        archive::read_header(std::io::BufReader::new(f))
    })
    .await
    .map_err(|e| Error::new(ErrorKind::System, miette!("{e}")))?
    .map_err(|e| unreadable(file, &e))
}

/// A backup that cannot be used, as an input error naming the file.
pub fn unreadable(file: &std::path::Path, e: &archive::ReadError) -> Error {
    Error::new(ErrorKind::Input, miette!(code = "rcompose::backup_unreadable", "cannot restore from {}: {e}", file.display()))
}

/// One helper run that finds an image whose `/bin/sh` works (restore's
/// swap is a shell script) and which of the `volumes` already hold data
/// besides an earlier restore's leftovers. Returns the image and those
/// volumes.
async fn probe(engine: &dyn Engine, project: &Project, observed: &Observed, images: &[String], volumes: &[&str]) -> Result<(String, Vec<String>), Error> {
    let mounts: Vec<(&str, String)> = volumes.iter().enumerate().map(|(i, v)| (*v, format!("/v{i}"))).collect();
    let mounts: Vec<(&str, &str)> = mounts.iter().map(|(v, at)| (*v, at.as_str())).collect();
    let script = format!(
        "for i in {indices}; do for f in /v$i/* /v$i/.[!.]* /v$i/..?*; do case \"$f\" in /v$i/{STAGING}-*|/v$i/{OLD}-*) ;; *) if [ -e \"$f\" ] || [ -L \"$f\" ]; then echo \"full $i\"; break; fi;; esac; done; done; exit 0",
        indices = (0..volumes.len()).map(|i| i.to_string()).collect::<Vec<_>>().join(" ")
    );
    let script = if volumes.is_empty() { "exit 0".to_string() } else { script };
    let mut tried = Vec::new();
    for image in images {
        if !observed.images.contains_key(image) || tried.contains(image) {
            continue;
        }
        tried.push(image.clone());
        let Ok(helper) = Helper::with(engine, &project.name, image, &mounts, vec!["/bin/sh".into(), "-c".into(), script.clone()]).await else { continue };
        let ran = helper.run().await;
        helper.remove().await;
        if let Ok((0, output)) = ran {
            let full = output
                .lines()
                .filter_map(|l| l.strip_prefix("full "))
                .filter_map(|i| i.trim().parse::<usize>().ok())
                .filter_map(|i| volumes.get(i))
                .map(|v| (*v).to_string())
                .collect();
            return Ok((image.clone(), full));
        }
    }
    Err(Error::new(
        ErrorKind::State,
        miette!(
            code = "rcompose::no_shell_image",
            help = "restore needs one image with /bin/sh on this engine: pull or build the project's images first",
            "none of these images is here with a shell: {}",
            if tried.is_empty() { images.join(", ") } else { tried.join(", ") }
        ),
    ))
}

/// Creates a missing target volume as the project (or else the backup)
/// defines it.
async fn ensure(engine: &dyn Engine, project: &Project, observed: &Observed, meta: &VolumeMeta, name: &str) -> Result<(), Error> {
    if observed.volumes.contains_key(name) {
        return Ok(());
    }
    if meta.external && !project.volumes.contains_key(&meta.key) {
        return Err(Error::new(ErrorKind::State, miette!(help = "create it first: it is external to the project", "external volume {name} does not exist")));
    }
    let spec = if project.volumes.contains_key(&meta.key) {
        // As `up` would create it, keeping the labels it had when backed up.
        let mut spec = volume_spec(project, &meta.key);
        for (k, v) in &meta.labels {
            spec.labels.entry(k.clone()).or_insert_with(|| v.clone());
        }
        spec
    } else {
        let mut l: HashMap<String, String> = meta.labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        l.insert(labels::PROJECT.into(), project.name.clone());
        l.insert(labels::VOLUME.into(), meta.key.clone());
        l.insert(labels::VERSION.into(), labels::version());
        VolumeSpec { name: name.to_string(), driver: meta.driver.clone(), driver_opts: meta.driver_opts.clone().into_iter().collect(), labels: l }
    };
    engine.create_volume(&spec).await?;
    Ok(())
}

/// Reads the whole archive once, unpacking each volume into its staging
/// folder; returns what the read found (sums checked by the caller).
async fn stage(
    engine: &dyn Engine,
    project: &Project,
    image: &str,
    file: &std::path::Path,
    targets: &[(VolumeMeta, String)],
    staging: &str,
    reporter: &dyn Reporter,
) -> Result<Contents, Error> {
    let (sinks_tx, mut sinks_rx) = tokio::sync::mpsc::unbounded_channel::<(String, crate::engine::ByteStream)>();
    let path = file.to_path_buf();
    let prefix = format!("{staging}/");
    let reading = tokio::task::spawn_blocking(move || {
        let f = std::fs::File::open(&path)?;
        archive::read(
            std::io::BufReader::with_capacity(1 << 20, f),
            |_| Ok(()),
            |meta| {
                let (out, stream) = pipe::writer();
                sinks_tx.send((meta.key.clone(), stream)).map_err(|_| std::io::Error::other("the restore stopped"))?;
                Ok(Some(Sink { out: Box::new(out), prefix: prefix.clone() }))
            },
        )
        .map_err(std::io::Error::other)
    });
    let mut engine_error: Option<EngineError> = None;
    while let Some((key, stream)) = sinks_rx.recv().await {
        let Some((_, name)) = targets.iter().find(|(m, _)| m.key == key) else { continue };
        let helper = Helper::with(engine, &project.name, image, &[(name, "/v")], vec!["true".into()]).await?;
        let mut meter = Meter::start(reporter, name);
        let count = Arc::new(AtomicU64::new(0));
        let counter = count.clone();
        let counted = stream.inspect(move |c| {
            if let Ok(c) = c {
                counter.fetch_add(c.len() as u64, Ordering::Relaxed);
            }
        });
        let r = {
            let upload = engine.upload_stream(helper.me(), "/v", counted.boxed());
            tokio::pin!(upload);
            loop {
                tokio::select! {
                    r = &mut upload => break r,
                    () = tokio::time::sleep(std::time::Duration::from_millis(200)) => meter.set(count.load(Ordering::Relaxed)),
                }
            }
        };
        meter.set(count.load(Ordering::Relaxed));
        helper.remove().await;
        if let Err(e) = r {
            engine_error = Some(e);
            break;
        }
        meter.done();
    }
    drop(sinks_rx);
    let read = reading.await.map_err(|e| Error::new(ErrorKind::System, miette!("{e}")))?;
    if let Some(e) = engine_error {
        return Err(e.into());
    }
    let contents = read.map_err(|e| unreadable(file, &archive::ReadError::Io(e)))?;
    let bad = contents.mismatches();
    if !bad.is_empty() {
        return Err(Error::new(
            ErrorKind::Input,
            miette!(
                code = "rcompose::backup_checksum",
                help = "the archive is damaged; nothing was changed",
                "cannot restore from {}: the content of {} does not match its checksum",
                file.display(),
                bad.join(", ")
            ),
        ));
    }
    Ok(contents)
}

/// Moves each volume's old content aside, the staged content in, and
/// removes the old.
async fn swap(engine: &dyn Engine, project: &str, image: &str, targets: &[(VolumeMeta, String)], staging: &str, contents: &Contents) -> Result<(), Error> {
    for (meta, name) in targets {
        let root = contents.roots.get(&meta.key).copied().unwrap_or(Root { mode: 0o755, uid: 0, gid: 0 });
        script(engine, project, image, name, &swap_script(staging, root)).await?;
    }
    Ok(())
}

/// The shell script that swaps staged content in: renames inside one file
/// system, so it takes moments whatever the size.
pub fn swap_script(staging: &str, root: Root) -> String {
    let old = format!("{OLD}-{}", staging.rsplit('-').next().unwrap_or("0"));
    format!(
        "set -e; cd /v; S='{staging}'; O='{old}'; rm -rf \"$O\"; mkdir \"$O\"; \
         for f in * .[!.]* ..?*; do case \"$f\" in \"$S\"|\"$O\") continue;; esac; if [ -e \"$f\" ] || [ -L \"$f\" ]; then mv \"$f\" \"$O\"/; fi; done; \
         for f in \"$S\"/* \"$S\"/.[!.]* \"$S\"/..?*; do if [ -e \"$f\" ] || [ -L \"$f\" ]; then mv \"$f\" ./; fi; done; \
         rmdir \"$S\"; chown {}:{} /v; chmod {:o} /v; rm -rf \"$O\"",
        root.uid, root.gid, root.mode
    )
}

/// Removes what a restore staged in `volume` under `folder`.
pub(super) async fn remove_staged(engine: &dyn Engine, project: &str, image: &str, volume: &str, folder: &str) -> Result<(), Error> {
    script(engine, project, image, volume, &format!("rm -rf '/v/{folder}'")).await
}

async fn script(engine: &dyn Engine, project: &str, image: &str, volume: &str, text: &str) -> Result<(), Error> {
    match script_output(engine, project, image, volume, text).await? {
        (0, _) => Ok(()),
        (code, output) => Err(Error::new(ErrorKind::Failed, miette!("the restore helper for volume {volume} failed (exit code {code}): {}", output.trim()))),
    }
}

/// Runs `text` with `/bin/sh` in a helper with `volume` at /v; its exit
/// code and output.
async fn script_output(engine: &dyn Engine, project: &str, image: &str, volume: &str, text: &str) -> Result<(i64, String), Error> {
    let helper = Helper::with(engine, project, image, &[(volume, "/v")], vec!["/bin/sh".into(), "-c".into(), text.into()]).await?;
    let ran = helper.run().await;
    helper.remove().await;
    let (code, output) = ran?;
    tracing::debug!(volume, code, %output, "restore helper");
    Ok((code, output))
}
