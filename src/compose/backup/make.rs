//! `backup`: the project's named volumes (or those of some services) into
//! one archive. The containers that write to them are held still for the
//! copy and let go afterwards whatever happens; the archive is written
//! under a temporary name and takes its final name only when complete.

use std::future::Future;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::time::Instant;

use futures::StreamExt;
use miette::miette;

use super::archive::{compressor, Header, ServiceMeta, Trailer, VolumeMeta, Writer, FORMAT};
use super::guard::{Guard, Relaunch, Undo};
use super::pipe::{self, Offload};
use super::quiesce::{held_around, quiesce, start_order, writers};
use crate::compose::volume::Helper;
use crate::engine::{labels, Engine, EngineError};
use crate::model::{MountType, Project};
use crate::progress::{Event, Kind, Reporter, Status};
use crate::reconcile::observe::{observe, Observed};
use crate::reconcile::plan::image_ref;
use crate::reconcile::steps::{Noun, Step, Steps, Verb};
use crate::{Error, ErrorKind};

/// What to back up, and where to.
#[derive(Clone, Debug)]
pub struct BackupRequest {
    /// Only the volumes these services mount; all the project's when empty.
    pub services: Vec<String>,
    pub output: PathBuf,
    /// Pause the writers instead of stopping them.
    pub pause: bool,
    /// zstd level (1 fast … 19 small).
    pub level: i32,
    /// The rcompose binary, to start a [`Guard`] that puts things right if
    /// this process dies (the command line sets it; a library caller may).
    pub guard: Option<Relaunch>,
}

/// A backup written.
#[derive(Clone, Debug)]
pub struct BackupOutcome {
    pub output: PathBuf,
    pub header: Header,
    pub sums: Trailer,
    /// Bytes of the archive.
    pub size: u64,
    /// The containers stopped (or paused) for the copy and started again.
    pub held: Vec<String>,
}

/// The file a backup is written to until it is complete.
pub fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(".partial");
    output.with_file_name(name)
}

/// The project's volume keys the chosen services mount (all when none is
/// chosen), each with the services that mount it.
pub fn chosen_volumes(project: &Project, services: &[String]) -> Vec<(String, Vec<String>)> {
    let mounts = |key: &str| -> Vec<String> {
        project
            .services
            .iter()
            .filter(|(_, s)| s.volumes.iter().any(|v| v.kind == MountType::Volume && v.source.as_deref() == Some(key)))
            .map(|(n, _)| n.clone())
            .collect()
    };
    project.volumes.keys().map(|k| (k.clone(), mounts(k))).filter(|(_, users)| services.is_empty() || users.iter().any(|u| services.contains(u))).collect()
}

/// Writes the backup; `cancel` ending (Ctrl-C, SIGTERM) stops the copy,
/// lets the containers go and removes the unfinished file.
pub async fn backup(
    engine: &dyn Engine,
    project: &Project,
    req: &BackupRequest,
    reporter: &dyn Reporter,
    cancel: impl Future<Output = ()>,
) -> Result<BackupOutcome, Error> {
    let (observed, header) = select(engine, project, req, reporter).await?;
    let partial = partial_path(&req.output);
    let file = std::fs::File::create(&partial).map_err(|e| Error::new(ErrorKind::System, miette!("cannot write {}: {e}", partial.display())))?;

    let mut helpers = Vec::new();
    for v in &header.volumes {
        match Helper::create(engine, project, &observed, &v.name, "/volume").await {
            Ok(h) => helpers.push((v.key.clone(), v.name.clone(), h)),
            Err(e) => {
                cleanup(helpers, &partial).await;
                return Err(e);
            }
        }
    }
    let names: Vec<String> = header.volumes.iter().map(|v| v.name.clone()).collect();
    let writers = writers(&observed, &names);
    let undo = Undo {
        project: project.name.clone(),
        pid: std::process::id(),
        containers: start_order(project, &writers).iter().map(|c| (c.id.clone(), c.name.clone())).collect(),
        paused: req.pause,
        partial: Some(partial.clone()),
        staged: Vec::new(),
    };
    let guard = req.guard.as_ref().and_then(|how| Guard::start(how, &undo));
    let held = match quiesce(engine, project, &writers, req.pause, reporter).await {
        Ok(held) => held,
        Err(e) => {
            cleanup(helpers, &partial).await;
            if let Some(g) = guard {
                g.done();
            }
            return Err(e);
        }
    };
    let held_names: Vec<String> = held.names().into_iter().map(String::from).collect();
    let copied = tokio::select! {
        r = copy(engine, &helpers, &header, file, req.level, reporter) => r,
        () = cancel => Err(Error::Interrupted),
    };
    let not_started = held.resume(engine, project, reporter).await;
    cleanup(helpers, if copied.is_ok() { Path::new("") } else { &partial }).await;
    let named = copied.and_then(|sums| {
        std::fs::rename(&partial, &req.output).map_err(|e| Error::new(ErrorKind::System, miette!("cannot name the backup {}: {e}", req.output.display())))?;
        Ok(sums)
    });
    if let Some(g) = guard {
        g.done();
    }
    let sums = named?;
    if !not_started.is_empty() {
        return Err(Error::new(
            ErrorKind::Failed,
            miette!(
                help = "start them with `rcompose start`",
                "the backup is complete ({}), but these containers did not start again: {}",
                req.output.display(),
                not_started.join(", ")
            ),
        ));
    }
    let size = std::fs::metadata(&req.output).map(|m| m.len()).unwrap_or(0);
    Ok(BackupOutcome { output: req.output.clone(), header, sums, size, held: held_names })
}

