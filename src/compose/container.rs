//! One service container: copying it out with `export` (its file system as
//! a tar, streamed to a file or a sink) and `commit` (an image of it), both
//! of a replica stopped or running (unlike docker compose v2, which refuses
//! a stopped one although the engine can copy it); and choosing the running
//! container `attach` connects to, with how ([`attach_target`]).

use std::io::Write;
use std::path::{Path, PathBuf};

use futures::StreamExt;
use miette::miette;

use crate::engine::{CommitSpec, ContainerRef, Engine};
use crate::model::Project;
use crate::progress::{Event, Kind, Reporter, Status};
use crate::reconcile::observe::{observe_containers, ObservedContainer};
use crate::reconcile::steps::{Noun, Step, Steps, Verb};
use crate::{Error, ErrorKind};

/// `export SERVICE [--index N] [-o FILE]`.
#[derive(Clone, Debug, Default)]
pub struct ExportRequest {
    pub service: String,
    /// Replica number (1 for the first).
    pub index: u32,
    /// The file to write; none writes to the sink given.
    pub output: Option<PathBuf>,
}

/// `commit SERVICE [REPOSITORY[:TAG]] [--index N]`.
#[derive(Clone, Debug, Default)]
pub struct CommitRequest {
    pub service: String,
    pub index: u32,
    pub spec: CommitSpec,
}

/// What `commit` did (or would do).
#[derive(Clone, Debug, Default)]
pub struct CommitOutcome {
    pub steps: Steps,
    /// The new image's id; none in a dry run.
    pub image_id: Option<String>,
}

/// The replica `index` of `service` (0 means the first, as v2's default
/// `--index 0` does).
pub async fn service_container(engine: &dyn Engine, project: &Project, service: &str, index: u32) -> Result<ObservedContainer, Error> {
    let index = index.max(1);
    if !project.services.is_empty() && !project.services.contains_key(service) {
        return Err(Error::new(ErrorKind::Usage, miette!(code = "rcompose::unknown_service", "no such service: {service}")));
    }
    let observed = observe_containers(engine, project).await?;
    observed.replica(service, index).cloned().ok_or_else(|| {
        let help = format!("create it with `rcompose up -d {service}`");
        Error::new(ErrorKind::State, miette!(code = "rcompose::no_container", help = help, "service \"{service}\" has no container number {index}"))
    })
}

/// Streams the container's file system as a tar to the request's file (the
/// whole archive or nothing: it is written beside and renamed at the end)
/// or to `sink`; memory stays flat whatever the size.
pub async fn export(
    engine: &dyn Engine,
    project: &Project,
    req: &ExportRequest,
    dry_run: bool,
    sink: &mut (dyn Write + Send),
    reporter: &dyn Reporter,
) -> Result<Steps, Error> {
    let c = service_container(engine, project, &req.service, req.index).await?;
    let to = req.output.as_ref().map_or_else(|| "standard output".to_string(), |p| p.display().to_string());
    let steps = Steps { steps: vec![Step::new(Verb::Copy, Noun::Container, c.name.clone(), format!("file system to {to}"))], warnings: Vec::new() };
    if dry_run {
        return Ok(steps);
    }
    reporter.event(Event::new(Kind::Container, &c.name, Status::Exporting).detail(format!("to {to}")));
    let stream = engine.export_container(ContainerRef::new(&c.id, &c.name));
    match &req.output {
        Some(path) => write_file(stream, path).await?,
        None => write_all(stream, sink).await?,
    }
    reporter.event(Event::new(Kind::Container, &c.name, Status::Exported).detail(format!("to {to}")));
    Ok(steps)
}

type Chunks = futures::stream::BoxStream<'static, Result<bytes::Bytes, crate::engine::EngineError>>;

async fn write_all(mut stream: Chunks, out: &mut (dyn Write + Send)) -> Result<(), Error> {
    while let Some(chunk) = stream.next().await {
        out.write_all(&chunk?).map_err(|e| Error::new(ErrorKind::System, miette!("cannot write the archive: {e}")))?;
    }
    out.flush().map_err(|e| Error::new(ErrorKind::System, miette!("cannot write the archive: {e}")))
}

