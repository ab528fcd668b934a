//! The short form for Rust programs and test harnesses: load a project,
//! bring it up, wait for it, read its ports, run commands in it and take it
//! down, with no `docker compose` subprocess.
//!
//! ```no_run
//! # async fn demo() -> Result<(), rcompose::Error> {
//! use rcompose::compose::UpRequest;
//! use rcompose::engine::Docker;
//! use rcompose::model::Project;
//!
//! let engine = Docker::connect_from_env().await?;
//! let stack = Project::load("compose.yaml")?.up(&engine, UpRequest::default()).await?;
//! stack.wait(std::time::Duration::from_secs(60)).await?;
//! let port = stack.port("web", 8080).await?.expect("8080 is published");
//! let hello = stack.exec("web", &["echo", "hello"]).await?;
//! assert_eq!(hello.stdout_text(), "hello");
//! println!("web answers on 127.0.0.1:{port}");
//! stack.down(true).await?;
//! # Ok(())
//! # }
//! ```
//!
//! A `Stack` is not taken down when dropped (that would need the engine
//! from a destructor); call [`Stack::down`].

use std::path::Path;
use std::time::Duration;

use miette::miette;

use super::{down, up, DownRequest, UpRequest};
use crate::engine::{labels, ContainerQuery, ContainerRef, Engine, ExecOutput};
use crate::model::Project;
use crate::progress::{Quiet, Reporter};
use crate::reconcile::plan_down::DownOptions;
use crate::reconcile::ready::wait_ready;
use crate::{Error, ErrorKind};

impl Project {
    /// Loads a compose file the way `rcompose -f PATH` does: `.env` beside
    /// it, the process environment for interpolation, the project named by
    /// the file's `name:` or its folder.
    pub fn load(path: impl AsRef<Path>) -> Result<Project, Error> {
        Project::load_with(path, None)
    }

    /// Like [`Project::load`], under another project name (`-p NAME`): a
    /// test harness gives each test its own.
    pub fn load_as(path: impl AsRef<Path>, name: &str) -> Result<Project, Error> {
        Project::load_with(path, Some(name))
    }

    fn load_with(path: impl AsRef<Path>, name: Option<&str>) -> Result<Project, Error> {
        let cwd = std::env::current_dir().map_err(|e| Error::new(ErrorKind::System, miette!("cannot read the current folder: {e}")))?;
        let opts = crate::load::LoadOptions {
            files: vec![cwd.join(path.as_ref())],
            project_name: name.map(str::to_string),
            cwd,
            environ: std::env::vars().collect(),
            ..Default::default()
        };
        Ok(crate::load::load(&opts)?.project)
    }

    /// Brings the project up (as `rcompose up -d`, or as asked) and returns
    /// a handle to it.
    pub async fn up(self, engine: &dyn Engine, request: UpRequest) -> Result<Stack<'_>, Error> {
        Stack::up(engine, self, request, &Quiet).await
    }
}

/// A project that is up, on one engine.
pub struct Stack<'e> {
    engine: &'e dyn Engine,
    project: Project,
}

impl<'e> Stack<'e> {
    /// Brings `project` up, reporting progress to `reporter`.
    pub async fn up(engine: &'e dyn Engine, mut project: Project, request: UpRequest, reporter: &dyn Reporter) -> Result<Stack<'e>, Error> {
        project.enable_services(&request.plan.services);
        up(engine, &project, &request, reporter).await?;
        Ok(Stack { engine, project })
    }

    pub fn project(&self) -> &Project {
        &self.project
    }

    /// Waits until every service container is running and healthy, or a
    /// one-shot job has exited 0; an unhealthy or failed one is an error
    /// naming it with its last output.
    pub async fn wait(&self, timeout: Duration) -> Result<(), Error> {
        let targets: Vec<(String, String, String)> = self
            .containers()
            .await?
            .into_iter()
            .filter(|c| c.labels.get(labels::ONEOFF).is_none_or(|v| !v.eq_ignore_ascii_case("true")))
            .map(|c| {
                let service = c.labels.get(labels::SERVICE).cloned().unwrap_or_default();
                (c.id, c.name, service)
            })
            .collect();
        Ok(wait_ready(self.engine, &targets, Some(timeout)).await?)
    }

    /// The host port that `container_port` (TCP) of the service's first
    /// container is published on, if it is.
    pub async fn port(&self, service: &str, container_port: u16) -> Result<Option<u16>, Error> {
        let c = self.first_container(service).await?;
        Ok(c.ports.iter().filter(|p| p.private_port == container_port && p.protocol == "tcp").find_map(|p| p.public_port))
    }

    /// Runs a command in the service's first container (no terminal) and
    /// returns its output and exit code; a non-zero exit is not an error.
    pub async fn exec(&self, service: &str, command: &[&str]) -> Result<ExecOutput, Error> {
        let c = self.first_container(service).await?;
        let command: Vec<String> = command.iter().map(|s| (*s).to_string()).collect();
        Ok(self.engine.exec_output(ContainerRef::new(&c.id, &c.name), &command, &[]).await?)
    }

    /// Takes the project down; with `volumes`, its volumes too (`down -v`).
    pub async fn down(self, volumes: bool) -> Result<(), Error> {
        let req = DownRequest { plan: DownOptions { volumes, ..DownOptions::default() }, ..DownRequest::default() };
        down(self.engine, &self.project, &req, &Quiet).await?;
        Ok(())
    }

    async fn containers(&self) -> Result<Vec<crate::engine::ContainerSummary>, Error> {
        let query = ContainerQuery { all: true, labels: vec![labels::project_filter(&self.project.name)], volumes: Vec::new() };
        Ok(self.engine.list_containers(&query).await?)
    }

    async fn first_container(&self, service: &str) -> Result<crate::engine::ContainerSummary, Error> {
        let mut of_service: Vec<_> = self
            .containers()
            .await?
            .into_iter()
            .filter(|c| c.labels.get(labels::SERVICE).is_some_and(|s| s == service))
            .filter(|c| c.labels.get(labels::ONEOFF).is_none_or(|v| !v.eq_ignore_ascii_case("true")))
            .collect();
        of_service.sort_by_key(|c| c.labels.get(labels::NUMBER).and_then(|n| n.parse::<u32>().ok()).unwrap_or(0));
        of_service.into_iter().next().ok_or_else(|| {
            Error::new(
                ErrorKind::State,
                miette!(code = "rcompose::no_containers", "service \"{service}\" of project \"{}\" has no container", self.project.name),
            )
        })
    }
}