/// What the engine has, and the header of the backup `req` asks for: the
/// chosen volumes that exist (a missing one is warned about and skipped).
async fn select(engine: &dyn Engine, project: &Project, req: &BackupRequest, reporter: &dyn Reporter) -> Result<(Observed, Header), Error> {
    for s in &req.services {
        if !project.services.contains_key(s) {
            return Err(Error::new(ErrorKind::Usage, miette!(code = "rcompose::unknown_service", "no such service: {s}")));
        }
    }
    let images: Vec<String> = project.services.iter().map(|(n, s)| image_ref(project, n, s)).collect();
    let observed = observe(engine, project, &images).await?;
    let mut volumes = Vec::new();
    for (key, services) in chosen_volumes(project, &req.services) {
        let v = &project.volumes[&key];
        let Some(found) = observed.volumes.get(v.name()) else {
            reporter.warning(&format!("volume {} does not exist yet: nothing of it to back up", v.name()));
            continue;
        };
        volumes.push(VolumeMeta {
            key,
            name: v.name().to_string(),
            driver: Some(found.driver.clone()),
            driver_opts: found.options.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            labels: found.labels.iter().filter(|(k, _)| !k.starts_with("com.docker.compose.")).map(|(k, v)| (k.clone(), v.clone())).collect(),
            external: v.external,
            services,
        });
    }
    if volumes.is_empty() {
        return Err(Error::new(
            ErrorKind::State,
            miette!(code = "rcompose::nothing_to_back_up", help = "create them with `rcompose up`", "project {} has no volume to back up", project.name),
        ));
    }
    let header = Header {
        format: FORMAT,
        project: project.name.clone(),
        created: crate::render::ps::rfc3339_utc(std::time::SystemTime::now()),
        rcompose_version: labels::version(),
        volumes,
        services: project
            .services
            .iter()
            .map(|(n, s)| (n.clone(), ServiceMeta { image: image_ref(project, n, s), config_hash: crate::reconcile::hash::config_hash(s) }))
            .collect(),
    };
    Ok((observed, header))
}

/// What `backup` would do, in order: hold the writers, copy each volume,
/// let the writers go. Changes nothing.
pub async fn backup_steps(engine: &dyn Engine, project: &Project, req: &BackupRequest, reporter: &dyn Reporter) -> Result<Steps, Error> {
    let (observed, header) = select(engine, project, req, reporter).await?;
    let names: Vec<String> = header.volumes.iter().map(|v| v.name.clone()).collect();
    let writers = writers(&observed, &names);
    let copies = header.volumes.iter().map(|v| Step::new(Verb::Copy, Noun::Volume, v.name.clone(), format!("into {}", req.output.display()))).collect();
    Ok(held_around(&start_order(project, &writers), req.pause, ("writes to a volume being backed up", "held for the copy"), copies))
}