/// Writes to `PATH.partial` beside `path`, renamed to `path` once complete;
/// removed on failure.
async fn write_file(stream: Chunks, path: &Path) -> Result<(), Error> {
    let cannot = |e: std::io::Error| Error::new(ErrorKind::System, miette!(code = "rcompose::cannot_write", "cannot write {}: {e}", path.display()));
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let mut file = std::fs::File::create(&partial).map_err(cannot)?;
    let written =
        write_all(stream, &mut file).await.and_then(|()| file.sync_all().map_err(cannot)).and_then(|()| std::fs::rename(&partial, path).map_err(cannot));
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

/// The running container `attach` connects to, and how.
#[derive(Clone, Debug)]
pub struct AttachTarget {
    pub container: ObservedContainer,
    /// It has a TTY: the local terminal goes raw, signals are keys.
    pub tty: bool,
    /// Our stdin is forwarded (it keeps stdin open, and `--no-stdin` was not given).
    pub stdin: bool,
}

/// Chooses replica `index` of `service`, which must be running.
pub async fn attach_target(engine: &dyn Engine, project: &Project, service: &str, index: u32, no_stdin: bool) -> Result<AttachTarget, Error> {
    let c = service_container(engine, project, service, index).await?;
    let details = engine.inspect_container(ContainerRef::new(&c.id, &c.name)).await?;
    if !details.running {
        let help = format!("start it with `rcompose start {service}`");
        return Err(Error::new(ErrorKind::State, miette!(code = "rcompose::not_running", help = help, "container {} is not running", c.name)));
    }
    Ok(AttachTarget { container: c, tty: details.tty, stdin: details.open_stdin && !no_stdin })
}

/// Makes an image of the container.
pub async fn commit(engine: &dyn Engine, project: &Project, req: &CommitRequest, dry_run: bool, reporter: &dyn Reporter) -> Result<CommitOutcome, Error> {
    let c = service_container(engine, project, &req.service, req.index).await?;
    let what = req.spec.reference.clone().unwrap_or_else(|| "an untagged image".into());
    let steps = Steps { steps: vec![Step::new(Verb::Create, Noun::Image, what, format!("from container {}", c.name))], warnings: Vec::new() };
    if dry_run {
        return Ok(CommitOutcome { steps, image_id: None });
    }
    reporter.event(Event::new(Kind::Container, &c.name, Status::Committing));
    let id = engine.commit_container(ContainerRef::new(&c.id, &c.name), &req.spec).await?;
    reporter.event(Event::new(Kind::Container, &c.name, Status::Committed).detail(format!("as {id}")));
    Ok(CommitOutcome { steps, image_id: Some(id) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Recorder;
    use crate::testing::{engine_for, load};

    const STACK: &str = "services:\n  web: { image: nginx }\n";

    async fn up(engine: &dyn Engine, project: &Project) {
        crate::compose::up(engine, project, &Default::default(), &Recorder::default()).await.unwrap();
    }

    #[tokio::test]
    async fn export_streams_the_archive_into_the_file_and_leaves_no_partial() {
        let project = load(STACK);
        let engine = engine_for(&project);
        up(&engine, &project).await;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("web.tar");
        let req = ExportRequest { service: "web".into(), index: 1, output: Some(out.clone()) };
        export(&engine, &project, &req, false, &mut std::io::sink(), &Recorder::default()).await.unwrap();
        let mut archive = tar::Archive::new(std::fs::File::open(&out).unwrap());
        let names: Vec<String> = archive.entries().unwrap().map(|e| e.unwrap().path().unwrap().display().to_string()).collect();
        assert_eq!(names, ["etc/hostname"]);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "only the archive is left");
    }

    #[tokio::test]
    async fn a_failed_export_leaves_no_file() {
        let project = load(STACK);
        let engine = engine_for(&project);
        up(&engine, &project).await;
        engine.fault("export demo-web-1", crate::engine::fake::Fault::Fail(crate::engine::EngineError::Lost { action: "export".into(), reason: "cut".into() }));
        let dir = tempfile::tempdir().unwrap();
        let req = ExportRequest { service: "web".into(), index: 1, output: Some(dir.path().join("web.tar")) };
        let e = export(&engine, &project, &req, false, &mut std::io::sink(), &Recorder::default()).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::EngineLost);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn commit_tags_the_image_and_a_missing_replica_is_a_state_error() {
        let project = load(STACK);
        let engine = engine_for(&project);
        up(&engine, &project).await;
        let spec = CommitSpec { reference: Some("snap/web:v1".into()), pause: true, ..CommitSpec::default() };
        let req = CommitRequest { service: "web".into(), index: 1, spec };
        let dry = commit(&engine, &project, &req, true, &Recorder::default()).await.unwrap();
        assert_eq!(crate::render::plan::table(&dry.steps), "create   image     snap/web:v1  (from container demo-web-1)\n");
        assert!(engine.inspect_image("snap/web:v1").await.unwrap().is_none(), "a dry run commits nothing");
        let done = commit(&engine, &project, &req, false, &Recorder::default()).await.unwrap();
        assert_eq!(engine.inspect_image("snap/web:v1").await.unwrap().map(|i| i.id), done.image_id);
        let missing = CommitRequest { index: 2, ..req.clone() };
        assert_eq!(commit(&engine, &project, &missing, false, &Recorder::default()).await.unwrap_err().kind(), ErrorKind::State);
        let unknown = CommitRequest { service: "nope".into(), ..req };
        assert_eq!(commit(&engine, &project, &unknown, false, &Recorder::default()).await.unwrap_err().kind(), ErrorKind::Usage);
    }

    #[tokio::test]
    async fn attach_wants_a_running_container() {
        let project = load(STACK);
        let engine = engine_for(&project);
        up(&engine, &project).await;
        let t = attach_target(&engine, &project, "web", 0, false).await.unwrap();
        assert_eq!((t.container.name.as_str(), t.tty, t.stdin), ("demo-web-1", false, false));
        crate::compose::lifecycle(&engine, &project, &crate::compose::Action::Stop(None), &[], false, &Recorder::default()).await.unwrap();
        assert_eq!(attach_target(&engine, &project, "web", 1, false).await.unwrap_err().kind(), ErrorKind::State);
    }
}