/// Removes the helpers, and the unfinished file unless `partial` is empty.
async fn cleanup(helpers: Vec<(String, String, Helper<'_>)>, partial: &Path) {
    for (_, _, h) in helpers {
        h.remove().await;
    }
    if !partial.as_os_str().is_empty() {
        let _ = std::fs::remove_file(partial);
    }
}

/// How many bytes of the engine's stream go to the writing thread at once.
const BATCH: usize = 1 << 20;

/// Streams each volume from its helper into the archive, on a blocking
/// thread that parses, hashes, compresses and writes.
async fn copy(
    engine: &dyn Engine,
    helpers: &[(String, String, Helper<'_>)],
    header: &Header,
    file: std::fs::File,
    level: i32,
    reporter: &dyn Reporter,
) -> Result<Trailer, Error> {
    let (volumes_tx, volumes_rx) = std::sync::mpsc::channel::<(String, pipe::ChannelReader)>();
    let head = header.clone();
    let writing = tokio::task::spawn_blocking(move || -> io::Result<Trailer> {
        // Parsing and hashing here; compressing and writing on another thread.
        let zstd = Offload::new(compressor(BufWriter::with_capacity(1 << 20, file), level)?);
        let mut w = Writer::new(BufWriter::with_capacity(1 << 20, zstd), &head)?;
        for (key, volume) in volumes_rx {
            w.add_volume(&key, volume)?;
        }
        let (out, trailer) = w.finish()?;
        let zstd = out.into_inner().map_err(io::IntoInnerError::into_error)?.finish()?;
        zstd.finish()?.into_inner().map_err(io::IntoInnerError::into_error)?.sync_all()?;
        Ok(trailer)
    });
    let mut engine_error: Option<EngineError> = None;
    for (key, name, helper) in helpers {
        let (tx, volume) = pipe::reader();
        if volumes_tx.send((key.clone(), volume)).is_err() {
            break;
        }
        let mut meter = Meter::start(reporter, name);
        let mut stream = engine.download_archive(helper.me(), "/volume");
        let mut batch = bytes::BytesMut::with_capacity(BATCH);
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    let _ = tx.send(Err(io::Error::other(e.to_string()))).await;
                    engine_error = Some(e);
                    break;
                }
            };
            meter.add(chunk.len());
            // The engine sends small pieces; waking the writing thread for
            // each cost more than the work. Send about a megabyte at a time.
            batch.extend_from_slice(&chunk);
            if batch.len() >= BATCH && tx.send(Ok(batch.split().freeze())).await.is_err() {
                break;
            }
        }
        if engine_error.is_some() {
            break;
        }
        if !batch.is_empty() && tx.send(Ok(batch.split().freeze())).await.is_err() {
            break;
        }
        meter.done();
    }
    drop(volumes_tx);
    let written = writing.await.map_err(|e| Error::new(ErrorKind::System, miette!("{e}")))?;
    if let Some(e) = engine_error {
        return Err(e.into());
    }
    written.map_err(|e| Error::new(ErrorKind::System, miette!("cannot write the backup: {e}")))
}

/// Bytes and rate of one volume's copy, as progress events: updates a few
/// times a second for a live view, a line at the start and the end else.
pub struct Meter<'a> {
    reporter: &'a dyn Reporter,
    name: String,
    started: Instant,
    shown: Instant,
    bytes: u64,
}

impl<'a> Meter<'a> {
    pub fn start(reporter: &'a dyn Reporter, name: &str) -> Meter<'a> {
        reporter.event(Event::new(Kind::Volume, name, Status::Copying));
        Meter { reporter, name: name.to_string(), started: Instant::now(), shown: Instant::now(), bytes: 0 }
    }

    pub fn add(&mut self, n: usize) {
        self.set(self.bytes + n as u64);
    }

    /// The bytes so far.
    pub fn set(&mut self, total: u64) {
        self.bytes = total;
        if self.reporter.wants_bytes() && self.shown.elapsed().as_millis() >= 200 {
            self.shown = Instant::now();
            self.reporter.event(Event::new(Kind::Volume, &self.name, Status::Copying).detail(self.text()));
        }
    }

    fn text(&self) -> String {
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let rate = (self.bytes as f64 / secs) as u64;
        format!("{} in {secs:.1} s ({}/s)", crate::engine::df::human_size(self.bytes), crate::engine::df::human_size(rate))
    }

    pub fn done(self) {
        self.reporter.event(Event::new(Kind::Volume, &self.name, Status::Copied).detail(self.text()));
    }
}
